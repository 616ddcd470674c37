"""Audit of corporate events in a cleaned universe: delisted, renamed and reused tickers.

Survivorship-bias-free backtests need to know which tickers of a historical universe no longer
mean what they meant. This module lists those tickers with their evidence, from the typed
:class:`~tickermap.reconcile.records.ReconcileResult` or from a reconcile output file read back
(whose ``evidence`` column is parsed here). The events are :data:`tickermap.reasons.EVENTS`.

Every event says ``event_confidence``: ``confirmed`` (OpenFIGI shows it, or the dated history
agrees) or ``probable`` (inferred), with ``why``. :func:`merge_history` joins the events table
``tickermap history`` writes (``*.events.csv``): a reconcile event takes the history's date
(``renamed``: the new ticker's first date; ``ticker_reused``: the switch date; ``delisted``: the
last date, from ``exited``), and history events that reconcile did not see are added with
``sources`` = ``history``. Pure: records or DataFrames in, DataFrame out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from tickermap import columns as C
from tickermap.errors import ConfigError
from tickermap.reasons import EVENTS, Reason
from tickermap.reconcile.events import event_confidence
from tickermap.reconcile.records import ReconcileResult, TickerRow
from tickermap.tables import require_columns
from tickermap.tickers.parse import exchange_code

__all__ = [
    "EVENT_REASONS",
    "Event",
    "audit_events",
    "audit_file",
    "merge_history",
    "summarize_events",
]

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
    "event_confidence",
    "why",
    "date",
    "detail",
    "history",
    "sources",
]
_HISTORY_COLUMNS = ("event", "date", "previous", "previous_last_date", "confidence", "note")


def _judged(sentences: Sequence[str]) -> tuple[str, str]:
    """``(event_confidence, why)`` from an event's evidence sentences (confirmed wins)."""
    found = [event_confidence(s) for s in sentences]
    for level in ("confirmed", "probable"):
        why = [text for conf, text in found if conf == level]
        if why:
            return level, why[0]
    return "probable", sentences[0] if sentences else ""


def _details_for(evidence: str, event: str) -> list[tuple[str, str]]:
    """``(claim, sentence)`` of the event from a universe file's ``evidence`` JSON."""
    try:
        per_source = json.loads(evidence) if evidence else {}
    except json.JSONDecodeError:
        return []
    found = []
    for source, entry in per_source.items():
        detail = entry.get("details", {}).get(event) if isinstance(entry, dict) else None
        if detail:
            found.append((str(source), str(detail)))
    return found


def _event_row(
    rec: Mapping[Any, object], event: str, details: list[tuple[str, str]]
) -> dict[str, object]:
    level, why = _judged([d for _, d in details])
    return {
        C.BLOOMBERG_TICKER: rec[C.BLOOMBERG_TICKER],
        "event": event,
        "status": rec.get("status"),
        C.COMPOSITE_FIGI: rec.get(C.COMPOSITE_FIGI),
        C.NAME: rec.get(C.NAME),
        "confidence": rec.get("confidence"),
        "event_confidence": level,
        "why": why,
        "date": None,
        "detail": " | ".join(f"{key}: {d}" for key, d in details),
        "history": None,
        "sources": rec.get("sources"),
    }


def _row_event(row: TickerRow, event: Reason) -> dict[str, object]:
    rec: dict[str, object] = {
        C.BLOOMBERG_TICKER: row.ticker,
        "status": str(row.status),
        C.COMPOSITE_FIGI: row.composite_figi,
        C.NAME: row.name,
        "confidence": row.confidence,
        "sources": row.sources(),
    }
    return _event_row(rec, str(event), row.details(event))


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
                details = _details_for(str(rec.get("evidence") or ""), event)
                rows.append(_event_row(rec, event, details))
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


_MATCHES = {"renamed": "renamed", "ticker_reused": "ticker_reused", "delisted": "exited"}
"""The history event that dates each reconcile event."""


def _history_frame(history: pd.DataFrame, path: str | Path | None) -> pd.DataFrame:
    """The history events with ``ticker`` and ``entity`` columns (their names vary by file)."""
    require_columns(
        history,
        list(_HISTORY_COLUMNS),
        path=path,
        hint="pass the *.events.csv of 'tickermap history'",
    )
    others = [c for c in history.columns if c not in _HISTORY_COLUMNS]
    if not others:
        raise ConfigError(f"{path or 'the history events'} has no ticker column")
    renamed = {others[0]: "ticker", **({others[1]: "entity"} if len(others) > 1 else {})}
    out = history.rename(columns=renamed)
    if "entity" not in out.columns:
        out["entity"] = None
    return out.astype({"ticker": str})


