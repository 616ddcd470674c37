"""Audit of corporate events in a cleaned universe: delisted, renamed and reused tickers.

Survivorship-bias-free backtests need to know which tickers of a historical universe no longer
mean what they meant. This module lists those tickers with their evidence, from the typed
:class:`~tickermap.reconcile.records.ReconcileResult` or from a reconcile output file read back
(whose ``evidence`` column is parsed here). The events are :data:`tickermap.reasons.EVENTS`.
Pure: records or a DataFrame in, DataFrame out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from tickermap import columns as C
from tickermap.errors import ConfigError
from tickermap.reasons import EVENTS, Reason
from tickermap.reconcile.records import ReconcileResult, TickerRow
from tickermap.tables import require_columns
from tickermap.tickers.parse import exchange_code

__all__ = ["EVENT_REASONS", "Event", "audit_events", "audit_file", "summarize_events"]

Event = Literal["delisted", "renamed", "ticker_reused"]
"""An event's code as a caller names it (checked against :data:`EVENT_REASONS`)."""
EVENT_REASONS: tuple[Reason, ...] = EVENTS
"""The reasons that mark a corporate event rather than a data error (from tickermap.reasons)."""

_EVENT_COLUMNS = [
    C.BLOOMBERG_TICKER,
    "event",
    "status",
    C.COMPOSITE_FIGI,
    C.NAME,
    "confidence",
    "detail",
    "sources",
]


def _details_for(evidence: str, event: str) -> str:
    """The event's sentences from a universe file's ``evidence`` JSON (read back from disk)."""
    try:
        per_source = json.loads(evidence) if evidence else {}
    except json.JSONDecodeError:
        return ""
    found = []
    for source, entry in per_source.items():
        detail = entry.get("details", {}).get(event) if isinstance(entry, dict) else None
        if detail:
            found.append(f"{source}: {detail}")
    return " | ".join(found)


def _row_event(row: TickerRow, event: Reason) -> dict[str, object]:
    return {
        C.BLOOMBERG_TICKER: row.ticker,
        "event": str(event),
        "status": str(row.status),
        C.COMPOSITE_FIGI: row.composite_figi,
        C.NAME: row.name,
        "confidence": row.confidence,
        "detail": " | ".join(f"{key}: {d}" for key, d in row.details(event)),
        "sources": row.sources(),
    }


def _frame_events(
    universe: pd.DataFrame, events: Sequence[str], path: str | Path | None
) -> list[dict[str, object]]:
    require_columns(
        universe,
        [C.BLOOMBERG_TICKER, "reasons", "evidence"],
        path=path,
        hint="pass the output of 'tickermap reconcile'",
    )
    rows = []
    for rec in universe.to_dict("records"):
        reasons = str(rec.get("reasons") or "").split(";")
        for event in events:
            if event in reasons:
                rows.append(
                    {
                        C.BLOOMBERG_TICKER: rec[C.BLOOMBERG_TICKER],
                        "event": event,
                        "status": rec.get("status"),
                        C.COMPOSITE_FIGI: rec.get(C.COMPOSITE_FIGI),
                        C.NAME: rec.get(C.NAME),
                        "confidence": rec.get("confidence"),
                        "detail": _details_for(str(rec.get("evidence") or ""), event),
                        "sources": rec.get("sources"),
                    }
                )
    return rows


def audit_events(
    universe: ReconcileResult | pd.DataFrame,
    *,
    events: Sequence[Event | Reason] = EVENT_REASONS,
    path: str | Path | None = None,
) -> pd.DataFrame:
    """List the tickers of a reconciled universe that were delisted, renamed or reused.

    Args:
        universe: the reconcile result, or its universe file read back (needs
            ``bloomberg_ticker``, ``reasons``, ``evidence``).
        events: which events to list.
        path: the file ``universe`` was read from, named in errors.

    Returns:
        One row per (ticker, event): ``bloomberg_ticker, event, status, composite_figi, name,
        confidence, detail, sources``, ordered by event then ticker.

    Raises:
        ConfigError: an unknown event was asked for.
        InputError: the frame is not a reconcile output.

    >>> u = pd.DataFrame({"bloomberg_ticker": ["X US"], "reasons": ["renamed"], "status":
    ...     ["renamed"], "evidence": ["{}"], "composite_figi": [None], "name": ["X"],
    ...     "confidence": [0.5], "sources": ["m"]})
    >>> audit_events(u)["event"].tolist()
    ['renamed']
    """
    unknown = set(events) - set(EVENT_REASONS)
    if unknown:
        raise ConfigError(
            f"unknown event(s) {sorted(map(str, unknown))}; "
            f"choose from {[str(e) for e in EVENT_REASONS]}"
        )
    if isinstance(universe, ReconcileResult):
        wanted = [Reason(e) for e in events]
        rows = [_row_event(r, e) for r in universe.rows for e in wanted if e in r.reasons]
    else:
        rows = _frame_events(universe, [str(e) for e in events], path)
    out = pd.DataFrame(rows, columns=_EVENT_COLUMNS)
    return out.sort_values(["event", C.BLOOMBERG_TICKER], kind="stable").reset_index(drop=True)


def summarize_events(events: pd.DataFrame) -> pd.DataFrame:
    """Counts per event and exchange code."""
    if events.empty:
        return pd.DataFrame(columns=["event", "exch_code", "tickers"])
    exch = events[C.BLOOMBERG_TICKER].astype(str).map(lambda t: exchange_code(t) or t)
    return (
        events.assign(exch_code=exch)
        .groupby(["event", "exch_code"])
        .size()
        .rename("tickers")
        .reset_index()
        .sort_values(["event", "tickers"], ascending=[True, False])
        .reset_index(drop=True)
    )


def audit_file(
    universe_path: str | Path,
    out: str | Path | None = None,
    *,
    events: Sequence[Event | Reason] = EVENT_REASONS,
) -> tuple[pd.DataFrame, Path | None]:
    """Read a reconcile output, :func:`audit_events` it, write the events to ``out`` if given.

    The one call ``tickermap audit delisted`` makes; returns the events and the path written.
    """
    from tickermap.tables import read_table, write_table

    found = audit_events(read_table(universe_path), events=events, path=universe_path)
    return found, None if out is None else write_table(found, out)
