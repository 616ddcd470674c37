"""OpenFIGI round trips for reconciliation (identifiers-and-matching.md §4, detection recipe).

For every universe ticker and every claim about it, reconciliation needs up to five answers:

1. ticker + exchange -> the current holder of the ticker (``resolve.resolve_tickers``);
2. each claimed FIGI / composite FIGI -> its record (``ID_BB_GLOBAL``);
3. each claimed ISIN + the listing's exchange code -> the FIGIs it lists there (``ID_ISIN``);
4. for a claimed FIGI whose current ticker differs: that ticker + exchange, to confirm a rename;
5. for an ISIN that does not lead to the ticker's composite: the ISIN alone, to say whose it is.

Rounds 1-3 go out together and 4-5 as a second, small round; all go through one
:class:`~tickermap.openfigi.client.OpenFigiClient`, so identical jobs are sent once, answers are
cached,
and ``offline`` answers from the cache only (misses become ``unchecked``). No HTTP here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from tickermap import columns as C
from tickermap.identifiers.checks import check_figi, check_isin
from tickermap.openfigi.client import OpenFigiClient
from tickermap.openfigi.records import FigiRecord, Job, MapOutcome
from tickermap.openfigi.resolve import Resolution, resolve_tickers
from tickermap.progress import Progress
from tickermap.tickers.parse import parse_ticker

__all__ = ["Lookup", "Lookups", "gather_lookups", "is_placeholder_ticker"]

LookupStatus = Literal["matched", "not_found", "rejected", "failed", "unchecked"]


@dataclass(frozen=True, slots=True)
class Lookup:
    """One OpenFIGI answer as reconciliation sees it."""

    status: LookupStatus
    records: tuple[FigiRecord, ...] = ()
    message: str = ""

    @property
    def matched(self) -> bool:
        return self.status == "matched" and bool(self.records)

    def composites(self) -> set[str]:
        """Composite FIGIs of every record returned."""
        return {r.composite_figi for r in self.records if r.composite_figi}

    def share_classes(self) -> set[str]:
        """Share-class FIGIs of every record returned."""
        return {r.share_class_figi for r in self.records if r.share_class_figi}

    def record(self, figi: str) -> FigiRecord | None:
        """The record whose FIGI is ``figi``, else the first one."""
        for r in self.records:
            if r.figi == figi:
                return r
        return self.records[0] if self.records else None


UNCHECKED = Lookup("unchecked", (), "not looked up")


@dataclass
class Lookups:
    """Every answer reconciliation uses, keyed by what was asked."""

    tickers: dict[str, Resolution] = field(default_factory=dict)
    figis: dict[str, Lookup] = field(default_factory=dict)
    isins: dict[tuple[str, str], Lookup] = field(default_factory=dict)
    isins_any: dict[str, Lookup] = field(default_factory=dict)
    current: dict[tuple[str, str], Lookup] = field(default_factory=dict)
    requests_sent: int = 0

    def figi(self, value: str | None) -> Lookup:
        return self.figis.get(value or "", UNCHECKED)

    def isin(self, value: str | None, code: str) -> Lookup:
        return self.isins.get((value or "", code), UNCHECKED)


def is_placeholder_ticker(ticker: str | None) -> bool:
    """Whether a ticker looks like Bloomberg's re-tick of a delisted line (digits then ``D``).

    >>> is_placeholder_ticker("1234567D"), is_placeholder_ticker("AAPL")
    (True, False)
    """
    if not ticker:
        return False
    t = ticker.strip().upper()
    return len(t) >= 5 and t.endswith("D") and t[:-1].isdigit()


def _as_lookup(outcome: MapOutcome) -> Lookup:
    if outcome.status == "failed":
        return Lookup("unchecked", (), outcome.message)
    return Lookup(outcome.status, tuple(outcome.records), outcome.message)


def _run(client: OpenFigiClient, jobs: Sequence[Job], progress: Progress | None) -> list[Lookup]:
    if not jobs:
        return []
    return [_as_lookup(o) for o in client.map_jobs(jobs, progress=progress)]


def _valid(values: Iterable[object], kind: Literal["figi", "isin"]) -> list[str]:
    check = check_figi if kind == "figi" else check_isin
    seen: dict[str, None] = {}
    for v in values:
        if isinstance(v, str) and v and v not in seen and check(v).valid:
            seen[v] = None
    return list(seen)


def gather_lookups(
    universe: Sequence[str],
    claims: pd.DataFrame,
    *,
    client: OpenFigiClient,
    progress: Progress | None = None,
) -> Lookups:
    """Ask OpenFIGI everything reconciliation needs, in two batched rounds.

    Args:
        universe: canonical Bloomberg tickers.
        claims: the claims table (``tickermap.reconcile.claims.claims_table``).
        client: an open client (it owns batching, pacing, retries, the cache and offline mode).
        progress: receives progress of each round.

    Returns:
        The :class:`Lookups`.
    """
    out = Lookups()
    before = client.stats.requests
    resolutions = resolve_tickers(
        list(universe), settings=client.settings, client=client, progress=progress
    )
    out.tickers = {r.bloomberg_ticker: r for r in resolutions}

    figis = _valid(pd.concat([claims[C.FIGI], claims[C.COMPOSITE_FIGI]]), "figi")
    isin_keys: dict[tuple[str, str], set[str]] = {}
    for ticker, isin in zip(claims[C.BLOOMBERG_TICKER], claims[C.ISIN], strict=True):
        parsed = parse_ticker(ticker)
        if parsed.ticker is not None and isinstance(isin, str) and check_isin(isin).valid:
            isin_keys.setdefault((isin, parsed.ticker.code), set()).add(ticker)
    jobs = [Job(id_type="ID_BB_GLOBAL", id_value=f) for f in figis]
    jobs += [Job(id_type="ID_ISIN", id_value=i, exch_code=c) for i, c in isin_keys]
    answers = _run(client, jobs, progress)
    out.figis = dict(zip(figis, answers[: len(figis)], strict=True))
    out.isins = dict(zip(isin_keys, answers[len(figis) :], strict=True))

    # Round 2: confirm renames and identify whose an unhelpful ISIN is.
    current: dict[tuple[str, str], None] = {}
    for lookup in out.figis.values():
        for rec in lookup.records[:1]:
            composite = rec.figi == rec.composite_figi  # venue rows need no rename check
            if composite and rec.ticker and rec.exch_code and not is_placeholder_ticker(rec.ticker):
                key = (rec.ticker, rec.exch_code)
                if f"{rec.ticker} {rec.exch_code}" not in out.tickers:
                    current[key] = None
    isins_any: dict[str, None] = {}
    for (isin, code), lookup in out.isins.items():
        holders = {
            r.composite_figi
            for t in isin_keys[(isin, code)]
            if (r := out.tickers.get(t)) is not None
        }
        if not lookup.matched or not (lookup.composites() & holders):
            isins_any[isin] = None
    jobs2 = [
        Job(id_type="TICKER", id_value=t, exch_code=x, market_sec_des="Equity") for t, x in current
    ]
    jobs2 += [Job(id_type="ID_ISIN", id_value=i) for i in isins_any]
    answers2 = _run(client, jobs2, progress)
    out.current = dict(zip(current, answers2[: len(current)], strict=True))
    out.isins_any = dict(zip(isins_any, answers2[len(current) :], strict=True))
    out.requests_sent = client.stats.requests - before
    return out
