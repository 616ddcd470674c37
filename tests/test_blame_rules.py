"""Which file is wrong (issue 9, item 4): one synthetic cluster per rule of ``blame.py``."""

from __future__ import annotations

import pandas as pd
import pytest

from tickermap import columns as C
from tickermap.maps._groups import name_tokens
from tickermap.reconcile.blame import Finding, blame_listings, roots_collide
from tickermap.reconcile.entities import Listing, listing_fit, listings_for
from tickermap.tickers.exchanges import load_exchanges


def _x(ticker: str, isin: str | None, name: str, source: str, row: int = 2, **kw: str) -> Listing:
    root, code = ticker.split(" ")
    country = load_exchanges()[code].country
    return Listing(
        source=source, source_row=row, witness=kw.get("witness", source), ticker=ticker,
        root=root, code=code, country=country, isin=isin, composite=kw.get("composite"),
        share=kw.get("share"), name=name, tokens=name_tokens(name),
        fit=listing_fit(isin, code, root, country),
    )  # fmt: skip


def _blamed(found: dict[tuple[str, int], Finding]) -> set[tuple[str, int]]:
    return {k for k, f in found.items() if f.blamed}


@pytest.mark.parametrize(
    ("a", "b", "collide"),
    [("ADM", "ADM", True), ("IMPN", "IMP", True), ("TKA1", "TKA", True), ("BN", "BNP", False),
     ("CNTE", "CNC", False), ("BRK/B", "BRKB", True), ("", "ADM", False)],
)  # fmt: skip
def test_roots_collide(a: str, b: str, collide: bool) -> None:
    assert roots_collide(a, b) is collide


def test_fit_crown_dependencies_and_order_book_lines() -> None:
    assert listing_fit("IM00B5VQMV65", "LN", "ENT", "GB") == "home"  # Isle of Man on LSE
    assert listing_fit("LI0355147575", "SW", "LLBN", "CH") == "home"  # Liechtenstein on SIX
    assert listing_fit("IM00B5VQMV65", "AU", "ENT", "AU") == "explained"  # offshore elsewhere
    assert listing_fit("GB00BND88V85", "LN", "0S10", "GB") == "misfit"  # IOB line, GB ISIN
    assert listing_fit("US0378331005", "LN", "0R2V", "GB") == "explained"


def test_same_root_on_a_foreign_venue_is_blamed_an_unrelated_old_name_is_not() -> None:
    admiral = "GB00B02J6398"
    xs = [
        _x("ADM LN", admiral, "ADMIRAL GROUP PLC", "signals"),
        _x("ADM GR", admiral, "ARCHER DANIELS MIDLAND", "fd"),
    ]
    found = blame_listings(xs)
    assert _blamed(found) == {("fd", 2)}
    assert "collides with ADM LN" in (found[("fd", 2)].blamed or "")
    # a German line under an unrelated code keeping the company's old name: a rename, not blamed
    abrdn = "GB00BF8Q6K64"
    ys = [
        _x("ABDN LN", abrdn, "ABRDN PLC", "signals"),
        _x("ABDN LN", abrdn, "abrdn plc", "fd", 3),
        _x("T3V2 GR", abrdn, "STD.LIFE AB.LS-,139682539", "fd"),
    ]
    assert _blamed(blame_listings(ys)) == set()


def test_same_root_on_mexicos_sic_is_expected() -> None:
    petco = "US71601V1052"
    xs = [
        _x("WOOF US", petco, "PET ACQUISITION LLC", "signals"),
        _x("WOOF MF", petco, "Petco Health and Wellness Company", "fd"),
    ]
    assert _blamed(blame_listings(xs)) == set()


