"""``refresh`` rename links, one rule at a time, on small synthetic maps."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.refresh.facts import TickerEvidence, eodhd_to_yahoo
from tickermap.refresh.link import find_links, root_similarity, share_class_siblings

FD_HEADER = (
    "symbol,name,currency,exchange,mic,country,isin,cusip,figi,composite_figi,shareclass_figi,"
    "delisted\n"
)


def facts(source: str = "w", **values: str) -> TickerEvidence:
    out = TickerEvidence()
    for key, value in values.items():
        out.add(key, value, source)
    return out


def links(
    gone: dict[str, TickerEvidence], fresh: dict[str, TickerEvidence], **kw: object
) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, str]]]:
    done, maybe = find_links(gone, fresh, **kw)  # type: ignore[arg-type]
    return (
        [(x.old, x.new, x.key, x.strength) for x in done],
        [(x.old, x.new, str(x.evidence.get("why_possible"))) for x in maybe],
    )


def test_fuzzy_names_link_one_to_one_with_a_margin() -> None:
    gone = {"AKA NO": facts("prev", name="AKASTOR ASA")}
    fresh = {"AKAST NO": facts(name="Akastor ASA (publ)"), "NEWCO NO": facts(name="Newco ASA")}
    assert links(gone, fresh)[0] == [("AKA NO", "AKAST NO", "name", "medium")]
    # two new tickers as alike: a tie is listed, never guessed
    fresh["AKASTX NO"] = facts(name="Akastor")
    applied, possible = links(gone, fresh)
    assert applied == []
    assert {(o, n) for o, n, _ in possible} == {("AKA NO", "AKAST NO"), ("AKA NO", "AKASTX NO")}
    assert all(why.startswith("ambiguous") for *_, why in possible)
    # another exchange code never links
    assert links(
        {"AKA SS": facts("prev", name="AKASTOR ASA")}, {"AKAST NO": fresh["AKAST NO"]}
    ) == (
        [],
        [],
    )


def test_names_merely_alike_need_the_roots_to_be_applied() -> None:
    gone = {"WALWIL NO": facts("prev", name="WALLENIUS WILHELMSEN LOGISTICS ASA")}
    fresh = {"WAWI NO": facts(name="Wallenius Wilhelmsen ASA")}
    score_only = links(gone, {"ZZZ NO": fresh["WAWI NO"]})
    assert score_only[0] == []
    assert score_only[1] == [("WALWIL NO", "ZZZ NO", "names alike, nothing else")]
    assert links(gone, fresh)[0] == [("WALWIL NO", "WAWI NO", "name", "weak")]


def test_a_witness_symbol_links_the_old_ticker_to_the_new_one() -> None:
    gone = {"NEUR DC": facts("eodhd", name="NEUROSEARCH AS", symbol="NTG.CO")}
    fresh = {"NTG DC": facts("fd", name="NTG Nordic Transport Group A/S", symbol="NTG.CO")}
    assert links(gone, fresh)[0] == [("NEUR DC", "NTG DC", "symbol", "strong")]
    assert links(gone, fresh, fuzzy=False)[0] == []  # the exact-key reference has no symbol rule


def test_identifiers_need_a_second_piece_of_evidence_when_the_names_disagree() -> None:
    isin = "GB00B1CRLC47"
    gone = {"MNDI LN": facts("prev", name="MONDI PLC", isin=isin)}
    other = {"MNP LN": facts("fd", name="Martin Currie Global Portfolio Trust", isin=isin)}
    assert links(gone, other)[0] == []
    assert links(gone, other)[1][0][2] == "one identifier only, the names and roots disagree"
    unnamed = {"MNP LN": facts("fd", isin=isin)}
    assert links(gone, unnamed)[0] == [("MNDI LN", "MNP LN", "isin", "medium")]
    same = {"MNDX LN": facts("fd", name="Mondi plc", isin=isin)}
    assert links(gone, same)[0] == [("MNDI LN", "MNDX LN", "isin", "strong")]
    # two identifiers agreeing carry a rename whose name changed completely
    both = {"VPLAYB SS": facts("fd", name="Viaplay Group AB", isin=isin, composite_figi="BBG1")}
    gone2 = {"NENTB SS": facts("prev", name="NORDIC ENTERTAINMENT", isin=isin,
                               composite_figi="BBG1")}  # fmt: skip
    assert links(gone2, both)[0] == [("NENTB SS", "VPLAYB SS", "composite_figi", "strong")]


def test_a_value_one_witness_gives_both_tickers_links_nothing() -> None:
    isin = "AU000000RHC8"
    gone = {"RHC AU": facts("prev", name="RAMSAY HEALTH CARE", isin=isin)}
    gone["RHC AU"].add("composite_figi", "BBG000BB3TB3", "fd")
    gone["RHC AU"].add("share_class_figi", "BBG001S5RL09", "fd")
    fresh = {"RMY AU": facts("fd", name="RMA Global Limited", isin=isin)}
    fresh["RMY AU"].add("composite_figi", "BBG000BB3TB3", "fd")
    fresh["RMY AU"].add("share_class_figi", "BBG001S5RL09", "fd")
    applied, possible = links(gone, fresh)
    assert applied == []  # FIGIs from one witness's two rows are its copy error; ISIN alone
    assert possible == [("RHC AU", "RMY AU", "one identifier only, the names and roots disagree")]
    # the exact-key reference takes the FIGI (the old behaviour)
    assert links(gone, fresh, fuzzy=False)[0] == [("RHC AU", "RMY AU", "composite_figi", "strong")]


def test_share_class_siblings_are_never_a_rename_by_name_or_identifier() -> None:
    gone = {"ERICB SS": facts("prev", name="TELEFON AB LM ERICSSON SERIES B", composite_figi="X")}
    fresh = {"ERICA SS": facts("fd", name="Telefonaktiebolaget LM Ericsson", composite_figi="X")}
    assert links(gone, fresh) == (
        [],
        [("ERICB SS", "ERICA SS", "share-class sibling")],
    )
    assert share_class_siblings("ATCO A SS", "ATCO B SS", TickerEvidence(), TickerEvidence())
    assert not share_class_siblings("FABGB SS", "FABG SS", TickerEvidence(), TickerEvidence())
    # a witness's rename record still wins
    rec = links(gone, fresh, renamed_from={"ERICA SS": "ERICB SS"})[0]
    assert rec == [("ERICB SS", "ERICA SS", "renamed_from", "strong")]


def test_ticker_roots_alone_never_link() -> None:
    gone = {"OHL SM": facts("prev", name="OBRASCON HUARTE LAIN")}
    fresh = {"OHLA SM": facts("fd", symbol="OHLA.MC")}
    assert links(gone, fresh) == ([], [])
    assert root_similarity("OHL SM", "OHLA SM") >= 0.6
    assert root_similarity("8379 JP", "8378 JP") == 0.0  # numeric codes say nothing


def test_eodhd_symbols_are_compared_in_yahoo_spelling() -> None:
    assert eodhd_to_yahoo("DA.LSE") == "DA.L"
    assert eodhd_to_yahoo("000060.KO") == "000060.KS"
    assert eodhd_to_yahoo("KEGX") is None  # no suffix: no market, no symbol


def test_refresh_links_by_a_dsignals_symbol_and_says_so(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("bloomberg_ticker,name_ticker\nNEUR DC,NEUROSEARCH AS\nGONE DC,GONE AS\n")
    new = tmp_path / "new.csv"
    new.write_text("bloomberg_ticker\nNTG DC\n")
    eodhd = tmp_path / "eodhd-map.csv"
    eodhd.write_text("bloomberg_ticker,yahoo,data_provider,signals_ticker\nNEUR DC,,eodhd,NTG.CO\n")
    fd = tmp_path / "CPH.csv"
    fd.write_text(
        FD_HEADER + "NTG.CO,NTG Nordic Transport Group A/S,DKK,CPH,XCSE,Denmark,,,,,,False\n"
    )
    out, diff = tmp_path / "m.csv", tmp_path / "d.csv"
    args = ["refresh", "--previous", str(old), "--universe", str(new), "--map", str(eodhd),
            "--map", str(fd), "--out", str(out), "--diff", str(diff), "--offline",
            "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(diff, dtype=str, keep_default_na=False)
    row = got[got["change"] == "renamed"].iloc[0]
    assert (row["old_ticker"], row["new_ticker"]) == ("NEUR DC", "NTG DC")
    assert (row["key"], row["strength"]) == ("symbol=NTG.CO", "strong")
    assert json.loads(row["evidence"])["symbol"] == ["NTG.CO"]
    assert got[got["change"] == "removed"]["old_ticker"].tolist() == ["GONE DC"]
    refreshed = pd.read_csv(out, dtype=str, keep_default_na=False)
    # the witness's current name, and the change is in the diff
    assert refreshed["name_ticker"].tolist() == ["NTG Nordic Transport Group A/S"]
    assert ("name_changed", "NEUR DC", "NTG DC") in set(
        zip(got["change"], got["old_ticker"], got["new_ticker"], strict=True)
    )


def test_refresh_lists_possible_renames_without_applying_them(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("bloomberg_ticker,name_ticker\nERICB SS,TELEFON AB LM ERICSSON SERIES B\n")
    new = tmp_path / "new.csv"
    new.write_text("bloomberg_ticker\nERICA SS\n")
    fd = tmp_path / "STO.csv"
    fd.write_text(FD_HEADER + "ERIC-A.ST,Telefonaktiebolaget LM Ericsson,SEK,STO,XSTO,Sweden,"
                  ",,,,,False\n")  # fmt: skip
    out, diff = tmp_path / "m.csv", tmp_path / "d.csv"
    args = ["refresh", "--previous", str(old), "--universe", str(new), "--map", str(fd),
            "--out", str(out), "--diff", str(diff), "--offline", "--cache-dir",
            str(tmp_path / "c")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(diff, dtype=str, keep_default_na=False)
    assert sorted(got["change"]) == ["added", "possible_rename", "removed"]
    maybe = got[got["change"] == "possible_rename"].iloc[0]
    assert (maybe["old_ticker"], maybe["new_ticker"], maybe["strength"]) == (
        "ERICB SS", "ERICA SS", "possible",
    )  # fmt: skip
    assert "share-class sibling" in maybe["evidence"]


def test_refresh_bad_previous_map_is_a_clear_error(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("bloomberg_ticker,isin\nNEUR DC,DK0015182037\n")  # no name_ticker column
    new = tmp_path / "new.csv"
    new.write_text("bloomberg_ticker\nNTG DC\n")
    args = ["refresh", "--previous", f"{old}:signals_map", "--universe", str(new),
            "--out", str(tmp_path / "m.csv"), "--diff", str(tmp_path / "d.csv"), "--offline",
            "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code not in (0, 1), result.output
    assert "old.csv" in result.output and "name_ticker" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "m.csv").exists() and not (tmp_path / "d.csv").exists()


def test_public_map_helpers_refresh_uses() -> None:
    from tickermap.errors import MappingFileError
    from tickermap.maps.load import header_lookup, preset_columns

    header = ["Bloomberg_Ticker", "name_ticker", "ISIN"]
    assert header_lookup(header)["bloomberg_ticker"] == "Bloomberg_Ticker"
    assert preset_columns("signals_map", header, "m.csv") == {
        "bloomberg_ticker": "Bloomberg_Ticker", "name": "name_ticker", "isin": "ISIN",
    }  # fmt: skip
    assert preset_columns("financedatabase", header, "m.csv") == {}
    with pytest.raises(MappingFileError) as err:
        preset_columns("signals_map", ["bloomberg_ticker"], "m.csv")
    assert "name_ticker" in str(err.value) and "m.csv" in str(err.value)


def test_doctests_of_the_refresh_modules() -> None:
    import tickermap.maps.load as load
    import tickermap.refresh.facts as facts_module
    import tickermap.refresh.link as link_module

    for module in (facts_module, link_module, load):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
