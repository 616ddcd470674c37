"""Offline coverage (issue 9): corroboration by ticker+name, disputes, links by name + market."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.test_verdicts import Company, isin, write_map
from tickermap import columns as C
from tickermap.config import Settings
from tickermap.maps.load import LoadedMap, load_map
from tickermap.reasons import Reason
from tickermap.reconcile.consensus import OFFLINE_CAP
from tickermap.reconcile.corroborate import NAME_CAP, check_names, same_company
from tickermap.reconcile.linking import link_by_name
from tickermap.reconcile.pipeline import reconcile
from tickermap.reconcile.records import Claim, Verdict
from tickermap.reconcile.suspicion import Score


def _run(tmp_path: Path, maps: list[LoadedMap], tickers: list[str]) -> pd.DataFrame:
    universe = pd.DataFrame({"bloomberg_ticker": tickers})
    settings = Settings(cache_dir=tmp_path / "cache")
    return reconcile(universe, maps, settings=settings, offline=True).universe


def _map(tmp_path: Path, name: str, rows: list[dict[str, Any]]) -> LoadedMap:
    return load_map(write_map(tmp_path / f"{name}.csv", rows), source=name)


def _names_only(ticker: str, name: str) -> dict[str, Any]:
    return {"bloomberg_ticker": ticker, "name_ticker": name}


def _details(row: pd.Series, source: str) -> dict[str, str]:
    evidence = json.loads(row["evidence"])
    key = next(k for k in evidence if k.startswith(source + ":"))
    details: dict[str, str] = evidence[key]["details"]
    return details


def test_same_ticker_same_company_corroborates_on_name(tmp_path: Path) -> None:
    a = Company("ALPHA WIDGETS INC", "ABC")
    maps = [_map(tmp_path, "map_a", [a.row()]),
            _map(tmp_path, "map_b", [_names_only("ABC US", "Alpha Widgets, Inc.")])]  # fmt: skip
    row = _run(tmp_path, maps, ["ABC US"]).iloc[0]
    assert row["status"] == "corroborated"
    assert 0 < row["confidence"] <= NAME_CAP < OFFLINE_CAP
    detail = _details(row, "map_a")["corroborated"]
    assert detail.startswith("on ticker+name:") and "map_b:2" in detail
    assert row["isin"] == a.isin  # the keys are map_a's


def test_identifier_agreement_names_its_fields_and_outranks_a_name(tmp_path: Path) -> None:
    a = Company("ALPHA WIDGETS INC", "ABC")
    other = a.row(figi=None, composite_figi=None, share_class_figi=None)
    maps = [_map(tmp_path, "map_a", [a.row()]), _map(tmp_path, "map_b", [other])]
    row = _run(tmp_path, maps, ["ABC US"]).iloc[0]
    assert row["status"] == "corroborated"
    assert NAME_CAP < row["confidence"] <= OFFLINE_CAP
    assert _details(row, "map_a")["corroborated"].startswith("on isin:")


def test_same_ticker_other_company_does_not_corroborate(tmp_path: Path) -> None:
    a = Company("ALPHA WIDGETS INC", "ABC")
    maps = [_map(tmp_path, "map_a", [a.row()]),
            _map(tmp_path, "map_b", [_names_only("ABC US", "Zeta Mining Corp")])]  # fmt: skip
    row = _run(tmp_path, maps, ["ABC US"]).iloc[0]
    assert row["status"] == "unverified"
    detail = _details(row, "map_a")["unverified"]
    assert "map_b:2 lists ABC US as 'Zeta Mining Corp', another company" in detail


def test_a_witness_without_names_corroborates_nothing(tmp_path: Path) -> None:
    a = Company("ALPHA WIDGETS INC", "ABC")
    yahoo_only = {"bloomberg_ticker": "ABC US", "yahoo": "ABC"}
    path = tmp_path / "y.csv"
    pd.DataFrame([yahoo_only]).to_csv(path, index=False)
    maps = [_map(tmp_path, "map_a", [a.row()]), load_map(path, source="yahoo_map")]
    assert _run(tmp_path, maps, ["ABC US"])["status"].tolist() == ["unverified"]


def test_two_witnesses_with_different_isins_are_disputed(tmp_path: Path) -> None:
    a = Company("ALPHA WIDGETS INC", "ABC")
    other = isin("US")
    maps = [_map(tmp_path, "map_a", [a.row()]),
            _map(tmp_path, "map_b", [a.row(isin=other, figi=None, composite_figi=None,
                                           share_class_figi=None)])]  # fmt: skip
    row = _run(tmp_path, maps, ["ABC US"]).iloc[0]
    assert row["status"] == "disputed"  # not "nothing contradicts the claim"
    assert row["confidence"] <= 0.2
    for source in ("map_a", "map_b"):
        detail = _details(row, source)["disputed"]
        assert a.isin in detail and other in detail and "cannot decide" in detail


def test_a_third_witness_settles_the_dispute(tmp_path: Path) -> None:
    a = Company("ALPHA WIDGETS INC", "ABC")
    bare = {"figi": None, "composite_figi": None, "share_class_figi": None}
    maps = [_map(tmp_path, "map_a", [a.row()]),
            _map(tmp_path, "map_b", [a.row(isin=isin("US"), **bare)]),
            _map(tmp_path, "map_c", [a.row(**bare)])]  # fmt: skip
    row = _run(tmp_path, maps, ["ABC US"]).iloc[0]
    assert row["status"] == "corroborated"
    assert "outvoted" in row["reasons"].split(";")


def _verdict(ticker: str, source: str, name: str, **ids: str) -> Verdict:
    claim = Claim(ticker=ticker, source=source, source_row=2, name=name, **ids)
    return Verdict(
        claim=claim, reasons=(Reason.UNVERIFIED,), details={}, score=Score(0.0, 0.5, 0.0, {})
    )


def test_claims_of_one_witness_or_linked_claims_do_not_corroborate() -> None:
    a = _verdict("ABC GR", "fd/GER.csv", "ALPHA WIDGETS")
    b = _verdict("ABC GR", "fd/BER.csv", "Alpha Widgets AG")
    c = _verdict("ABC GR", "signals", "ALPHA WIDGETS AG")
    one = {"fd/GER.csv": "fd", "fd/BER.csv": "fd", "signals": "signals"}
    got = check_names([a, b], one)
    assert got.agreed == {} and got.conflicts == {}  # the same witness twice
    got = check_names([a, c], one)
    assert got.corroborates(("signals", 2)) and got.corroborates(("fd/GER.csv", 2))
    got = check_names([a, c], one, linked={("fd/GER.csv", 2)})
    assert got.agreed == {}  # the name was the link: it says nothing more


def test_names_with_a_contradicting_identifier_do_not_corroborate() -> None:
    a = _verdict("ABC US", "m1", "ALPHA WIDGETS", isin="US0000000001")
    b = _verdict("ABC US", "m2", "Alpha Widgets", isin="US0000000002")
    assert check_names([a, b], {}).agreed == {}


@pytest.mark.parametrize(
    ("a", "b", "level", "same"),
    [
        ("GCLPOLY ENERGY HOLDINGS LTD", "GCL-Poly Energy Holdings Limited", "mismatch", True),
        ("HANA TOUR", "Hanatour Service Inc.", "mismatch", True),
        ("ASAHI DIAMOND IND CO LTD", "Asahi Diamond Industrial Co Ltd", "weak", True),
        ("ELECTROLUX AB SERIES B", "AB Electrolux (publ)", "weak", True),
        ("SECURITY MATTERS LTD", "Strata Minerals Limited", "mismatch", False),
        ("AISIN SEIKI LTD", "Aisin Corporation", "weak", False),  # a rename: not the same name
        ("ABC", "ABC Widgets", "weak", False),  # too short to rest on
        ("ALPHA", "Alpha", "no_evidence", False),
    ],
)
def test_same_company(a: str, b: str, level: str, same: bool) -> None:
    assert same_company(a, b, level) is same


def _fd_like(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in (C.BLOOMBERG_TICKER, C.NAME, C.ISIN, C.COMPOSITE_FIGI, C.YAHOO):
        if col not in frame:
            frame[col] = pd.NA
    frame[C.SOURCE] = "fd/KLS.csv"
    frame[C.SOURCE_ROW] = range(2, len(frame) + 2)
    return frame


def test_link_by_name_and_market_is_one_to_one() -> None:
    signals = pd.DataFrame(
        {
            C.BLOOMBERG_TICKER: ["AXIATA MK", "MAYBANK MK", "TWIN MK", "TWIN2 MK", "AXI SP"],
            C.NAME: [
                "AXIATA GROUP BHD",
                "MALAYAN BANKING",
                "TWIN PEAKS BHD",
                "TWIN PEAKS BHD",
                "AXIATA GROUP BHD",
            ],
            C.SOURCE: "signals",
            C.SOURCE_ROW: range(2, 7),
        }
    )
    fd = _fd_like(
        [
            {C.NAME: "Axiata Group Berhad", C.YAHOO: "6888.KL", C.COMPOSITE_FIGI: "BBG000X"},
            {C.NAME: "Twin Peaks Berhad", C.YAHOO: "1111.KL"},
            {C.NAME: "Malayan Banking Berhad", C.YAHOO: "1155.KL", C.BLOOMBERG_TICKER: "X MK"},
            {C.NAME: "Unrelated Plantations Berhad", C.YAHOO: "2222.KL"},
        ]
    )
    witness_of = {"signals": "signals", "fd/KLS.csv": "fd"}
    tickers = list(signals[C.BLOOMBERG_TICKER])
    frames, links = link_by_name([signals, fd], witness_of, tickers)
    linked = frames[1]
    assert linked.loc[0, C.BLOOMBERG_TICKER] == "AXIATA MK"  # same market only: not AXI SP
    assert pd.isna(linked.loc[1, C.BLOOMBERG_TICKER])  # two tickers name it: not one-to-one
    assert linked.loc[2, C.BLOOMBERG_TICKER] == "X MK"  # a listing with a ticker is kept
    assert pd.isna(linked.loc[3, C.BLOOMBERG_TICKER])
    assert list(links) == [("fd/KLS.csv", 2)]
    assert "6888.KL" in links[("fd/KLS.csv", 2)] and "AXIATA MK" in links[("fd/KLS.csv", 2)]
    assert frames[0] is signals and fd[C.BLOOMBERG_TICKER].isna().sum() == 3  # inputs untouched


def test_a_linked_listing_corroborates_by_identifier_not_by_name(tmp_path: Path) -> None:
    a = Company("AXIATA GROUP BHD", "AXIATA", exch="MK", country="MY")
    folder = tmp_path / "fd"
    folder.mkdir()
    header = ("symbol,name,currency,exchange,mic,country,isin,cusip,figi,composite_figi,"
              "shareclass_figi,delisted")  # fmt: skip
    line = f"6888.KL,Axiata Group Berhad,MYR,KLS,XKLS,Malaysia,,,,{a.composite},,False"
    other = "5555.KL,Other Axiata Group Berhad,MYR,KLS,XKLS,Malaysia,,,,,,False"
    (folder / "KLS.csv").write_text(f"{header}\n{line}\n{other}\n", encoding="utf-8")
    maps = [_map(tmp_path, "signals", [a.row()]), load_map(folder, source="fd")]
    row = _run(tmp_path, maps, ["AXIATA MK"]).iloc[0]
    assert row["status"] == "corroborated"
    assert _details(row, "signals")["corroborated"].startswith("on composite_figi")
    assert "linked by name + market" in _details(row, "fd")["corroborated"]
    assert row["yahoo"] == "6888.KL"
    # without the FIGI the link alone corroborates nothing
    (folder / "KLS.csv").write_text(f"{header}\n{line.replace(a.composite, '')}\n",
                                    encoding="utf-8")  # fmt: skip
    maps = [_map(tmp_path, "signals", [a.row()]), load_map(folder, source="fd")]
    assert _run(tmp_path, maps, ["AXIATA MK"])["status"].tolist() == ["unverified"]
