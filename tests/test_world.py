"""World model: loading, indexes and lookups, checked against naive loops over the records."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from stdnum import figi as std_figi
from stdnum import isin as std_isin

from tickermap.emulator.world import RESULT_FIELDS, World
from tickermap.errors import InputError
from tickermap.resources import sample_path

ROOT = Path(__file__).resolve().parents[1]
COUNTRY = {
    "US": "US", "LN": "GB", "KS": "KR", "JP": "JP", "HK": "HK", "TT": "TW", "CN": "CA",
    "GR": "DE", "FP": "FR", "AU": "AU", "SS": "SE",
}  # fmt: skip


def _script():
    spec = importlib.util.spec_from_file_location(
        "make_sample_world", ROOT / "scripts" / "make_sample_world.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample_world"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def doc():
    return json.loads(sample_path("world.json").read_text(encoding="utf-8"))


def test_sample_is_marked_synthetic_small_and_regenerable(doc):
    assert doc["synthetic"] is True and "SYNTHETIC" in doc["note"]
    assert sample_path("world.json").stat().st_size < 200_000
    assert "SYNTHETIC" in sample_path("README.md").read_text(encoding="utf-8")
    built = _script().build(7)
    assert built.records == doc["records"]
    lines = sample_path("universe.csv").read_text(encoding="utf-8").splitlines()
    assert lines == ["bloomberg_ticker", *built.universe]


def test_sample_identifiers_are_valid_and_levels_consistent(doc):
    records = doc["records"]
    figis = [r["figi"] for r in records]
    assert len(figis) == len(set(figis))
    composites = {r["figi"]: r for r in records if r["figi"] == r["compositeFIGI"]}
    for r in records:
        assert std_figi.is_valid(r["figi"]) and std_figi.is_valid(r["shareClassFIGI"])
        assert r["compositeFIGI"] in composites
        market = composites[r["compositeFIGI"]]["exchCode"]
        assert all(std_isin.is_valid(i) for i in r["isins"])
        if r["ticker"] != "MPLX":  # the CN/US cross-listing carries its Canadian ISIN
            assert all(i[:2] == COUNTRY[market] for i in r["isins"])
    assert {"KP", "KQ"} <= {r["exchCode"] for r in records}
    assert {"XTAI", "ROCO"} <= {r.get("micCode") for r in records if r["exchCode"] == "TT"}
    assert {c["exchCode"] for c in composites.values()} == set(COUNTRY)


def _naive(records, ticker, exch):
    return [
        r["figi"]
        for r in records
        if r["ticker"] == ticker and r["exchCode"] == exch and not r.get("delisted")
    ]


def test_ticker_lookup_matches_naive_loop(doc, sample_world):
    records = doc["records"]
    universe = sample_path("universe.csv").read_text(encoding="utf-8").splitlines()[1:]
    for bt in universe:
        root, exch = bt.rsplit(" ", 1)
        got = [
            r["figi"]
            for r in sample_world.select(sample_world.find("ticker", root), {"exchCode": exch})
        ]
        assert sorted(got) == sorted(_naive(records, root, exch)), bt
    assert len(_naive(records, "DUAL", "US")) == 2
    assert _naive(records, "OLDN", "US") == [] and _naive(records, "ZZZQ", "US") == []


def test_special_cases(sample_world):
    assert sample_world.find("ticker", "GONE") == []
    gone = [r for r in sample_world.records if r["ticker"] == "GONE"]
    # the sample uses the observed behaviour: a delisted line answers nothing, not even by FIGI
    assert sample_world.delisted_answer == "nothing"
    assert gone and not any(sample_world.find("figi", r["figi"]) for r in gone)
    ruse = sample_world.select(sample_world.find("ticker", "RUSE"), {})
    assert {r["name"] for r in ruse} == {"RUSTIC SEED FOODS INC"}
    mplx = sample_world.select(sample_world.find("ticker", "MPLX"), {})
    assert {r["exchCode"] for r in mplx} >= {"US", "CN"}
    assert len({r["shareClassFIGI"] for r in mplx}) == 1


def test_composite_row_first_and_fields_in_api_order(sample_world):
    # (delisted lines answer nothing in the sample: the observed behaviour)
    for comp in {r["compositeFIGI"] for r in sample_world.records if not r.get("delisted")}:
        rows = sample_world.select(sample_world.find("composite", comp), {})
        assert rows[0]["figi"] == comp and all(r["figi"] != comp for r in rows[1:])
        assert all(tuple(r) == RESULT_FIELDS for r in rows)


def test_filters_mic_currency_and_identifiers(sample_world):
    recs = sample_world.records
    kq = next(r for r in recs if r["exchCode"] == "KQ")
    rows = sample_world.select(sample_world.find("ticker", kq["ticker"]), {"micCode": "XKOS"})
    assert [r["figi"] for r in rows] == [kq["figi"]]
    krw = sample_world.select(sample_world.find("ticker", kq["ticker"]), {"currency": "KRW"})
    assert kq["figi"] in {r["figi"] for r in krw}
    assert sample_world.select(sample_world.find("ticker", kq["ticker"]), {"currency": "USD"}) == []
    ln = next(r for r in recs if r["exchCode"] == "LN")
    assert sample_world.find("sedol", ln["sedols"][0]) == sample_world.find("isin", ln["isins"][0])
    assert (
        sample_world.select(sample_world.find("isin", ln["isins"][0]), {"marketSecDes": "Corp"})
        == []
    )


def test_filter_sorted_by_figi_and_search_matches_naive(doc, sample_world):
    listed = [r for r in doc["records"] if not r.get("delisted")]
    rows = sample_world.filter(None, {"marketSecDes": "Equity"})
    assert [r["figi"] for r in rows] == sorted(r["figi"] for r in listed)
    hits = sample_world.search("maple", {})
    naive = {r["figi"] for r in listed if "MAPLE" in f"{r['name']} {r['ticker']}".upper()}
    assert {r["figi"] for r in hits} == naive and naive


def test_values_derived_or_given():
    world = World.from_records(
        [
            {
                "figi": "BBG000BLNQ16",
                "exchCode": "UN",
                "compositeFIGI": None,
                "marketSector": "Equity",
            }
        ],
        values={"exchCode": ["UN", "US"]},
    )
    assert world.value_list("exchCode") == ["UN", "US"]
    assert world.value_list("marketSecDes") == ["Equity"]
    assert world.value_list("micCode") == ["XNYS"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("{not json", "not valid JSON"), ("[1, 2]", "records"), ('{"records": [{"x": 1}]}', "figi")],
)
def test_load_errors_name_the_file(tmp_path, text, fragment):
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment) as info:
        World.load(path)
    assert "w.json" in str(info.value)


def test_large_world_indexes_every_ticker():
    records = []
    for n in range(5000):
        comp = f"C{n}"
        records.append({"figi": comp, "compositeFIGI": comp, "ticker": f"T{n}", "exchCode": "US"})
        records.append(
            {"figi": f"V{n}", "compositeFIGI": comp, "ticker": f"T{n}", "exchCode": "UN"}
        )
    world = World.from_records(records)
    for n in range(0, 5000, 97):
        rows = world.select(world.find("ticker", f"T{n}"), {})
        assert [r["figi"] for r in rows] == [f"C{n}", f"V{n}"]
