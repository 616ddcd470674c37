"""Witness consensus: the per-field vote, which file is wrong, offline corroboration (issue 9)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from tests.test_verdicts import KEY, Company, isin, only_row, reconcile_with, write_map
from tickermap.config import Settings
from tickermap.emulator.world import World
from tickermap.maps._groups import name_tokens
from tickermap.maps.load import load_map
from tickermap.reconcile.blame import blame_listings
from tickermap.reconcile.consensus import OFFLINE_CAP, OPENFIGI, fit_reliabilities
from tickermap.reconcile.entities import Listing, listing_fit
from tickermap.reconcile.pipeline import reconcile


def _listing(ticker: str, isin_: str, name: str, source: str, row: int = 2, **kw: str) -> Listing:
    root, code = ticker.split(" ")
    from tickermap.tickers.exchanges import load_exchanges

    country = load_exchanges()[code].country
    return Listing(
        source=source, source_row=row, witness=kw.get("witness", source), ticker=ticker,
        root=root, code=code, country=country, isin=isin_, composite=kw.get("composite"),
        share=kw.get("share"), name=name, tokens=name_tokens(name),
        fit=listing_fit(isin_, code, root, country),
    )  # fmt: skip


def test_second_map_with_a_wrong_isin_does_not_sink_the_ticker(make_emulator, tmp_path: Path):
    a = Company("ALPHA WIDGETS INC", "ABC")
    emu = make_emulator(world=World.from_records(a.records()), api_keys=[KEY])
    other = isin("US")
    maps = [
        load_map(write_map(tmp_path / "a.csv", [a.row()]), source="map_a"),
        load_map(write_map(tmp_path / "b.csv", [a.row(isin=other)]), source="map_b"),
    ]
    result = reconcile_with(emu, tmp_path, maps, ["ABC US"])
    row = only_row(result, "ABC US")
    assert row["status"] == "ok"  # was isin_conflict before the vote
    assert row["isin"] == a.isin
    assert "outvoted" in row["reasons"].split(";")
    review = result.review.set_index("source")
    assert set(review.loc["map_b", "reasons"].split(";")) >= {"isin_conflict", "outvoted"}
    assert review.loc["map_a", "reasons"] == "ok"
    detail = json.loads(review.loc["map_b", "details"])["outvoted"]
    assert f"isin {other} outvoted by {a.isin}" in detail
    assert "map_a" in detail and OPENFIGI in detail
    assert result.stats["witnesses"]["map_b"]["outvoted"] == 1


def _offline(tmp_path: Path, maps: list) -> pd.DataFrame:
    universe = pd.DataFrame({"bloomberg_ticker": ["ABC US"]})
    settings = Settings(cache_dir=tmp_path / "cache")
    return reconcile(universe, maps, settings=settings, offline=True).universe


def test_offline_two_independent_witnesses_corroborate(tmp_path: Path) -> None:
    a = Company("ALPHA WIDGETS INC", "ABC")
    one = [load_map(write_map(tmp_path / "a.csv", [a.row()]), source="map_a")]
    assert _offline(tmp_path, one)["status"].tolist() == ["unverified"]
    # the second witness lists the company on a German venue with its US ISIN
    german = a.row(bloomberg_ticker="AB1 GR", figi=None, composite_figi=None)
    two = [*one, load_map(write_map(tmp_path / "b.csv", [german]), source="map_b")]
    got = _offline(tmp_path, two).iloc[0]
    assert got["status"] == "corroborated"
    assert 0 < got["confidence"] <= OFFLINE_CAP
    assert "AB1 GR" in got["evidence"]


def test_offline_disagreeing_names_on_one_isin_stay_unverified(tmp_path: Path) -> None:
    a = Company("ALPHA WIDGETS INC", "ABC")
    german = a.row(bloomberg_ticker="AB1 GR", name_ticker="ZETA MINING", figi=None,
                   composite_figi=None, share_class_figi=None)  # fmt: skip
    maps = [
        load_map(write_map(tmp_path / "a.csv", [a.row()]), source="map_a"),
        load_map(write_map(tmp_path / "b.csv", [german]), source="map_b"),
    ]
    assert _offline(tmp_path, maps)["status"].tolist() == ["unverified"]


def test_misfit_listing_is_the_wrong_file() -> None:
    danone = "FR0000120644"
    xs = [
        _listing("BN CN", danone, "BROOKFIELD CORPORATION", "signals"),
        _listing("BN FP", danone, "DANONE", "fd", 3),
        _listing("BSN GR", danone, "DANONE SA", "fd", 4),
    ]
    found = blame_listings(xs)
    assert found[("signals", 2)].blamed is not None
    assert "signals is wrong about BN CN" in (found[("signals", 2)].blamed or "")
    assert found[("fd", 3)].blamed is None and found[("fd", 3)].wrong_elsewhere
    assert found[("fd", 3)].corroborated_by == []  # same witness: no corroboration


def test_rename_on_the_same_line_is_not_blamed() -> None:
    bermuda = "BMG8165B1028"
    xs = [
        _listing("1168 HK", bermuda, "SINOLINK WORLDWIDE HOLDINGS", "signals"),
        _listing("1168 HK", bermuda, "Z Fin Limited", "fd"),
    ]
    found = blame_listings(xs)
    assert all(f.blamed is None for f in found.values())
    assert found[("signals", 2)].renamed


def test_outnumbered_home_listing_is_blamed_and_a_tie_is_not() -> None:
    asos = "GB0030927254"
    two = [
        _listing("ASC LN", asos, "ASOS PLC", "signals"),
        _listing("ASCL LN", asos, "Ascential plc", "fd"),
    ]
    assert all(f.blamed is None for f in blame_listings(two).values())
    three = [*two, _listing("AS1 GR", asos, "ASOS PLC", "other")]
    found = blame_listings(three)
    assert found[("fd", 2)].blamed is not None
    assert found[("signals", 2)].blamed is None
    assert [w for w, _ in found[("signals", 2)].corroborated_by] == ["other"]


def test_same_company_on_the_wrong_market_needs_a_third_witness() -> None:
    agnico = "CA0084741085"
    xs = [
        _listing("AEM SP", agnico, "AGNICO EAGLE MINES", "signals"),
        _listing("AEM CN", agnico, "AGNICO EAGLE MINES", "signals", 3),
    ]
    assert (
        blame_listings(xs).get(("signals", 2)) is None
        or not blame_listings(xs)[("signals", 2)].blamed
    )
    local = _listing("AEM SP", "SG1BA1000003", "AEM HOLDINGS", "fd")
    found = blame_listings([*xs, local])
    assert found[("signals", 2)].blamed is not None


def test_numeric_collision_across_markets_is_blamed() -> None:
    tw = "TW0002395001"
    xs = [
        _listing("2395 JP", tw, "ADVANTECH CO LTD", "fd"),
        _listing("2395 TT", tw, "ADVANTECH CO", "signals"),
        _listing("2395 JP", "JP3000000001", "SOME JAPANESE CO", "signals", 3),
    ]
    found = blame_listings(xs)
    assert found[("fd", 2)].blamed is not None


def test_reliabilities_single_out_a_witness_that_disagrees_with_everyone() -> None:
    items = []
    for i in range(40):
        truth = f"V{i}"
        items.append(("T", "isin", [("a", truth, None), ("b", truth, None), ("c", f"X{i}", None)]))
    rel = fit_reliabilities(items, {})
    assert rel["a"][0] > 0.9 and rel["b"][0] > 0.9
    assert rel["c"][0] < 0.5 and rel["c"][1] == 40


def test_unreliable_witness_is_a_warning_not_an_error(tmp_path: Path, caplog) -> None:
    companies = [Company(f"COMPANY {i} INC", f"C{i}") for i in range(25)]
    good = [c.row() for c in companies]
    bad = [c.row(isin=isin("US"), share_class_figi=None) for c in companies]
    maps = [
        load_map(write_map(tmp_path / "a.csv", good), source="map_a"),
        load_map(write_map(tmp_path / "b.csv", good), source="map_b"),
        load_map(write_map(tmp_path / "c.csv", bad), source="map_c"),
    ]
    universe = pd.DataFrame({"bloomberg_ticker": [f"C{i} US" for i in range(25)]})
    with caplog.at_level(logging.WARNING):
        result = reconcile(
            universe, maps, settings=Settings(cache_dir=tmp_path / "c"), offline=True
        )
    assert result.stats["unreliable_witnesses"] == ["map_c"]
    assert any("map_c" in r.message and "unreliable" in r.message for r in caplog.records)
    # map_c is outvoted on every ticker, which stays corroborated by the other two
    assert set(result.universe["status"]) == {"corroborated"}
    # nothing map_c said is lost: its ISINs stay in the review
    review = result.review[result.review["source"] == "map_c"]
    assert set(review["isin"]) == {r["isin"] for r in bad}
    assert set(review["status"]) == {"outvoted"}


@pytest.mark.parametrize(
    ("isin_", "ticker", "fit"),
    [
        ("US0378331005", "AAPL US", "home"),
        ("US0378331005", "APC GR", "explained"),
        ("KYG8701T1388", "1070 HK", "explained"),
        ("GB0006731235", "ABF US", "us_foreign"),
        ("US0235861004", "AUK AU", "misfit"),
        ("ES0132105018", "0OIQ LN", "explained"),
        (None, "AAPL US", "unknown"),
    ],
)
def test_listing_fit(isin_: str | None, ticker: str, fit: str) -> None:
    root, code = ticker.split(" ")
    from tickermap.tickers.exchanges import load_exchanges

    assert listing_fit(isin_, code, root, load_exchanges()[code].country) == fit
