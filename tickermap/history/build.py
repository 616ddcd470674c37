"""``tickermap history``: dated universe files -> spells, events and findings, written atomically.

:func:`build_history` is the one call behind the command; it reads
(:mod:`tickermap.history.read`), cuts spells (:mod:`tickermap.history.spells`) and reads events off
them (:mod:`tickermap.history.events`). :func:`write_history` writes the three tables; nothing is
printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tickermap.errors import ConfigError
from tickermap.history._dates import days_to_date
from tickermap.history.events import find_events
from tickermap.history.findings import findings_frame
from tickermap.history.read import read_universe_files
from tickermap.history.spells import build_spells
from tickermap.progress import Progress
from tickermap.tables import write_table

__all__ = [
    "HistoryResult",
    "HistoryRun",
    "build_history",
    "check_outputs",
    "history_paths",
    "run_history",
    "write_history",
]


@dataclass(frozen=True, slots=True)
class HistoryResult:
    """What ``tickermap history`` produces.

    Attributes:
        spells: ``<ticker>, <entity>, first_date, last_date, n_dates, gaps, flags``.
        events: ``event, date, <ticker>, <entity>, previous, previous_last_date, confidence,
            note``.
        findings: ``kind, file, row, date, ticker, entity, count, message``.
        rows_read: rows in the inputs.
        dates: distinct dates.
        first_date: the history's first date (ISO), "" when empty.
        last_date: its last date.
        ticker_column: the ticker column's name.
        entity_column: the entity column's name.
    """

    spells: pd.DataFrame
    events: pd.DataFrame
    findings: pd.DataFrame
    rows_read: int
    dates: int
    first_date: str
    last_date: str
    ticker_column: str
    entity_column: str


def _iso(values: pd.Series) -> list[str]:
    return [days_to_date(int(v)).isoformat() for v in values]


def _flags(sp: pd.DataFrame, glitches: set[int]) -> list[str]:
    prev_last = sp.groupby("t")["last"].cummax().groupby(sp["t"]).shift()
    nxt_first = sp.groupby("t")["first"].shift(-1)
    overlap = (sp["first"] <= prev_last).fillna(False).to_numpy(dtype=bool) | (
        (nxt_first <= sp["last"]).fillna(False).to_numpy(dtype=bool)
    )
    out = []
    for i in range(len(sp)):
        flags = [f for f, on in (("glitch", i in glitches), ("overlap", overlap[i])) if on]
        out.append(";".join(flags))
    return out


def build_history(
    paths: Sequence[str | Path],
    *,
    date_column: str | None = None,
    ticker_column: str | None = None,
    entity_column: str | None = None,
    max_glitch: int = 2,
    confirm_dates: int = 3,
    progress: Progress | None = None,
) -> HistoryResult:
    """Spells, events and findings of dated universe files.

    Args:
        paths: Numerai v2.x train/validation/live Parquet, older ``bloomberg_ticker`` +
            ``friday_date`` files, or any CSV/Parquet with a date, a ticker and an entity.
        date_column, ticker_column, entity_column: override the column detection.
        max_glitch: an entity run of at most this many dates between runs of another entity
            is a glitch (reported, no event).
        confirm_dates: both sides of a change must last this many dates to be ``confirmed``.
        progress: receives rows read per batch.

    Raises:
        InputError: see :func:`~tickermap.history.read.read_universe_files`.
        ConfigError: bad thresholds.
    """
    if max_glitch < 0 or confirm_dates < 1:
        raise ConfigError("max_glitch must be >= 0 and confirm_dates >= 1")
    obs = read_universe_files(
        paths,
        date_column=date_column,
        ticker_column=ticker_column,
        entity_column=entity_column,
        progress=progress,
    )
    spells = build_spells(obs)
    events, flaps, glitches = find_events(
        obs, spells, max_glitch=max_glitch, confirm_dates=confirm_dates
    )
    sp = spells.frame
    tickers = np.asarray(obs.tickers, dtype=object)
    entities = np.asarray([*obs.entities, ""], dtype=object)  # code -1 -> ""
    table = pd.DataFrame(
        {
            obs.ticker_column: tickers[sp["t"].to_numpy()] if len(sp) else [],
            obs.entity_column: entities[sp["e"].to_numpy()] if len(sp) else [],
            "first_date": _iso(sp["first"]),
            "last_date": _iso(sp["last"]),
            "n_dates": sp["n"].astype(np.int64).to_numpy(),
            "gaps": sp["gaps"].astype(np.int64).to_numpy(),
            "flags": _flags(sp, glitches),
        }
    )
    events = events.rename(columns={"ticker": obs.ticker_column, "entity": obs.entity_column})
    findings = findings_frame([*obs.findings, *spells.findings, *flaps])
    dates = spells.dates
    return HistoryResult(
        spells=table,
        events=events,
        findings=findings,
        rows_read=obs.rows_read,
        dates=len(dates),
        first_date=days_to_date(int(dates[0])).isoformat() if len(dates) else "",
        last_date=days_to_date(int(dates[-1])).isoformat() if len(dates) else "",
        ticker_column=obs.ticker_column,
        entity_column=obs.entity_column,
    )


def history_paths(
    out: Path, *, events: Path | None = None, findings: Path | None = None
) -> dict[str, Path]:
    """Where the three tables go: OUT, and EVENTS / FINDINGS (default beside OUT).

    >>> sorted(p.name for p in history_paths(Path("h.csv")).values())
    ['h.csv', 'h.events.csv', 'h.findings.csv']
    """
    ext = out.suffix or ".csv"
    stem = out.name[: len(out.name) - len(out.suffix)] if out.suffix else out.name
    return {
        "spells": out,
        "events": events if events is not None else out.with_name(f"{stem}.events{ext}"),
        "findings": findings if findings is not None else out.with_name(f"{stem}.findings{ext}"),
    }


def check_outputs(
    out: Path,
    *,
    inputs: Sequence[Path] = (),
    events: Path | None = None,
    findings: Path | None = None,
) -> dict[str, Path]:
    """The output paths, refused (:func:`tickermap.tables.check_outputs`) when one is an input,
    two are the same file, or one cannot be written.

    Raises:
        ConfigError: an output path is an input or another output.
    """
    from tickermap.tables import check_outputs as check_paths

    paths = history_paths(out, events=events, findings=findings)
    options = {
        "--out": paths["spells"],
        "--events": paths["events"],
        "--findings": paths["findings"],
    }
    check_paths(inputs=inputs, outputs=options)
    return paths


def write_history(
    result: HistoryResult,
    out: Path,
    *,
    inputs: Sequence[Path] = (),
    events: Path | None = None,
    findings: Path | None = None,
) -> list[Path]:
    """Write spells to ``out``, events and findings beside it (or where given), atomically.

    Raises:
        ConfigError: an output path is an input or another output.
    """
    paths = check_outputs(out, inputs=inputs, events=events, findings=findings)
    write_table(result.spells, paths["spells"])
    write_table(result.events, paths["events"])
    write_table(result.findings, paths["findings"])
    return list(paths.values())


@dataclass(frozen=True, slots=True)
class HistoryRun:
    """What one ``tickermap history`` call did: a history built, or a map on a date read."""

    result: HistoryResult | None
    at_table: pd.DataFrame | None
    written: list[Path]


def run_history(
    files: Sequence[Path],
    *,
    out: Path | None,
    at: str | None = None,
    events: Path | None = None,
    findings: Path | None = None,
    date_column: str | None = None,
    ticker_column: str | None = None,
    entity_column: str | None = None,
    progress: Progress | None = None,
) -> HistoryRun:
    """The one call of ``tickermap history``: build and write a history, or (``at``) the map on
    a date of one history file (written to ``out`` when given).

    Raises:
        ConfigError: missing ``--out``, several files with ``at``, or an output that is an input.
    """
    if at is not None:
        from tickermap.history.pit import load_history, map_at

        if len(files) != 1:
            raise ConfigError("--at takes exactly one HISTORY file (written by tickermap history)")
        if out is not None:
            from tickermap.tables import check_outputs as check_paths

            check_paths(inputs=files, outputs={"--out": out})
        table = map_at(load_history(files[0]), at)
        return HistoryRun(None, table, [] if out is None else [write_table(table, out)])
    if out is None:
        raise ConfigError("give --out HISTORY (or --at DATE with one history file)")
    check_outputs(out, inputs=files, events=events, findings=findings)
    result = build_history(
        files,
        date_column=date_column,
        ticker_column=ticker_column,
        entity_column=entity_column,
        progress=progress,
    )
    written = write_history(result, out, inputs=files, events=events, findings=findings)
    return HistoryRun(result, None, written)
