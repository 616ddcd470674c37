"""``tickermap refresh`` on Numerai's official map format, and on bad input as a user meets it.

The official ``signals_ticker_map_w_bbg.csv`` has ``ticker`` (exchange level), ``bloomberg_ticker``
and ``yahoo``; a Yahoo symbol is often kept from before a rename. The worlds here are small,
written by hand; each test fails without the rule it names.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.maps.load import load_map
from tickermap.refresh.facts import TickerEvidence
from tickermap.refresh.link import find_links, two_listings

FD_HEADER = (
    "symbol,name,currency,exchange,mic,country,isin,cusip,figi,composite_figi,shareclass_figi,"
    "delisted\n"
)
OFFICIAL = "ticker,bloomberg_ticker,yahoo\n"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _refresh(tmp: Path, previous: Path, universe: Path, *extra: str) -> tuple[int, str]:
    args = ["refresh", "--previous", str(previous), "--universe", str(universe),
            "--out", str(tmp / "map.csv"), "--diff", str(tmp / "diff.csv"), "--offline",
            "--cache-dir", str(tmp / "cache"), *extra]  # fmt: skip
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def _official_world(tmp: Path) -> tuple[Path, Path, Path]:
    previous = tmp / "map_2021.csv"
    previous.write_text(
        OFFICIAL + "REE SM,REE SM,REE.MC\n"  # renamed; the 2025 map keeps REE.MC (stale)
        "OLDCO MK,OLDCO MK,1111.KL\n"  # renamed; Yahoo's local codes changed too
        "VOD LN,VOD LN,VOD.L\n"
        "GONE LN,GONE LN,GONE.L\n"
    )
    universe = tmp / "map_2025.csv"
    universe.write_text(
        OFFICIAL + "RED SM,RED SM,REE.MC\nNEWCO MK,NEWCO MK,2222.KL\nVOD LN,VOD LN,VOD.L\n"
    )
    fd = tmp / "KLS.csv"  # FinanceDatabase: both Malaysian lines, one ISIN, no Bloomberg root
    fd.write_text(
        FD_HEADER + "1111.KL,Acme Berhad,MYR,KLS,XKLS,Malaysia,MYL1111OO001,,,,,True\n"
        "2222.KL,Acme Berhad,MYR,KLS,XKLS,Malaysia,MYL1111OO001,,,,,False\n"
    )
    return previous, universe, fd


def test_official_files_load_with_the_detected_preset(tmp_path: Path) -> None:
    previous, universe, _ = _official_world(tmp_path)
    for path in (previous, universe):
        loaded = load_map(path)
        assert (loaded.preset, loaded.detected, loaded.namespace) == ("numerai", True, "bloomberg")
        assert loaded.frame["yahoo"].notna().all()


def test_official_format_renames_by_stale_yahoo_and_by_symbol_lookup(tmp_path: Path) -> None:
    previous, universe, fd = _official_world(tmp_path)
    code, output = _refresh(tmp_path, previous, universe, "--map", str(fd))
    assert code == 0, output
    diff = _read(tmp_path / "diff.csv")
    renamed = diff[diff["change"] == "renamed"]
    olds, news, keys = (renamed[c].tolist() for c in ("old_ticker", "new_ticker", "key"))
    pairs = {(o, n): k for o, n, k in zip(olds, news, keys, strict=True)}
    # the new universe's own yahoo column: the 2025 map keeps REE.MC for RED SM
    assert pairs[("REE SM", "RED SM")] == "symbol=REE.MC"
    # the two Yahoo symbols found in FinanceDatabase give both tickers one ISIN and one name
    assert pairs[("OLDCO MK", "NEWCO MK")] == "isin=MYL1111OO001"
    assert set(diff[diff["change"] == "removed"]["old_ticker"]) == {"GONE LN"}
    refreshed = _read(tmp_path / "map.csv")
    assert list(refreshed.columns)[:3] == ["ticker", "bloomberg_ticker", "yahoo"]
    red = refreshed[refreshed["bloomberg_ticker"] == "RED SM"].iloc[0]
    assert red["ticker"] == "RED SM"  # the universe's exchange-level ticker, not the old row's


def test_without_the_witness_the_malaysian_rename_is_not_named(tmp_path: Path) -> None:
    previous, universe, _ = _official_world(tmp_path)
    code, output = _refresh(tmp_path, previous, universe)
    assert code == 0, output
    diff = _read(tmp_path / "diff.csv")
    renamed = diff[diff["change"] == "renamed"]
    assert renamed[["old_ticker", "new_ticker"]].values.tolist() == [["REE SM", "RED SM"]]


def _facts(**values: tuple[str, str]) -> TickerEvidence:
    ev = TickerEvidence()
    for key, (value, source) in values.items():
        ev.add(key, value, source)
    return ev


def test_one_witness_listing_two_figis_blocks_the_link() -> None:
    # A historical map gives a spin-off its parent's ISIN: same ISIN, same names, but two
    # composite FIGIs from that map say two listings (PSK Holdings / PSK Inc, 2019).
    old = _facts(isin=("KR7319660007", "m"), name=("PSK HOLDINGS INC", "m"),
                 composite_figi=("BBG000C1P586", "m"))  # fmt: skip
    new = _facts(isin=("KR7319660007", "m"), name=("PSK INC", "m"),
                 composite_figi=("BBG00M4JW3H5", "m"))  # fmt: skip
    assert two_listings(old, new) == "m gives them different composite_figi values"
    links, possible = find_links({"031980 KS": old}, {"319660 KS": new})
    assert links == []
    assert [p.evidence["why_possible"] for p in possible] == [
        "m gives them different composite_figi values"
    ]
    # the same pair with one FIGI (or none on the old side, as for renamed tickers) links
    same = _facts(isin=("KR7319660007", "m"), name=("PSK INC", "m"),
                  composite_figi=("BBG000C1P586", "m"))  # fmt: skip
    assert [x.key for x in find_links({"031980 KS": old}, {"319660 KS": same})[0]] == [
        "composite_figi"
    ]
    # two sources that disagree are not one witness's word
    other = _facts(isin=("KR7319660007", "m"), name=("PSK INC", "m"),
                   composite_figi=("BBG00M4JW3H5", "other"))  # fmt: skip
    assert two_listings(old, other) is None


def test_a_previous_map_listing_a_ticker_twice(tmp_path: Path) -> None:
    _, universe, _ = _official_world(tmp_path)
    previous = tmp_path / "dup.csv"
    rows = "REE SM,REE SM,REE.MC\nVOD LN,VOD LN,VOD.L\nREE SM,REE SM,RED.MC\n"
    previous.write_text(OFFICIAL + rows)
    code, output = _refresh(tmp_path, previous, universe)
    assert code == 3
    assert "dup.csv, line 4, column 'yahoo'" in output and "listed twice" in output
    assert "line 2" in output
    assert not (tmp_path / "map.csv").exists()
    # rows that agree where both have values are one ticker: the fuller row is used
    agree = tmp_path / "agree.csv"
    agree.write_text(OFFICIAL + "X,VOD LN,\nVOD LN,VOD LN,VOD.L\n")
    uni = tmp_path / "u.csv"
    uni.write_text("bloomberg_ticker\nVOD LN\n000660 KS\n")
    code, output = _refresh(tmp_path, agree, uni)
    assert code == 0, output
    assert _read(tmp_path / "map.csv")["ticker"].tolist() == ["VOD LN", ""]
    # two spellings of one ticker (Korean A-prefixed copies) are two rows the file meant: the
    # canonical spelling's row is used, whatever the other says
    spelt = tmp_path / "spelt.csv"
    spelt.write_text(OFFICIAL + "A000660 KS,A000660 KS,000660.KQ\n000660 KS,000660 KS,000660.KS\n")
    code, output = _refresh(tmp_path, spelt, uni)
    assert code == 0, output
    refreshed = _read(tmp_path / "map.csv")
    assert refreshed["bloomberg_ticker"].tolist() == ["VOD LN", "000660 KS"]
    assert refreshed["ticker"].tolist() == ["", "000660 KS"]


def test_an_unknown_previous_format_and_its_description(tmp_path: Path) -> None:
    _, universe, _ = _official_world(tmp_path)
    previous = tmp_path / "listing.csv"
    previous.write_text("company,ISIN,tick\nRed Electrica,ES0173093024,REE SM\n")
    code, output = _refresh(tmp_path, previous, universe)
    assert code == 3
    assert "listing.csv, line 1: cannot recognise the format" in output
    assert "--previous FILE:PRESET" in output
    spec = f"{previous}=bloomberg_ticker=tick,isin=ISIN,name=company"
    code, output = _refresh(tmp_path, previous, universe, "--map-columns", spec)
    assert code == 0, output
    refreshed = _read(tmp_path / "map.csv")
    assert list(refreshed.columns)[:3] == ["company", "ISIN", "tick"]
    assert sorted(refreshed["tick"]) == ["NEWCO MK", "RED SM", "VOD LN"]


def test_a_previous_map_in_the_numerai_namespace(tmp_path: Path) -> None:
    previous = tmp_path / "numerai.csv"
    previous.write_text("numerai_ticker,yahoo\nREE ES,REE.MC\nSAP DE,SAP.DE\n")
    universe = tmp_path / "u.csv"
    universe.write_text(OFFICIAL + "RED SM,RED SM,REE.MC\nSAP GY,SAP GR,SAP.DE\n")
    code, output = _refresh(tmp_path, previous, universe)
    assert code == 0, output
    refreshed = _read(tmp_path / "map.csv")
    assert refreshed["numerai_ticker"].tolist() == ["RED ES", "SAP DE"]
    diff = _read(tmp_path / "diff.csv")
    renamed = diff[diff["change"] == "renamed"]
    assert renamed[["old_ticker", "new_ticker"]].values.tolist() == [["REE SM", "RED SM"]]


def test_an_empty_universe_is_refused(tmp_path: Path) -> None:
    previous, _, _ = _official_world(tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_text(OFFICIAL)
    code, output = _refresh(tmp_path, previous, empty)
    assert code == 3
    assert "empty.csv, line 2: the universe has no rows" in output
    headerless = tmp_path / "names.csv"
    headerless.write_text("company\nAcme\n")
    code, output = _refresh(tmp_path, previous, headerless)
    assert code == 3
    assert "no ticker column" in output and "--column" in output


def test_lines_and_classes_of_one_issuer_are_not_renames_by_name() -> None:
    # Seen among unlabelled pairs with 1,500 removed and 1,000 added distractors: each pair has
    # the same name (or nearly) and no identifier, and is not a ticker change.
    cases = [
        ("USIM3 BZ", "USIM6 BZ", "USINAS SIDERURGICAS DE MINAS GERAIS", "Usinas Siderurgicas"
         " de Minas Gerais"),
        ("PINFRA* MF", "PINFRAL MF", "PROMOTORA Y OPERADORA DE INFRAESTRUCTURA",
         "Promotora y Operadora de Infraestructura"),
        ("VOD LN", "0LQQ LN", "VODAFONE GROUP PLC", "Vodafone Group Plc"),
        ("7984 JP", "1301 JP", "KOKUYO CO LTD", "KYOKUYO CO LTD"),
    ]  # fmt: skip
    for old, new, a, b in cases:
        links, possible = find_links({old: _facts(name=(a, "p"))}, {new: _facts(name=(b, "w"))})
        assert links == [], (old, new)
        assert [(p.old, p.new) for p in possible] == [(old, new)]
    # a plain rename by name still links (same words, another code)
    links, _ = find_links({"AKERBP NO": _facts(name=("AKER BP ASA", "p"))},
                          {"AKRBP NO": _facts(name=("Aker BP ASA", "w"))})  # fmt: skip
    assert [(x.old, x.new, x.strength) for x in links] == [("AKERBP NO", "AKRBP NO", "medium")]


def test_a_universe_row_without_a_ticker_is_named_not_lost_silently(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    previous = tmp_path / "prev.csv"
    previous.write_text(
        "ticker,bloomberg_ticker,yahoo\n7203 JT,7203 JP,7203.T\nSAP GY,SAP GR,SAP.DE\n"
    )
    universe = tmp_path / "uni.csv"
    universe.write_text("ticker,bloomberg_ticker,yahoo\n7203 JT,,7203.T\nSAP GY,SAP GR,SAP.DE\n")
    code, output = _refresh(tmp_path, previous, universe)
    assert code == 0, output
    refreshed = _read(tmp_path / "map.csv")
    assert refreshed["bloomberg_ticker"].tolist() == ["SAP GR"]  # no row with an empty ticker
    assert "empty bloomberg_ticker (line(s) 2)" in caplog.text