def _history_text(h: Mapping[Any, object]) -> str:
    event, date = h["event"], h["date"]
    if event == "renamed":
        text = f"renamed {date}: {h['entity']} moved from {h['previous']} to {h['ticker']}"
    elif event == "ticker_reused":
        text = (
            f"ticker_reused {date}: {h['ticker']} passed from {h['previous']} (last "
            f"{h['previous_last_date']}) to {h['entity']}"
        )
    else:
        text = f"{event} {date}: {h['ticker']} ({h['entity']})"
    note = h.get("note")
    return text + (f"; {note}" if isinstance(note, str) and note else "")


def merge_history(
    events: pd.DataFrame, history: pd.DataFrame, *, path: str | Path | None = None
) -> pd.DataFrame:
    """Date the reconcile ``events`` with a ``tickermap history`` events table, add the rest.

    A reconcile event matches a history event of its kind (``delisted`` matches ``exited``) on
    the same ticker (``renamed``: the history's previous ticker). A match takes the history's
    date and text; a ``probable`` event the history confirms becomes ``confirmed``. History
    events reconcile did not see (``renamed``, ``ticker_reused``, ``exited``) are added with
    ``sources`` = ``history``; ``entered`` is not an event of the audit.
    """
    h = _history_frame(history, path)
    h = h[h["event"].isin(set(_MATCHES.values()))]
    used: set[int] = set()
    out = events.copy().astype({"date": "object", "history": "object"})
    for i, rec in out.iterrows():
        kind = _MATCHES.get(str(rec["event"]))
        key = "previous" if kind == "renamed" else "ticker"
        hit = h[(h["event"] == kind) & (h[key].astype(str) == str(rec[C.BLOOMBERG_TICKER]))]
        if hit.empty:
            continue
        j = hit.index[0]
        used.add(int(j))
        hrec = hit.loc[j].to_dict()
        out.at[i, "date"] = hrec["date"]
        out.at[i, "history"] = _history_text(hrec)
        if rec["event_confidence"] == "probable" and hrec.get("confidence") == "confirmed":
            out.at[i, "event_confidence"] = "confirmed"
            out.at[i, "why"] = f"the dated history shows it; {rec['why']}"
    extra = [
        {
            C.BLOOMBERG_TICKER: hrec["previous"] if hrec["event"] == "renamed" else hrec["ticker"],
            "event": hrec["event"],
            C.COMPOSITE_FIGI: hrec["entity"],
            "event_confidence": hrec.get("confidence") or "probable",
            "why": "only the dated history shows it",
            "date": hrec["date"],
            "history": _history_text(hrec.to_dict()),
            "sources": "history",
        }
        for j, hrec in h.iterrows()
        if j not in used
    ]
    merged = pd.concat([out, pd.DataFrame(extra, columns=_EVENT_COLUMNS)], ignore_index=True)
    merged = merged if not merged.empty else out
    return merged.sort_values(["event", C.BLOOMBERG_TICKER], kind="stable").reset_index(drop=True)


def audit_file(
    universe_path: str | Path,
    out: str | Path | None = None,
    *,
    events: Sequence[Event | Reason] = EVENT_REASONS,
    history: str | Path | None = None,
) -> tuple[pd.DataFrame, Path | None]:
    """Read a reconcile output, :func:`audit_events` it, date it with ``history``, write it.

    The one call ``tickermap audit delisted`` makes; returns the events and the path written.

    Args:
        universe_path: the output of ``tickermap reconcile``.
        out: where to write the events (None: not written).
        events: which events to list.
        history: the events table of ``tickermap history`` (``*.events.csv``), merged by
            :func:`merge_history`.
    """
    from tickermap.tables import read_table, write_table

    found = audit_events(read_table(universe_path), events=events, path=universe_path)
    if history is not None:
        found = merge_history(found, read_table(history), path=history)
        wanted = {str(e) for e in events} | (
            {"exited"} if "delisted" in set(map(str, events)) else set()
        )
        found = found[found["event"].isin(wanted)].reset_index(drop=True)
    return found, None if out is None else write_table(found, out)