def test_numeric_collision_of_a_yahoo_only_row_is_blamed() -> None:
    frame = pd.DataFrame(
        {
            C.BLOOMBERG_TICKER: ["4004 JP", None],
            C.NAME: ["SHOWA DENKO KK", "Dallah Healthcare Company"],
            C.ISIN: ["JP3368000000", "JP3368000000"],
            C.YAHOO: [None, "4004.SR"],
            C.SOURCE: ["signals", "fd/SAU.csv"],
            C.SOURCE_ROW: [2, 7],
        }
    )
    xs = listings_for([frame], {"fd/SAU.csv": "fd"}, {"JP3368000000"})
    sr = next(x for x in xs if x.source == "fd/SAU.csv")
    assert (sr.ticker, sr.root, sr.country, sr.fit) == ("4004.SR", "4004", "SA", "misfit")
    found = blame_listings(xs)
    assert _blamed(found) == {("fd/SAU.csv", 7)}
    assert found[("signals", 2)].wrong_elsewhere  # the right row names the wrong one


def test_one_witness_keeping_old_and_new_ticker_is_a_rename() -> None:
    currys = "GB00B4Y7R145"
    xs = [
        _x("DC/ LN", currys, "DIXONS CARPHONE PLC", "signals"),
        _x("CURY LN", currys, "CURRYS PLC", "signals", 3, composite="BBG000Q94ZV5"),
        _x("CWB GR", currys, "Currys PLC", "fd", share="BBG001T6QPM4"),
    ]
    found = blame_listings(xs)
    assert _blamed(found) == set()
    assert found[("signals", 2)].renamed
    # two witnesses, one line each, on one market: not a rename, and a tie blames nobody
    ys = [xs[0], _x("CURY LN", currys, "CURRYS PLC", "other", composite="BBG000Q94ZV5")]
    found = blame_listings(ys)
    assert _blamed(found) == set() and not found.get(("signals", 2), Finding()).renamed


def test_copied_composite_is_a_rename_unless_outnumbered() -> None:
    asos, comp = "GB0030927254", "BBG000KL72Y1"
    two = [
        _x("ASC LN", asos, "ASOS PLC", "signals", composite=comp),
        _x("ASCL LN", asos, "Ascential plc", "fd", composite=comp),
    ]
    assert _blamed(blame_listings(two)) == set()
    # another witness's German line of ASOS (no ISIN, the same share class) outnumbers it
    german = _x("DYQ GR", None, "ASOS Plc", "other", share="BBG001SJNFF0")
    three = [*two, _x("ASC LN", asos, "ASOS", "other2", 5, share="BBG001SJNFF0"), german]
    assert _blamed(blame_listings(three)) == {("fd", 2)}


def test_misfit_loses_to_a_us_listing_of_a_foreign_issuer() -> None:
    skeena = "CA83056P7157"
    xs = [
        _x("SKE US", skeena, "SKEENA RESOURCES LTD", "signals"),
        _x("SKE TB", skeena, "Sakol Energy Public Company", "fd"),
    ]
    assert _blamed(blame_listings(xs)) == {("fd", 2)}


def test_misfit_line_of_the_isins_own_company_is_not_another_company() -> None:
    abi, share = "BE0974293251", "BBG00DQ4YZ27"
    xs = [
        _x("ABI BB", abi, "ANHEUSER BUSCH INBEV SA NV", "signals", share=share),
        _x("ANH SJ", abi, "Anheuser Busch Inbev SA NV", "fd", share=share),
        _x("ABI US", abi, "SAFETY FIRST TRUST SERIES", "signals", 3),
    ]
    assert _blamed(blame_listings(xs)) == {("signals", 3)}  # ABI US, not the JSE line


def test_same_company_misfit_with_another_securitys_share_class_is_blamed() -> None:
    agnico, home_share = "CA0084741085", "BBG001S77MK3"
    home = _x("AEM CN", agnico, "AGNICO EAGLE MINES", "signals", 3, share=home_share)
    wrong = _x("AEM SP", agnico, "AGNICO EAGLE MINES", "signals", share="BBG001SGJ8Q5")
    found = blame_listings([home, wrong])
    assert _blamed(found) == {("signals", 2)}
    assert "share-class FIGI BBG001SGJ8Q5" in (found[("signals", 2)].blamed or "")
    # the global share class: a real cross-listing
    same = _x("AEM SP", agnico, "AGNICO EAGLE MINES", "signals", share=home_share)
    assert _blamed(blame_listings([home, same])) == set()
    # another witness lists the ISIN on the same market: a real cross-listing too
    local = _x("AEM SP", agnico, "Agnico Eagle Mines", "fd", share=home_share)
    assert _blamed(blame_listings([home, wrong, local])) == set()


