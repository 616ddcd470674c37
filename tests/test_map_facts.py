"""maps.facts: the typed per-row facts behind validate, checked against validate's findings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tickermap.maps.facts import isin_country_facts, map_facts, name_spread_facts
from tickermap.maps.load import LoadedMap, load_map
from tickermap.maps.validate import validate_map
from tickermap.reasons import Reason
from tickermap.reconcile.local_evidence import local_evidence
from tickermap.tickers.exchanges import load_exchanges
from tickermap.tickers.parse import exchange_code

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def loaded() -> LoadedMap:
    return load_map(DATA / "validate_map.csv")


def _rows(findings: pd.DataFrame, kind: str) -> list[int]:
    return sorted(int(r) for r in findings.loc[findings["finding"] == kind, "source_row"])


def test_country_facts_are_validates_country_findings(loaded: LoadedMap) -> None:
    findings = validate_map(loaded).findings
    facts = isin_country_facts(map_facts(loaded))
    assert facts, "the test map has ISIN country findings"
    assert sorted(f.source_row for f in facts if f.explainable) == _rows(
        findings, "isin_country_explainable"
    )
    assert sorted(f.source_row for f in facts if not f.explainable) == _rows(
        findings, "isin_country_mismatch"
    )
    by_row = {int(r["source_row"]): r for r in findings.to_dict("records")
              if str(r["finding"]).startswith("isin_country")}  # fmt: skip
    for f in facts:
        rec = by_row[f.source_row]
        assert (rec["detail"], rec["evidence"]) == (f.detail, f.evidence)
        assert f.collision == (rec["severity"] == "error")


def test_name_spread_facts_are_validates_findings(loaded: LoadedMap) -> None:
    findings = validate_map(loaded).findings
    facts = name_spread_facts(map_facts(loaded))
    assert facts, "the test map has the KYUNG NONG CORP rows"
    assert sorted(f.source_row for f in facts) == _rows(findings, "name_on_many_tickers")


def test_listing_country_is_the_exchange_tables(loaded: LoadedMap) -> None:
    facts = map_facts(loaded)
    exchanges = load_exchanges()
    for ticker, country in zip(
        facts.frame["bloomberg_ticker"], facts.frame["_country"], strict=True
    ):
        code = exchange_code(ticker)
        expected = exchanges[code].country if code in exchanges else None
        assert (None if pd.isna(country) else country) == expected, ticker


def test_local_evidence_reads_the_facts(loaded: LoadedMap) -> None:
    facts = map_facts(loaded)
    local = local_evidence([loaded])
    for f in isin_country_facts(facts):
        ev = local[(loaded.source, f.source_row)]
        assert ev.country_level == ("offshore" if f.explainable else "implausible")
        if f.collision:
            assert ev.reasons[Reason.ISIN_CONFLICT] == f"{f.detail} ({f.evidence})"
    for s in name_spread_facts(facts):
        assert Reason.NAME_CONFLICT in local[(loaded.source, s.source_row)].reasons


def test_exchange_code() -> None:
    assert exchange_code("AAPL US") == "US"
    assert exchange_code("brk/b  us Equity") == "US"
    assert exchange_code("MCOV B SS") == "SS"
    assert exchange_code("FOO ZZ") == "ZZ"  # unknown code: the token as written
    assert exchange_code("1538") is None
    assert exchange_code(None) is None
