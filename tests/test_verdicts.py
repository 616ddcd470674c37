"""verdicts: one hand-built world per reason code, served by a real emulator, judged end to end.

Each case is a tiny synthetic world (``World.from_records``) plus a one-row community map; the
expected reason follows from how the world was built, not from running the code under test.
Helpers here (``figi``, ``isin``, ``rec``, ``run_case``) are reused by the other reconcile tests.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from stdnum import cusip as std_cusip
from stdnum import figi as std_figi
from stdnum import isin as std_isin

from tickermap.config import Settings
from tickermap.emulator.server import Emulator
from tickermap.emulator.world import World
from tickermap.identifiers import FIGI_ALPHABET
from tickermap.maps.load import LoadedMap, load_map
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.client import OpenFigiClient
from tickermap.reconcile.pipeline import ReconcileResult, reconcile
from tickermap.reconcile.verdicts import SEVERITY, worst

KEY = "k-verdicts-SECRET"
SCALE = 0.01
MAP_COLUMNS = [
    "bloomberg_ticker",
    "name_ticker",
    "isin",
    "figi",
    "share_class_figi",
    "composite_figi",
]

_RNG = random.Random(20240611)
_ALPHABET = FIGI_ALPHABET


def figi() -> str:
    """A fresh valid synthetic FIGI."""
    body = "BBG" + "".join(_RNG.choice(_ALPHABET) for _ in range(8))
    return body + std_figi.calc_check_digit(body)


def isin(country: str = "US") -> str:
    """A fresh valid synthetic ISIN (US/CA: the national part is a valid CUSIP)."""
    if country in ("US", "CA"):
        base = "".join(_RNG.choice("0123456789") for _ in range(8))
        national = base + std_cusip.calc_check_digit(base)
    else:
        national = "".join(_RNG.choice("0123456789ABCDEF") for _ in range(9))
    return country + national + std_isin.calc_check_digit(country + national)


def bad_check_digit(value: str) -> str:
    """The same identifier with a wrong last character."""
    digit = value[-1]
    return value[:-1] + ("0" if digit != "0" else "1")


def rec(
    figi_: str,
    *,
    name: str,
    ticker: str,
    exch: str,
    composite: str | None = None,
    share: str | None = None,
    isins: Sequence[str] = (),
    **extra: Any,
) -> dict[str, Any]:
    """One world record (composite row when ``composite`` is None)."""
    return {
        "figi": figi_,
        "name": name,
        "ticker": ticker,
        "exchCode": exch,
        "compositeFIGI": composite or figi_,
        "shareClassFIGI": share,
        "securityType": "Common Stock",
        "securityType2": "Common Stock",
        "marketSector": "Equity",
        "securityDescription": ticker,
        "isins": list(isins),
        **extra,
    }


class Company:
    """A listed company with composite, one venue row, share class and ISIN."""

    def __init__(self, name: str, ticker: str, exch: str = "US", country: str = "US") -> None:
        self.name, self.ticker, self.exch = name, ticker, exch
        self.composite, self.venue, self.share, self.isin = (
            figi(),
            figi(),
            figi(),
            isin(country),
        )

    def records(self, *, ticker: str | None = None, **extra: Any) -> list[dict[str, Any]]:
        t = ticker or self.ticker
        common = {"name": self.name, "ticker": t, "share": self.share, "isins": [self.isin]}
        out = [rec(self.composite, exch=self.exch, **common, **extra)]
        if self.exch == "US":
            out.append(rec(self.venue, exch="UN", composite=self.composite, **common, **extra))
        return out

    def row(self, bloomberg_ticker: str | None = None, **override: str | None) -> dict[str, Any]:
        """A correct map row about this company (fields can be overridden)."""
        row: dict[str, Any] = {
            "bloomberg_ticker": bloomberg_ticker or f"{self.ticker} {self.exch}",
            "name_ticker": self.name,
            "isin": self.isin,
            "figi": self.composite,
            "share_class_figi": self.share,
            "composite_figi": self.composite,
        }
        row.update(override)
        return row


def write_map(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    frame = pd.DataFrame(list(rows), columns=MAP_COLUMNS)
    frame.to_csv(path, index=False)
    return path


def run_case(
    make_emulator: Callable[..., Emulator],
    tmp_path: Path,
    records: Sequence[dict[str, Any]],
    rows: Sequence[dict[str, Any]],
    universe: Sequence[str],
    *,
    offline: bool = False,
    source: str = "map_a",
    column: str = "bloomberg_ticker",
) -> tuple[ReconcileResult, Emulator]:
    """Serve ``records``, write ``rows`` as a map and reconcile ``universe`` against it."""
    emu = make_emulator(world=World.from_records(records), api_keys=[KEY], time_scale=SCALE)
    maps = [load_map(write_map(tmp_path / f"{source}.csv", rows), source=source)]
    return reconcile_with(emu, tmp_path, maps, universe, offline=offline, column=column), emu


def reconcile_with(
    emu: Emulator,
    tmp_path: Path,
    maps: Sequence[LoadedMap],
    universe: Sequence[str],
    *,
    offline: bool = False,
    column: str = "bloomberg_ticker",
) -> ReconcileResult:
    settings = Settings(
        api_key=KEY, openfigi_url=emu.url, cache_dir=tmp_path / "cache", timeout=5.0
    )
    with (
        OutcomeCache.in_dir(settings.cache_dir) as cache,
        OpenFigiClient(settings, cache=cache, offline=offline) as client,
    ):
        return reconcile(
            pd.DataFrame({column: list(universe)}), maps, settings=settings, client=client
        )


def only_row(result: ReconcileResult, ticker: str) -> dict[str, Any]:
    rows = result.universe[result.universe["bloomberg_ticker"] == ticker]
    assert len(rows) == 1, result.universe
    return rows.iloc[0].to_dict()


# -- the cases ---------------------------------------------------------------------------------
# Every builder returns (world records, map rows, universe, ticker, expected reason, needle):
# ``needle`` is the identifier the evidence must name.

Case = tuple[list[dict[str, Any]], list[dict[str, Any]], list[str], str, str, str]


def _alpha() -> Company:
    return Company("ALPHA WIDGETS INC", "ABC")


def _gamma() -> Company:
    return Company("GAMMA FOODS CORP", "XYZ")


def case_figi_invalid() -> Case:
    a = _alpha()
    wrong = bad_check_digit(a.composite)
    return (
        a.records(),
        [a.row(composite_figi=wrong, figi=wrong)],
        ["ABC US"],
        "ABC US",
        "figi_invalid",
        wrong,
    )


def case_isin_invalid() -> Case:
    a = _alpha()
    wrong = bad_check_digit(a.isin)
    return a.records(), [a.row(isin=wrong)], ["ABC US"], "ABC US", "isin_invalid", wrong


def case_figi_unknown() -> Case:
    a = _alpha()
    unknown = figi()
    return (
        a.records(),
        [a.row(composite_figi=unknown, figi=unknown)],
        ["ABC US"],
        "ABC US",
        "figi_unknown",
        unknown,
    )


def case_wrong_listing() -> Case:
    a = _alpha()
    london = figi()
    world = [
        *a.records(),
        rec(london, name=a.name, ticker="ABC", exch="LN", share=a.share, isins=[a.isin]),
    ]
    return (
        world,
        [a.row(composite_figi=london, figi=london)],
        ["ABC US"],
        "ABC US",
        "wrong_listing",
        london,
    )


def case_wrong_share_class() -> Case:
    a = _alpha()
    class_b, share_b = figi(), figi()
    world = [
        *a.records(),
        rec(class_b, name=a.name, ticker="ABC/B", exch="US", share=share_b, isins=[isin("US")]),
    ]
    row = a.row(composite_figi=class_b, figi=class_b, share_class_figi=share_b)
    return world, [row], ["ABC US"], "ABC US", "wrong_share_class", class_b


def case_ticker_reused_placeholder() -> Case:
    a = _alpha()
    old = Company("BETA GADGETS INC", "1234567D")
    world = a.records() + old.records()
    row = old.row("ABC US")
    return world, [row], ["ABC US"], "ABC US", "ticker_reused", old.composite


def case_ticker_reused_delisted_flag() -> Case:
    a = _alpha()
    old = Company("BETA GADGETS INC", "ABC")
    world = old.records(delisted=True) + a.records()
    row = old.row("ABC US")
    return world, [row], ["ABC US"], "ABC US", "ticker_reused", old.composite


def case_figi_other_security() -> Case:
    a, g = _alpha(), _gamma()
    row = a.row(composite_figi=g.composite, figi=g.composite, share_class_figi=g.share)
    return (
        a.records() + g.records(),
        [row],
        ["ABC US"],
        "ABC US",
        "figi_other_security",
        g.composite,
    )


def case_isin_conflict() -> Case:
    a, g = _alpha(), _gamma()
    return (
        a.records() + g.records(),
        [a.row(isin=g.isin)],
        ["ABC US"],
        "ABC US",
        "isin_conflict",
        g.isin,
    )


def case_name_conflict() -> Case:
    a, g = _alpha(), _gamma()
    return (
        a.records() + g.records(),
        [a.row(name_ticker=g.name)],
        ["ABC US"],
        "ABC US",
        "name_conflict",
        g.name,
    )


def case_renamed() -> Case:
    a = _alpha()
    return a.records(ticker="ABN"), [a.row()], ["ABC US"], "ABC US", "renamed", "ABN US"


def case_delisted_placeholder() -> Case:
    a = _alpha()
    return a.records(ticker="7654321D"), [a.row()], ["ABC US"], "ABC US", "delisted", "7654321D"


def case_delisted_flag() -> Case:
    a = _alpha()
    return a.records(delisted=True), [a.row()], ["ABC US"], "ABC US", "delisted", a.composite


def case_ambiguous() -> Case:
    a = _alpha()
    twin = Company("ALPHA WIDGETS INC PFD", "ABC")
    return a.records() + twin.records(), [a.row()], ["ABC US"], "ABC US", "ambiguous", "ABC US"


def case_no_data() -> Case:
    a = _alpha()
    return a.records(), [a.row()], ["ABC US", "QQQZ US"], "QQQZ US", "no_data", "openfigi=not_found"


CASES: dict[str, Callable[[], Case]] = {
    "figi_invalid": case_figi_invalid,
    "isin_invalid": case_isin_invalid,
    "figi_unknown": case_figi_unknown,
    "wrong_listing": case_wrong_listing,
    "wrong_share_class": case_wrong_share_class,
    "ticker_reused_placeholder": case_ticker_reused_placeholder,
    "ticker_reused_delisted_flag": case_ticker_reused_delisted_flag,
    "figi_other_security": case_figi_other_security,
    "isin_conflict": case_isin_conflict,
    "name_conflict": case_name_conflict,
    "renamed": case_renamed,
    "delisted_placeholder": case_delisted_placeholder,
    "delisted_flag": case_delisted_flag,
    "ambiguous": case_ambiguous,
    "no_data": case_no_data,
}


@pytest.mark.parametrize("case", list(CASES))
def test_reason_on_hand_built_world(case: str, make_emulator, tmp_path: Path) -> None:
    world, rows, universe, ticker, reason, needle = CASES[case]()
    result, _ = run_case(make_emulator, tmp_path, world, rows, universe)
    row = only_row(result, ticker)
    reasons = row["reasons"].split(";")
    assert reason in reasons, (case, row["reasons"], row["evidence"])
    assert row["status"] == worst(reasons)
    assert row["status"] != "ok"
    # The evidence (or the sources summary) names the offending identifier.
    assert needle in row["evidence"] + row["sources"], (needle, row["evidence"])
    if reason not in ("no_data", "ambiguous"):
        evidence = json.loads(row["evidence"])
        (entry,) = evidence.values()
        assert reason in entry["reasons"]
        assert needle in json.dumps(entry["details"]) + json.dumps(entry["claimed"])


def test_cases_cover_every_openfigi_reason() -> None:
    # outvoted, corroborated and disputed are the witnesses' vote: tests/test_consensus.py.
    covered = {CASES[c]()[4] for c in CASES} | {"unverified", "ok", "outvoted", "corroborated"}
    covered |= {"disputed"}
    # invalid_ticker is a local parse check (tests/test_reconcile.py covers it).
    assert set(SEVERITY) - covered == {"invalid_ticker"}


def test_unverified_offline_with_empty_cache(make_emulator, tmp_path: Path) -> None:
    a = _alpha()
    result, emu = run_case(
        make_emulator, tmp_path, a.records(), [a.row()], ["ABC US"], offline=True
    )
    row = only_row(result, "ABC US")
    assert row["status"] == "unverified"
    assert row["sources"].endswith(",openfigi=not_consulted_offline")  # nothing was asked
    assert "OpenFIGI not consulted" in row["evidence"]
    assert emu.stats.requests == 0


def test_correct_row_is_ok_with_high_confidence(make_emulator, tmp_path: Path) -> None:
    a = _alpha()
    result, _ = run_case(make_emulator, tmp_path, a.records(), [a.row()], ["ABC US"])
    row = only_row(result, "ABC US")
    assert row["status"] == "ok" and row["reasons"] == "ok"
    assert row["confidence"] > 0.9
    assert (row["composite_figi"], row["share_class_figi"], row["isin"]) == (
        a.composite,
        a.share,
        a.isin,
    )
    assert row["suggested_composite_figi"] is None or pd.isna(row["suggested_composite_figi"])
    review = result.review.iloc[0]
    assert bool(review["agrees_with_openfigi"]) is True
    features = json.loads(review["features"])
    assert features["ticker_figi"][0] == "agree"


def test_worst_follows_severity_order() -> None:
    for i, better in enumerate(SEVERITY):
        for worse in SEVERITY[:i]:
            assert worst([better, worse]) == worse
    assert worst([]) == "ok"


def test_status_is_worst_of_several_reasons(make_emulator, tmp_path: Path) -> None:
    # A wrong FIGI of another company AND an invalid ISIN in the same row.
    a, g = _alpha(), _gamma()
    wrong_isin = bad_check_digit(a.isin)
    row = a.row(
        composite_figi=g.composite, figi=g.composite, share_class_figi=g.share, isin=wrong_isin
    )
    result, _ = run_case(make_emulator, tmp_path, a.records() + g.records(), [row], ["ABC US"])
    got = only_row(result, "ABC US")
    reasons = got["reasons"].split(";")
    assert {"figi_other_security", "isin_invalid"} <= set(reasons)
    assert got["status"] == "figi_other_security"
    assert reasons == sorted(reasons, key=SEVERITY.index)


def test_name_only_claim_for_unknown_ticker_is_not_ok(make_emulator, tmp_path: Path) -> None:
    """A map row with just a name, for a ticker OpenFIGI does not know, proves nothing."""
    a = _alpha()
    row = {"bloomberg_ticker": "QQQZ US", "name_ticker": "QUUX THINGS INC"}
    result, _ = run_case(make_emulator, tmp_path, a.records(), [row], ["QQQZ US"])
    got = only_row(result, "QQQZ US")
    assert got["status"] != "ok", got