def test_reconcile_reports_a_blamed_row_outside_the_universe(tmp_path) -> None:
    from tickermap.config import Settings
    from tickermap.maps.load import load_map
    from tickermap.reconcile.html import render_report
    from tickermap.reconcile.pipeline import reconcile

    (tmp_path / "a.csv").write_text(
        "bloomberg_ticker,name,isin\n4004 JP,SHOWA DENKO KK,JP3368000000\n"
    )
    (tmp_path / "b.csv").write_text(
        "bloomberg_ticker,name,isin,yahoo\n"
        "4004 JP,Showa Denko K.K.,JP3368000000,4004.T\n"
        ",Dallah Healthcare Company,JP3368000000,4004.SR\n"
    )
    maps = [load_map(tmp_path / "a.csv", source="a"), load_map(tmp_path / "b.csv", source="b")]
    universe = pd.DataFrame({"bloomberg_ticker": ["4004 JP"]})
    result = reconcile(universe, maps, settings=Settings(cache_dir=tmp_path / "c"), offline=True)
    blamed = result.stats["blamed_listings"]
    assert isinstance(blamed, list)
    assert [(b["source"], b["source_row"], b["yahoo"]) for b in blamed] == [("b", 3, "4004.SR")]
    assert "b is wrong about 4004.SR" in str(blamed[0]["blamed"])
    assert result.universe["status"].tolist() == ["corroborated"]  # the right ticker stays
    html = render_report(result)
    assert "off-universe" in html and "Dallah Healthcare Company" in html


def test_report_headline_counts_corroborated_rows_as_ok(tmp_path) -> None:
    from tickermap.config import Settings
    from tickermap.maps.load import load_map
    from tickermap.reconcile.html import render_report
    from tickermap.reconcile.pipeline import reconcile

    (tmp_path / "a.csv").write_text(
        "bloomberg_ticker,name,isin\n4004 JP,SHOWA DENKO KK,JP3368000000\nXYZ US,Xyz Corp,\n"
    )
    (tmp_path / "b.csv").write_text(
        "bloomberg_ticker,name,isin\n4004 JP,Showa Denko K.K.,JP3368000000\n"
    )
    maps = [load_map(tmp_path / "a.csv", source="a"), load_map(tmp_path / "b.csv", source="b")]
    universe = pd.DataFrame({"bloomberg_ticker": ["4004 JP", "XYZ US"]})
    result = reconcile(universe, maps, settings=Settings(cache_dir=tmp_path / "c"), offline=True)
    assert result.universe["status"].tolist() == ["corroborated", "unverified"]
    html = render_report(result)
    assert "1 ok</span> (1 of them corroborated offline)" in html
    assert "1 flagged or unverified</span> (0 flagged, 1 unverified)" in html


def test_a_map_without_a_universe_row_is_warned_about(tmp_path, caplog) -> None:
    from tickermap.config import Settings
    from tickermap.maps.load import load_map
    from tickermap.reconcile.pipeline import reconcile

    (tmp_path / "a.csv").write_text("bloomberg_ticker,name,isin\n4004 JP,SHOWA DENKO KK,\n")
    (tmp_path / "b.csv").write_text("bloomberg_ticker,name,isin\nVOD LN,Vodafone Group,\n")
    maps = [load_map(tmp_path / "a.csv", source="a"), load_map(tmp_path / "b.csv", source="b")]
    universe = pd.DataFrame({"bloomberg_ticker": ["4004 JP"]})
    with caplog.at_level("WARNING", logger="tickermap.reconcile.pipeline"):
        reconcile(universe, maps, settings=Settings(cache_dir=tmp_path / "c"), offline=True)
    silent = [r.getMessage() for r in caplog.records if "no row for any ticker" in r.getMessage()]
    assert len(silent) == 1 and silent[0].startswith("map b (1 rows)")
