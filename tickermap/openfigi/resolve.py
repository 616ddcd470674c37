"""From Numerai tickers to FIGIs: one :class:`Resolution` per input ticker, and the OUT table.

A ticker ``ROOT CODE`` becomes the job ``{"idType":"TICKER","idValue":ROOT,"exchCode":CODE,
"marketSecDes":"Equity"}``. Among the rows OpenFIGI returns, the listing is the row whose
``exchCode`` is CODE and whose ``figi`` equals its ``compositeFIGI``; several such rows make the
ticker ``ambiguous`` (never ``data[0]``).

Venue rows. Asking with a composite code returns only the composite row (see the recorded
``AAPL``/``US`` answer in docs/openfigi-api.md), yet the venue tells ``.KS`` from ``.KQ``. So for
matched tickers whose composite has venue-dependent Yahoo suffixes (the codes of
:func:`venue_lookup_codes`; ``venues="all"`` for every code) a second job
``COMPOSITE_ID_BB_GLOBAL`` = the composite FIGI fetches the venue rows; their exchange codes go
into ``venue_exch_codes``. Both rounds go through one client: batched, paced, cached,
de-duplicated. Taiwan cannot be told apart this way (TWSE and TPEx rows are both ``TT``).

Invalid tickers, and any longer than :data:`MAX_TICKER_LENGTH` characters, become
``invalid_ticker`` and are never sent. This module does no HTTP itself
and never prints.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from tickermap import columns as C
from tickermap.config import Settings
from tickermap.errors import InputError, OfflineMiss, TickermapError, TransportError
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.client import OpenFigiClient
from tickermap.openfigi.records import FigiRecord, Job, MapOutcome
from tickermap.progress import Progress
from tickermap.tables import read_table, require_columns, write_table
from tickermap.tickers.exchanges import load_exchanges
from tickermap.tickers.parse import Namespace, Ticker, namespace_for_column, numerai_to_bloomberg
from tickermap.tickers.parse import parse_ticker as _parse_ticker

__all__ = [
    "MAX_TICKER_LENGTH",
    "OUT_COLUMNS",
    "Resolution",
    "ResolutionOutcome",
    "ResolveReport",
    "VenueLookup",
    "composite_job",
    "resolutions_frame",
    "resolve_file",
    "resolve_tickers",
    "ticker_job",
    "venue_lookup_codes",
]

log = logging.getLogger(__name__)

MAX_TICKER_LENGTH = 64
"""Longer values are rejected locally (no real ticker comes close; OpenFIGI is not asked)."""

ResolutionOutcome = Literal[
    "matched", "ambiguous", "not_found", "rejected", "failed", "invalid_ticker"
]
VenueLookup = Literal["auto", "all", "none"]


def venue_lookup_codes() -> frozenset[str]:
    """Composite codes whose venue decides the Yahoo suffix (``yahoo_venues`` in
    ``mappings/exchanges.csv``: KS KP/KQ -> .KS/.KQ, CN, CH, IN, JP, GR); only these get the
    secondary ``COMPOSITE_ID_BB_GLOBAL`` lookup by default, to spend quota where it matters.
    TT is not among them: OpenFIGI labels TWSE and TPEx rows alike, so no venue row helps."""
    return frozenset(code for code, ex in load_exchanges().items() if ex.yahoo_venues)


OUT_COLUMNS = (
    C.BLOOMBERG_TICKER,
    "outcome",
    C.FIGI,
    C.COMPOSITE_FIGI,
    C.SHARE_CLASS_FIGI,
    C.NAME,
    "ticker",
    "exch_code",
    "venue_exch_codes",
    "security_type",
    "security_type2",
    "market_sector",
    "n_candidates",
    "message",
    "fetched_at",
    "from_cache",
)
"""The columns of ``tickermap resolve --out`` (issue 3), in order."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """What OpenFIGI says about one input ticker.

    Attributes:
        bloomberg_ticker: canonical ``ROOT CODE`` (the raw input when it did not parse).
        outcome: matched / ambiguous / not_found / rejected / failed / invalid_ticker.
        figi: the composite listing's FIGI (equal to ``composite_figi`` for a match).
        venue_exch_codes: exchange codes of the listing's venue rows (sorted).
        n_candidates: how many rows qualified as the composite listing (1 when matched).
        candidates: every row OpenFIGI returned for the ticker, plus the venue rows.
    """

    bloomberg_ticker: str
    outcome: ResolutionOutcome
    figi: str | None = None
    composite_figi: str | None = None
    share_class_figi: str | None = None
    name: str | None = None
    ticker: str | None = None
    exch_code: str | None = None
    venue_exch_codes: tuple[str, ...] = ()
    security_type: str | None = None
    security_type2: str | None = None
    market_sector: str | None = None
    n_candidates: int = 0
    message: str = ""
    fetched_at: datetime | None = None
    from_cache: bool = False
    candidates: tuple[FigiRecord, ...] = field(default=(), repr=False)


def ticker_job(ticker: Ticker) -> Job:
    """The mapping job of a Bloomberg-namespace ticker.

    >>> from tickermap.tickers.parse import parse_ticker
    >>> ticker_job(parse_ticker("AAPL US").ticker).payload()
    {'idType': 'TICKER', 'idValue': 'AAPL', 'exchCode': 'US', 'marketSecDes': 'Equity'}
    """
    return Job("TICKER", ticker.root, exch_code=ticker.code, market_sec_des="Equity")


def composite_job(composite_figi: str) -> Job:
    """The secondary job that lists every venue row of a composite FIGI."""
    return Job("COMPOSITE_ID_BB_GLOBAL", composite_figi)


_Entry = tuple[str, "Ticker | None", str, "Job | None"]
"""(display ticker, Bloomberg-namespace ticker, why it is invalid, its mapping job)."""


def _parse(value: object, namespace: Namespace) -> tuple[str, Ticker | None, str]:
    """Return (display ticker, Bloomberg-namespace ticker or None, why not)."""
    raw = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    if len(raw) > MAX_TICKER_LENGTH:
        return raw, None, f"longer than {MAX_TICKER_LENGTH} characters ({len(raw)}); not sent"
    parsed = _parse_ticker(raw, namespace=namespace)
    if parsed.ticker is None:
        return raw, None, parsed.message or (parsed.error or "unparseable ticker")
    if namespace == "bloomberg":
        return str(parsed.ticker), parsed.ticker, ""
    converted = numerai_to_bloomberg(str(parsed.ticker))
    if converted is None:
        return raw, None, f"cannot convert numerai ticker {raw!r} to a Bloomberg ticker"
    again = _parse_ticker(converted, namespace="bloomberg")
    if again.ticker is None:
        return raw, None, again.message or "unparseable ticker"
    return str(again.ticker), again.ticker, ""


def _listing(code: str, outcome: MapOutcome) -> tuple[list[FigiRecord], str]:
    rows = outcome.records
    chosen = [r for r in rows if r.exch_code == code and r.figi == r.composite_figi]
    unique = list({r.figi: r for r in chosen}.values())
    if unique or not rows:
        return unique, ""
    codes = ", ".join(sorted({r.exch_code or "null" for r in rows}))
    return [], f"{len(rows)} rows but none is the {code} composite listing (exchCodes: {codes})"


def _venues(rec: FigiRecord, rows: Sequence[FigiRecord]) -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                r.exch_code
                for r in rows
                if r.composite_figi == rec.figi and r.figi != rec.figi and r.exch_code
            }
        )
    )


def _resolution(
    display: str, ticker: Ticker, outcome: MapOutcome, venue: MapOutcome | None
) -> Resolution:
    base = {
        "bloomberg_ticker": display,
        "fetched_at": outcome.fetched_at,
        "from_cache": outcome.from_cache,
        "candidates": outcome.records,
    }
    if outcome.status != "matched":
        return Resolution(outcome=outcome.status, message=outcome.message, **base)  # type: ignore[arg-type]
    chosen, why = _listing(ticker.code, outcome)
    if not chosen:
        return Resolution(outcome="not_found", message=why, **base)  # type: ignore[arg-type]
    if len(chosen) > 1:
        names = "; ".join(f"{r.figi} {r.name or ''}".strip() for r in chosen)
        return Resolution(
            outcome="ambiguous",
            n_candidates=len(chosen),
            message=f"{len(chosen)} {ticker.code} composite listings: {names}",
            **base,  # type: ignore[arg-type]
        )
    rec = chosen[0]
    rows = list(outcome.records)
    message = ""
    if venue is not None:
        if venue.status == "failed":
            message = f"venue lookup failed: {venue.message}"
        rows += [r for r in venue.records if r.figi not in {x.figi for x in rows}]
        base["candidates"] = tuple(rows)
    return Resolution(
        outcome="matched",
        figi=rec.figi,
        composite_figi=rec.composite_figi,
        share_class_figi=rec.share_class_figi,
        name=rec.name,
        ticker=rec.ticker,
        exch_code=rec.exch_code,
        venue_exch_codes=_venues(rec, rows),
        security_type=rec.security_type,
        security_type2=rec.security_type2,
        market_sector=rec.market_sector,
        n_candidates=1,
        message=message,
        **base,  # type: ignore[arg-type]
    )


def _venue_round(
    client: OpenFigiClient,
    entries: Sequence[_Entry],
    answers: dict[str, MapOutcome],
    venues: VenueLookup,
    progress: Progress | None,
) -> dict[str, MapOutcome]:
    """Fetch the venue rows of single-listing matches (composite FIGI -> outcome)."""
    wanted: dict[str, Job] = {}
    codes = venue_lookup_codes()
    for _, t, _, job in entries:
        if t is None or job is None or venues == "none":
            continue
        if venues == "auto" and t.code not in codes:
            continue
        chosen, _ = _listing(t.code, answers[job.key()])
        if len(chosen) == 1:
            wanted.setdefault(chosen[0].figi, composite_job(chosen[0].figi))
    if not wanted:
        return {}
    outcomes = client.map_jobs(list(wanted.values()), progress=progress)
    return dict(zip(wanted, outcomes, strict=True))


def resolve_tickers(
    tickers: Sequence[object],
    *,
    settings: Settings,
    namespace: Namespace = "bloomberg",
    client: OpenFigiClient | None = None,
    offline: bool = False,
    progress: Progress | None = None,
    venues: VenueLookup = "auto",
) -> list[Resolution]:
    """Resolve each ticker through OpenFIGI; one :class:`Resolution` per input, same order.

    Args:
        tickers: values of a ``bloomberg_ticker`` or ``numerai_ticker`` column.
        settings: URL, key, cache folder, max age (used when ``client`` is None).
        namespace: how to read the values (``bloomberg`` or ``numerai``, by column name).
        client: an open client to reuse (its cache/offline mode apply); else one is built
            with the cache in ``settings.cache_dir``.
        offline: answer from the cache only (when the client is built here).
        progress: receives progress of both rounds.
        venues: which matched tickers get the venue-row lookup (see module docstring).

    Raises:
        AuthError, HTTPStatusError: OpenFIGI refused the configuration (not per-ticker).
        CacheError: the cache cannot be used.
    """
    entries: list[_Entry] = []
    for value in tickers:
        display, t, why = _parse(value, namespace)
        entries.append((display, t, why, None if t is None else ticker_job(t)))
    own_cache = own_client = None
    if client is None:
        own_cache = OutcomeCache.for_settings(settings)
        client = own_client = OpenFigiClient(settings, cache=own_cache, offline=offline)
    try:
        jobs = [job for *_, job in entries if job is not None]
        outcomes = client.map_jobs(jobs, progress=progress)
        answers = dict(zip((j.key() for j in jobs), outcomes, strict=True))
        venue_answers = _venue_round(client, entries, answers, venues, progress)
    finally:
        if own_client is not None:
            own_client.close()
        if own_cache is not None:
            own_cache.close()
    out: list[Resolution] = []
    for display, t, why, job in entries:
        if t is None or job is None:
            out.append(Resolution(bloomberg_ticker=display, outcome="invalid_ticker", message=why))
            continue
        outcome = answers[job.key()]
        chosen, _ = _listing(t.code, outcome)
        venue = venue_answers.get(chosen[0].figi) if len(chosen) == 1 else None
        out.append(_resolution(display, t, outcome, venue))
    return out


def resolutions_frame(rs: Sequence[Resolution]) -> pd.DataFrame:
    """The OUT table: :data:`OUT_COLUMNS`, one row per resolution (venue codes space-joined)."""
    rows = [
        {
            C.BLOOMBERG_TICKER: r.bloomberg_ticker,
            "outcome": r.outcome,
            C.FIGI: r.figi,
            C.COMPOSITE_FIGI: r.composite_figi,
            C.SHARE_CLASS_FIGI: r.share_class_figi,
            C.NAME: r.name,
            "ticker": r.ticker,
            "exch_code": r.exch_code,
            "venue_exch_codes": " ".join(r.venue_exch_codes) or None,
            "security_type": r.security_type,
            "security_type2": r.security_type2,
            "market_sector": r.market_sector,
            "n_candidates": r.n_candidates,
            "message": r.message or None,
            "fetched_at": r.fetched_at.isoformat(timespec="seconds") if r.fetched_at else None,
            "from_cache": r.from_cache,
        }
        for r in rs
    ]
    frame = pd.DataFrame(rows, columns=list(OUT_COLUMNS))
    frame["n_candidates"] = frame["n_candidates"].astype("int64")
    frame["from_cache"] = frame["from_cache"].astype(bool)
    return frame


@dataclass(frozen=True, slots=True)
class ResolveReport:
    """What :func:`resolve_file` did: counts per outcome, offline misses, requests sent.

    Attributes:
        shared: answers another tickermap run fetched into the same cache while this one
            waited for them (instead of asking OpenFIGI twice).
        problem: the error to report after the summary (OUT was written): ``OfflineMiss``
            when ``--offline`` lacked answers; ``None`` otherwise.
    """

    out: Path
    rows: int
    counts: dict[str, int]
    from_cache: int
    offline_missing: int
    requests: int
    http_429: int
    shared: int = 0
    problem: TickermapError | None = None


def resolve_file(
    universe: Path,
    out: Path,
    *,
    settings: Settings,
    column: str | None = None,
    offline: bool = False,
    jobs_per_request: int | None = None,
    progress: Progress | None = None,
) -> ResolveReport:
    """Read a universe table, resolve its ticker column, write the OUT table atomically.

    Raises:
        InputError: the table or the column is unusable.
        ConfigError: the column name does not say which namespace it is in.
        TransportError: tickers were sent and not one got an answer (OpenFIGI unreachable,
            hanging or failing); nothing is written then, whatever the number of tickers.
    """
    frame = read_table(universe)
    if column is None:
        column = next((c for c in C.TICKER_COLUMNS if c in frame.columns), C.BLOOMBERG_TICKER)
    require_columns(frame, [column], path=universe, hint="choose the ticker column with --column")
    namespace = namespace_for_column(column)
    if frame.empty:  # as reconcile and validate: a header alone is not a universe
        raise InputError("the universe has no rows", path=universe, line=2)
    values = frame[column].tolist()
    with (
        OutcomeCache.for_settings(settings) as cache,
        OpenFigiClient(
            settings,
            cache=cache,
            offline=offline,
            jobs_per_request=jobs_per_request,
        ) as client,
    ):
        rs = resolve_tickers(
            values, settings=settings, namespace=namespace, client=client, progress=progress
        )
        stats = client.stats
    sent = [r for r in rs if r.outcome != "invalid_ticker"]
    if not offline and sent and all(r.outcome == "failed" for r in sent):
        raise TransportError(
            f"not one of {len(sent)} tickers could be resolved: OpenFIGI at "
            f"{settings.openfigi_url} gave no usable answer ({sent[0].message}); check "
            f"--openfigi-url / TICKERMAP_OPENFIGI_URL and the network; {out} was not written"
        )
    write_table(resolutions_frame(rs), out)
    counts: Counter[str] = Counter(r.outcome for r in rs)
    missing = sum(r.outcome == "failed" and "offline" in r.message for r in rs)
    problem = None
    if missing:
        problem = OfflineMiss(
            f"{missing} of {len(rs)} tickers were not in the cache "
            f"(outcome 'failed' in {out}); run without --offline to fetch them"
        )
    return ResolveReport(
        out=out,
        rows=len(rs),
        counts=dict(counts),
        from_cache=sum(r.from_cache for r in rs),
        offline_missing=missing,
        requests=stats.requests,
        http_429=stats.http_429,
        shared=stats.shared,
        problem=problem,
    )
