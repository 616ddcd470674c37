"""``tickermap refresh``: the refreshed map in the previous map's columns, and the diff."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.refresh.diff import find_changes
from tickermap.testing.synthetic import isin_with_check, random_figi

RNG = random.Random(11)
F = [random_figi(RNG) for _ in range(6)]
ISINS = [isin_with_check(b) for b in ("SE001211639", "GB00BH4HKS3", "GB000000000", "GB00B03MLX2")]
FD_HEADER = (
    "symbol,name,currency,exchange,mic,country,isin,cusip,figi,composite_figi,shareclass_figi,"
    "delisted\n"
)


def _world(tmp: Path) -> tuple[Path, Path, Path]:
    old = tmp / "old.csv"
    old.write_text(
        "bloomberg_ticker,name_ticker,isin,figi,share_class_figi,composite_figi,note\n"
        f"NENTB SS,NORDIC ENTERTAINMENT GROUP,{ISINS[0]},{F[0]},{F[1]},{F[0]},keep me\n"
        f"VOD LN,VODAFONE GROUP PLC,{ISINS[1]},{F[2]},{F[3]},{F[2]},x\n"
        f"GONE LN,GONE PLC,{ISINS[2]},,,,y\n"
    )
    new = tmp / "new.csv"
    new.write_text("bloomberg_ticker\nVPLAYB SS\nVOD LN\nNEWCO LN\n")
    fd = tmp / "fd.csv"
    fd.write_text(
        FD_HEADER
        + f"VPLAY-B.ST,Viaplay Group AB,SEK,STO,XSTO,Sweden,{ISINS[0]},,,{F[0]},{F[1]},False\n"
        f"VOD.L,Vodafone Group Plc,GBP,LSE,XLON,United Kingdom,{ISINS[1]},,,,{F[3]},False\n"
        f"NEWCO.L,Newco plc,GBP,LSE,XLON,United Kingdom,{ISINS[3]},,,,,False\n"
    )
    return old, new, fd


def _run(tmp: Path, *extra: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    old, new, fd = _world(tmp)
    out, diff = tmp / "map.csv", tmp / "diff.csv"
    args = ["refresh", "--previous", str(old), "--universe", str(new), "--map", str(fd),
            "--out", str(out), "--diff", str(diff), "--offline", "--cache-dir", str(tmp / "c"),
            *extra]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "renamed 1" in result.output
    read = lambda p: pd.read_csv(p, dtype=str, keep_default_na=False)  # noqa: E731
    return read(out), read(diff)


def test_refresh_offline_from_witnesses(tmp_path: Path) -> None:
    refreshed, diff = _run(tmp_path)
    assert list(refreshed.columns) == [
        "bloomberg_ticker", "name_ticker", "isin", "figi", "share_class_figi", "composite_figi",
        "note", "status", "confidence", "yahoo", "yahoo_source",
    ]  # fmt: skip
    assert refreshed["bloomberg_ticker"].tolist() == ["VPLAYB SS", "VOD LN", "NEWCO LN"]
    viaplay = refreshed.iloc[0]
    assert (viaplay["isin"], viaplay["composite_figi"], viaplay["note"]) == (
        ISINS[0],
        F[0],
        "keep me",
    )
    assert viaplay["yahoo"] == "VPLAY-B.ST"
    renamed = diff[diff["change"] == "renamed"].iloc[0]
    assert (renamed["old_ticker"], renamed["new_ticker"]) == ("NENTB SS", "VPLAYB SS")
    assert renamed["key"] == f"composite_figi={F[0]}"
    assert "isin" in renamed["evidence"]
    changes = set(zip(diff["change"], diff["old_ticker"], diff["new_ticker"], strict=True))
    assert ("removed", "GONE LN", "") in changes
    assert ("added", "", "NEWCO LN") in changes
    assert ("name_changed", "NENTB SS", "VPLAYB SS") in changes
    assert "VOD LN" not in set(diff["old_ticker"]) | set(diff["new_ticker"])  # unchanged


def test_refresh_refuses_an_input_as_output(tmp_path: Path) -> None:
    old, new, fd = _world(tmp_path)
    args = ["refresh", "--previous", str(old), "--universe", str(new), "--map", str(fd),
            "--out", str(old), "--diff", str(tmp_path / "d.csv"), "--offline"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "input" in result.output
    assert "NENTB SS" in old.read_text()


def test_links_must_be_one_to_one_and_on_the_same_exchange() -> None:
    old = {"A US": {"isin": "X1"}, "B US": {"isin": "X1"}, "C LN": {"isin": "X2"}}
    new = {"D US": {"isin": "X1"}, "E US": {"isin": "X2"}}
    changes = find_changes(old, new)
    assert not [c for c in changes if c.change == "renamed"]
    assert {c.old_ticker for c in changes if c.change == "removed"} == {"A US", "B US", "C LN"}
    # a witness's rename record links even when the identifiers say nothing
    found = find_changes({"KEGXQ US": {}}, {"KEGX US": {}}, renamed_from={"KEGX US": "KEGXQ US"})
    assert [(c.change, c.key) for c in found] == [("renamed", "renamed_from=KEGXQ US")]


def test_refresh_with_dsignals_overrides(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("bloomberg_ticker,name_ticker\nNENTB SS,NORDIC ENTERTAINMENT GROUP\n")
    new = tmp_path / "new.csv"
    new.write_text("bloomberg_ticker\nVPLAYB SS\n")
    overrides = tmp_path / "eodhd-overrides.csv"
    overrides.write_text("old,new\nNENT-B.ST,VPLAY-B.ST\n")
    out, diff = tmp_path / "m.csv", tmp_path / "d.csv"
    args = ["refresh", "--previous", str(old), "--universe", str(new), "--map", str(overrides),
            "--out", str(out), "--diff", str(diff), "--offline", "--cache-dir",
            str(tmp_path / "c")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(diff, dtype=str, keep_default_na=False)
    assert got[["change", "old_ticker", "new_ticker", "key"]].values.tolist() == [
        ["renamed", "NENTB SS", "VPLAYB SS", "renamed_from=NENTB SS"]
    ]
    refreshed = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert refreshed["name_ticker"].tolist() == ["NORDIC ENTERTAINMENT GROUP"]
