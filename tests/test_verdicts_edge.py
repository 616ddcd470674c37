"""verdicts edge cases: venue FIGIs, the figi column, weak evidence, odd tickers and file names.

Each test builds a tiny world (``World.from_records``) served by a real emulator, like
``tests/test_verdicts.py`` whose helpers it reuses; expectations follow from how the world was
built, not from running the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.test_verdicts import (
    KEY,
    SCALE,
    Company,
    figi,
    only_row,
    rec,
    reconcile_with,
    run_case,
    write_map,
)
from tickermap.config import Settings
from tickermap.emulator.world import World
from tickermap.maps.load import load_map
from tickermap.reconcile.pipeline import reconcile_files


def _alpha() -> Company:
    return Company("ALPHA WIDGETS INC", "ABC")


def _gamma() -> Company:
    return Company("GAMMA FOODS CORP", "XYZ")


def _reasons(row: dict[str, Any]) -> list[str]:
    return str(row["reasons"]).split(";")


def _empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and pd.isna(value))


def _entries(row: dict[str, Any]) -> dict[str, Any]:
    evidence: dict[str, Any] = json.loads(row["evidence"])
    return evidence


# 1 -- a venue FIGI in the figi column is the listing's own, not a wrong listing ------------------


def test_venue_figi_in_figi_column_with_right_composite_is_ok(
    make_emulator, tmp_path: Path
) -> None:
    a = _alpha()
    row = a.row(figi=a.venue)  # the UN venue row of ABC's US composite
    result, _ = run_case(make_emulator, tmp_path, a.records(), [row], ["ABC US"])
    got = only_row(result, "ABC US")
    assert got["status"] == "ok", (got["reasons"], got["evidence"])
    assert got["composite_figi"] == a.composite


def test_venue_figi_without_composite_is_not_wrong_listing(make_emulator, tmp_path: Path) -> None:
    a = _alpha()
    row = a.row(figi=a.venue, composite_figi=None)
    result, _ = run_case(make_emulator, tmp_path, a.records(), [row], ["ABC US"])
    got = only_row(result, "ABC US")
    assert "wrong_listing" not in _reasons(got), (got["reasons"], got["evidence"])
    assert got["status"] == "ok" or "venue" in got["evidence"].lower(), got["evidence"]


# 2 -- a venue FIGI in the composite_figi column is a wrong listing -------------------------------


def test_venue_figi_in_composite_column_is_wrong_listing(make_emulator, tmp_path: Path) -> None:
    a = _alpha()
    # The ISIN is right, so a second key agrees with the ticker on ABC's real composite.
    row = a.row(composite_figi=a.venue, figi=a.venue)
    result, _ = run_case(make_emulator, tmp_path, a.records(), [row], ["ABC US"])
    got = only_row(result, "ABC US")
    assert "wrong_listing" in _reasons(got), (got["reasons"], got["evidence"])
    (entry,) = _entries(got).values()
    assert "wrong_listing" in entry["reasons"]
    assert a.composite in json.dumps(entry["details"]), entry["details"]
    assert got["suggested_composite_figi"] == a.composite


# 3 -- the figi column is checked too -------------------------------------------------------------


def test_figi_column_of_another_company_is_flagged(make_emulator, tmp_path: Path) -> None:
    a, g = _alpha(), _gamma()
    row = a.row(figi=g.composite)  # composite_figi stays ABC's own
    result, _ = run_case(make_emulator, tmp_path, a.records() + g.records(), [row], ["ABC US"])
    got = only_row(result, "ABC US")
    assert "figi_other_security" in _reasons(got), (got["reasons"], got["evidence"])
    assert g.composite in got["evidence"]


# 4 -- an ambiguous ticker is not an ISIN conflict ------------------------------------------------


def test_ambiguous_ticker_with_right_isin_is_not_isin_conflict(
    make_emulator, tmp_path: Path
) -> None:
    a = _alpha()
    twin = Company("ALPHA WIDGETS INC PFD", "ABC")
    row = {"bloomberg_ticker": "ABC US", "name_ticker": a.name, "isin": a.isin}
    result, _ = run_case(make_emulator, tmp_path, a.records() + twin.records(), [row], ["ABC US"])
    got = only_row(result, "ABC US")
    assert "ambiguous" in _reasons(got), (got["reasons"], got["evidence"])
    assert "isin_conflict" not in _reasons(got), (got["reasons"], got["evidence"])


# 5 -- no reference is not a conflict -------------------------------------------------------------


def test_unknown_ticker_with_only_an_isin_is_not_isin_conflict(
    make_emulator, tmp_path: Path
) -> None:
    a = _alpha()
    # The ISIN's owner trades in London, not under another ticker on the claimed exchange.
    vod = Company("VODAFONE GROUP PLC", "VOD", exch="LN", country="GB")
    row = {"bloomberg_ticker": "QQQQ US", "isin": vod.isin}
    result, _ = run_case(
        make_emulator, tmp_path, a.records() + vod.records(), [row], ["ABC US", "QQQQ US"]
    )
    got = only_row(result, "QQQQ US")
    assert got["status"] != "ok", got
    assert "isin_conflict" not in _reasons(got), (got["reasons"], got["evidence"])


# 6 -- renamed needs evidence beyond a bare FIGI --------------------------------------------------


@pytest.mark.parametrize("same_name", [False, True])
def test_renamed_needs_a_matching_name(same_name: bool, make_emulator, tmp_path: Path) -> None:
    g = _gamma()  # trades as XYZ US; ZZZ US is not in the world
    name = g.name if same_name else "ZETA MINING CORP"
    row = {"bloomberg_ticker": "ZZZ US", "name_ticker": name, "composite_figi": g.composite}
    result, _ = run_case(make_emulator, tmp_path, g.records(), [row], ["ZZZ US"])
    got = only_row(result, "ZZZ US")
    if same_name:
        assert "renamed" in _reasons(got), (got["reasons"], got["evidence"])
    else:
        assert "renamed" not in _reasons(got), (got["reasons"], got["evidence"])
        assert "figi_other_security" in _reasons(got), (got["reasons"], got["evidence"])
        # Gamma's composite is not adopted as ZZZ's join key.
        assert _empty(got["composite_figi"]), got["composite_figi"]


# 7 -- Korean tickers with the A prefix ------------------------------------------------------------


def test_korean_a_prefix_ticker_uses_the_map_claim(make_emulator, tmp_path: Path) -> None:
    samsung = Company("SAMSUNG ELECTRONICS CO LTD", "005930", exch="KS", country="KR")
    result, _ = run_case(
        make_emulator,
        tmp_path,
        samsung.records(),
        [samsung.row("A005930 KS")],
        ["A005930 KS"],
    )
    assert len(result.universe) == 1
    got = result.universe.iloc[0].to_dict()
    assert "map_a:" in got["sources"], got["sources"]
    claimed = [e["claimed"] for e in _entries(got).values()]
    assert [c.get("composite_figi") for c in claimed] == [samsung.composite], claimed
    assert got["composite_figi"] == samsung.composite


# 8 -- two map files with the same base name ------------------------------------------------------


def test_same_file_name_in_two_folders_keeps_both_witnesses(make_emulator, tmp_path: Path) -> None:
    a = _alpha()
    emu = make_emulator(world=World.from_records(a.records()), api_keys=[KEY], time_scale=SCALE)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = write_map(tmp_path / "one" / "map.csv", [a.row()])
    second = write_map(tmp_path / "two" / "map.csv", [a.row(figi=None, share_class_figi=None)])
    universe = tmp_path / "universe.csv"
    pd.DataFrame({"bloomberg_ticker": ["ABC US"]}).to_csv(universe, index=False)
    settings = Settings(
        api_key=KEY, openfigi_url=emu.url, cache_dir=tmp_path / "cache", timeout=5.0
    )
    outputs = reconcile_files(universe, [first, second], tmp_path / "out.csv", settings=settings)
    got = only_row(outputs.result, "ABC US")
    assert len(_entries(got)) == 2, got["evidence"]
    witnesses = [s for s in got["sources"].split(",") if not s.startswith("openfigi=")]
    assert len(witnesses) == 2 and len(set(witnesses)) == 2, got["sources"]


# 9 -- a share class claimed without any FIGI is still checked ------------------------------------


def test_share_class_without_figi_is_checked(make_emulator, tmp_path: Path) -> None:
    a = _alpha()
    class_b, share_b = figi(), figi()
    world = [
        *a.records(),
        rec(class_b, name=a.name, ticker="ABC/B", exch="US", share=share_b, isins=[]),
    ]
    row = a.row(figi=None, composite_figi=None, share_class_figi=share_b)
    result, _ = run_case(make_emulator, tmp_path, world, [row], ["ABC US"])
    got = only_row(result, "ABC US")
    assert "wrong_share_class" in _reasons(got), (got["reasons"], got["evidence"])
    assert share_b in got["evidence"]


# 10 -- an empty ticker cell ----------------------------------------------------------------------


@pytest.mark.parametrize("blank", [None, "", float("nan")], ids=["none", "empty", "nan"])
def test_empty_ticker_cell_is_invalid_not_nan(blank: object, make_emulator, tmp_path: Path) -> None:
    a = _alpha()
    emu = make_emulator(world=World.from_records(a.records()), api_keys=[KEY], time_scale=SCALE)
    maps = [load_map(write_map(tmp_path / "map_a.csv", [a.row()]), source="map_a")]
    result = reconcile_with(emu, tmp_path, maps, ["ABC US", blank])  # type: ignore[list-item]
    assert len(result.universe) == 2
    got = result.universe.iloc[1].to_dict()
    assert got["bloomberg_ticker"] == "", got["bloomberg_ticker"]
    assert got["status"] == "invalid_ticker", got
    assert result.universe.iloc[0]["status"] == "ok"


# 11 -- disagreements name the witness OpenFIGI agrees with ---------------------------------------


def test_disagreement_names_the_agreeing_witness(make_emulator, tmp_path: Path) -> None:
    a, g = _alpha(), _gamma()
    emu = make_emulator(
        world=World.from_records(a.records() + g.records()), api_keys=[KEY], time_scale=SCALE
    )
    wrong = a.row(composite_figi=g.composite, figi=g.composite, share_class_figi=g.share)
    maps = [
        load_map(write_map(tmp_path / "wrong.csv", [wrong]), source="wrong_map"),
        load_map(write_map(tmp_path / "right.csv", [a.row()]), source="right_map"),
    ]
    result = reconcile_with(emu, tmp_path, maps, ["ABC US"])
    dis = result.disagreements
    assert "agreeing" in dis.columns, list(dis.columns)
    comp = dis[(dis["bloomberg_ticker"] == "ABC US") & (dis["field"] == "composite_figi")]
    assert len(comp) == 1, dis
    agreeing = str(comp["agreeing"].iloc[0])
    assert "right_map" in agreeing and "wrong_map" not in agreeing, agreeing
