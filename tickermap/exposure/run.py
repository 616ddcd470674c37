"""The exposure run end to end: read the tables, join, compute, and write the report files.

:func:`run_exposure` is the one call behind ``tickermap exposure``: it reads the signal and the
features (:mod:`tickermap.exposure.inputs`) and optionally the cleaned universe, re-keys the
signal through :mod:`tickermap.exposure.joins`, computes per-date exposures
(:mod:`tickermap.exposure.per_date`, both methods), optionally neutralises
(:mod:`tickermap.exposure.neutralize`) and measures churn (:mod:`tickermap.exposure.churn`).
:func:`write_outputs` writes the tables atomically, the bar-chart PNG and a self-contained HTML
page (:mod:`tickermap.exposure.html`). It never prints.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from tickermap.columns import DATE
from tickermap.errors import AnalysisError, InputError
from tickermap.exposure.churn import churn, summarize_churn
from tickermap.exposure.command import (
    ChurnLine,
    ExposureView,
    check_paths,
    forum_rows,
    output_paths,
    planned_outputs,
)
from tickermap.exposure.inputs import (
    DATES_PER_BATCH,
    STREAM_BYTES,
    feature_batches,
    load_numeric,
    read_signal,
)
from tickermap.exposure.joins import DEFAULT_EXCLUDED_STATUSES, JoinResult, join_through_universe
from tickermap.exposure.neutralize import neutralize
from tickermap.exposure.per_date import (
    Method,
    feature_columns,
    per_date_exposures,
    summarize_exposures,
)
from tickermap.features.compute import USD_MARKET_CAP
from tickermap.progress import Progress, ensure
from tickermap.tables import atomic_path, read_table, write_table

if TYPE_CHECKING:
    from tickermap.history.pit import History

__all__ = [
    "DATES_PER_BATCH",
    "STREAM_BYTES",
    "ExposureReport",
    "exposure_files",
    "forum_table",
    "load_numeric",
    "output_paths",
    "planned_outputs",
    "run_exposure",
    "view_of",
    "write_outputs",
]

log = logging.getLogger(__name__)

SIZE = "size"
"""``--neutralize size`` means log(``size_column``), USD market cap by default."""


@dataclass(frozen=True, slots=True)
class ExposureReport:
    """Everything ``tickermap exposure`` produces (all plain DataFrames).

    Attributes:
        per_date: ``stage, method, date, feature, exposure, n_tickers, reason``.
        summary: per stage, method and feature (see ``summarize_exposures``).
        coverage: per date signal rows, matched rows, share, low-coverage flag.
        unmatched: every signal row that did not join, with the reason.
        churn: per date churn measures; ``churn_summary`` their summary.
        key: the join key used (the features' key).
        settings: the run's options in words (join, neutralisation, churn), for the report.
    """

    per_date: pd.DataFrame
    summary: pd.DataFrame
    coverage: pd.DataFrame
    unmatched: pd.DataFrame
    churn: pd.DataFrame
    churn_summary: pd.DataFrame
    key: str
    settings: dict[str, str] = field(default_factory=dict)


def _load_history(path: Path) -> History:
    from tickermap.history.pit import load_history

    return load_history(path)


def run_exposure(
    signal_path: Path,
    features_path: Path,
    *,
    universe_path: Path | None = None,
    signal_key: str | None = None,
    signal_column: str | None = None,
    features_key: str | None = None,
    neutralize_to: Sequence[str] = (),
    size_column: str = USD_MARKET_CAP,
    proportion: float = 1.0,
    top_n: int | None = 50,
    methods: Sequence[Method] = ("numerai", "spearman"),
    exclude_statuses: Sequence[str] = tuple(sorted(DEFAULT_EXCLUDED_STATUSES)),
    stream: bool | None = None,
    progress: Progress | None = None,
    history_path: Path | None = None,
) -> ExposureReport:
    """Read, join, compute exposures (before and after neutralisation) and churn.

    Args:
        signal_path: ``date, <key>, signal`` (CSV or Parquet).
        features_path: ``date, <key>, <numeric feature columns>``.
        universe_path: the cleaned universe (reconcile output) to translate keys; optional.
        signal_key: the signal's key column (default: the first of ``JOIN_KEYS`` present).
        signal_column: the signal's value column (default ``signal``, else ``prediction``).
        features_key: the features' key column (same default).
        neutralize_to: feature columns, or ``"size"`` for log(``size_column``).
        size_column: the market-cap column ``size`` refers to.
        proportion: neutralisation proportion (numerai-tools ``neutralize``).
        top_n: N of the top/bottom churn overlap (None: skip); a pair of dates with under 2N
            tickers uses half the smaller date's tickers (``top_n`` column of the churn).
        methods: exposure methods to compute.
        exclude_statuses: universe statuses that must not join.
        stream: read the features per batch of dates (None: automatic above 1 GiB Parquet).
        progress: receives progress per batch.
        history_path: a history file (``tickermap history``) for the point-in-time join.

    Returns:
        The :class:`ExposureReport`.

    Raises:
        InputError: unreadable or malformed files. AnalysisError: nothing joined.
    """
    prog = ensure(progress)
    signal, skey = read_signal(signal_path, signal_key, signal_column)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # churn needs the signal alone: it runs on the second core while the features are
        # read and scored (numpy and pyarrow release the GIL); result() raises its errors.
        # N of the top/bottom overlap fits the dates (scale_top_n).
        churn_job = pool.submit(churn, signal, top_n=top_n, key=skey, scale_top_n=True)
        universe = read_table(universe_path) if universe_path is not None else None
        fkeys, batches = feature_batches(features_path, features_key, stream, prog)
        fkey = str(fkeys.columns[1])
        history = None if history_path is None else _load_history(history_path)
        try:
            joined = _join(signal, fkeys, universe, skey, fkey, exclude_statuses, history)
        except InputError as exc:  # only the universe's columns are checked in the join
            if universe_path is not None:
                exc.locate(universe_path)
            raise
        neutral_cols = [size_column if c == SIZE else c for c in neutralize_to]
        log_columns = [size_column] if SIZE in neutralize_to else []
        parts = []
        for feats in batches:
            in_batch = joined.frame[DATE].isin(feats[DATE].unique()).to_numpy()
            sig = joined.frame if in_batch.all() else joined.frame[in_batch]
            stages = [("raw", sig)]
            if neutral_cols:
                neutral = neutralize(
                    sig, feats, columns=neutral_cols, proportion=proportion, key=fkey,
                    log_columns=log_columns,
                )  # fmt: skip
                stages.append(("neutralized", neutral))
            parts += _exposures(stages, feats, methods, fkey)
        per_date = pd.concat(parts, ignore_index=True)
        churned = churn_job.result()
        return ExposureReport(
            per_date=per_date,
            summary=summarize_exposures(per_date),
            coverage=joined.coverage,
            unmatched=joined.unmatched,
            churn=churned,
            churn_summary=summarize_churn(churned),
            key=fkey,
            settings={
                "join": f"signal {skey!r} -> features {fkey!r}"
                + (" through the cleaned universe" if universe is not None else "")
                + (" point-in-time (history)" if history is not None else ""),
                "statuses excluded from the join": ", ".join(exclude_statuses) or "none",
                "exposure methods": ", ".join(methods),
                "neutralised to": ", ".join(neutral_cols) or "none (no neutralisation)",
                "log-transformed before neutralising": ", ".join(log_columns) or "none",
                "neutralisation proportion": f"{proportion:g}" if neutral_cols else "n/a",
                "churn top/bottom N": "off" if top_n is None else str(top_n),
            },
        )


def _join(
    signal: pd.DataFrame,
    fkeys: pd.DataFrame,
    universe: pd.DataFrame | None,
    skey: str,
    fkey: str,
    exclude_statuses: Sequence[str],
    history: History | None,
) -> JoinResult:
    joined = join_through_universe(
        signal,
        fkeys,
        universe=universe,
        signal_key=skey,
        features_key=fkey,
        exclude_statuses=exclude_statuses,
        history=history,
    )
    if joined.frame.empty:
        raise AnalysisError(
            f"no signal row joined a feature row (keys {skey!r} -> {fkey!r}); first unmatched "
            f"reasons: {joined.unmatched['reason'].value_counts().head(3).to_dict()}"
        )
    return joined


def _exposures(
    stages: Sequence[tuple[str, pd.DataFrame]],
    feats: pd.DataFrame,
    methods: Sequence[Method],
    fkey: str,
) -> list[pd.DataFrame]:
    """Per-date exposures of each stage's signal by each method, labelled ``stage, method``."""
    cols = feature_columns(feats, key=fkey)
    parts = []
    for stage, s in stages:
        for method in methods:
            per = per_date_exposures(s, feats, method=method, key=fkey, columns=cols)
            per.insert(0, "method", method)
            per.insert(0, "stage", stage)
            parts.append(per)
    return parts


def forum_table(report: ExposureReport) -> pd.DataFrame:
    """The headline table: one row per feature, Numerai-method raw exposures first.

    Columns: ``feature, mean, std, sharpe, positive_share, latest, max_abs`` of the primary
    method, plus ``spearman`` (its mean) and ``neutralized`` (mean after neutralisation) when
    computed. Sorted like the forum post: largest positive first, most negative last
    (:func:`~tickermap.exposure.command.forum_rows`, which the fast path shares).
    """
    s = report.summary
    columns, rows = forum_rows({c: s[c].to_numpy() for c in s.columns})
    return pd.DataFrame(rows, columns=list(columns))


def view_of(report: ExposureReport) -> ExposureView:
    """What ``tickermap exposure`` prints of a report: the forum table, coverage and churn."""
    s = report.summary
    columns, rows = forum_rows({c: s[c].to_numpy() for c in s.columns})
    cov = report.coverage
    kept = cov.get("kept_out_by_history")
    return ExposureView(
        columns=columns,
        rows=tuple(rows),
        matched=int(cov["matched"].sum()),
        signal_rows=int(cov["signal_rows"].sum()),
        worst_coverage=float(cov["coverage"].min()),
        low_dates=int(cov["low_coverage"].sum()),
        kept_out=None if kept is None else int(kept.sum()),
        churn=tuple(ChurnLine.of(row) for row in report.churn_summary.to_dict("records")),
    )


def write_outputs(
    report: ExposureReport, out: Path, *, plot: Path | None = None, html_path: Path | None = None
) -> list[Path]:
    """Write the summary to ``out`` and the other tables beside it; PNG and HTML when asked.

    Returns:
        The paths written.
    """
    paths = output_paths(out)
    tables = {
        "summary": report.summary,
        "per_date": report.per_date,
        "coverage": report.coverage,
        "unmatched": report.unmatched,
        "churn": report.churn,
    }
    for name, frame in tables.items():
        write_table(frame, paths[name])
    written = list(paths.values())
    table = forum_table(report)
    from tickermap.exposure.html import bar_chart_png, html_report  # only for --plot / --report

    if plot is not None:
        with atomic_path(plot) as tmp:
            tmp.write_bytes(bar_chart_png(table))
        written.append(plot)
    if html_path is not None:
        with atomic_path(html_path) as tmp:
            tmp.write_text(html_report(report, table), encoding="utf-8")
        written.append(html_path)
    return written


def exposure_files(
    signal_path: Path,
    features_path: Path,
    out: Path,
    *,
    plot: Path | None = None,
    html_path: Path | None = None,
    **options: Any,
) -> tuple[ExposureReport, list[Path]]:
    """:func:`run_exposure` (``options`` are its keywords) then :func:`write_outputs`.

    For library users who want the whole report; ``tickermap exposure`` calls
    :func:`~tickermap.exposure.command.exposure_command` (which may skip pandas).
    """
    check_paths(signal_path, features_path, out, plot=plot, html_path=html_path, **options)
    report = run_exposure(signal_path, features_path, **options)
    return report, write_outputs(report, out, plot=plot, html_path=html_path)
