"""The diagnostics run: open Numerai's files, score block by block of dates, summarise, write.

:func:`run_diagnostics` is the one call behind ``tickermap diagnostics``. The signal decides the
dates and the ID column; every other input is read only for the dates of the current block
(Parquet: row groups and columns pruned), so memory stays bounded by one block however large the
neutralizer file is. This module never prints.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tickermap.diagnostics.churn import churn_pairs
from tickermap.diagnostics.inputs import Source, open_source
from tickermap.diagnostics.scoring import METRICS, MIN_TICKERS, make_block, score_block
from tickermap.diagnostics.summary import apply_rules, summarize
from tickermap.errors import ConfigError, InputError
from tickermap.progress import Progress, ensure
from tickermap.tables import no_rows_error, write_table

__all__ = [
    "BLOCK_CELLS",
    "DiagnosticsReport",
    "check_output_paths",
    "diagnostics_files",
    "nan_reason_notes",
    "output_paths",
    "run_diagnostics",
    "score_sources",
    "write_outputs",
]

log = logging.getLogger(__name__)

BLOCK_CELLS = 16_000_000
"""Rows x neutralizer columns per block of dates (about 128 MB per float64 matrix)."""
_CONVERTIBLE = {"numerai_ticker", "bloomberg_ticker"}


@dataclass
class DiagnosticsReport:
    """Per-date metrics, their summary, Numerai's rules applied, and notes on the inputs."""

    per_date: pd.DataFrame
    summary: pd.DataFrame
    rules: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    id_col: str = ""


def _align_ids(signal: Source, other: Source) -> None:
    if other.id_col == signal.id_col:
        return
    if {other.id_col, signal.id_col} <= _CONVERTIBLE:
        other.convert = signal.id_col
        return
    raise InputError(
        f"the {other.name} file is keyed by {other.id_col!r} but the signal by "
        f"{signal.id_col!r}; give both in one ID column (tickermap symbols converts "
        "bloomberg_ticker and numerai_ticker; a reconcile universe maps FIGIs)",
        path=other.path,
        line=1,
    )


def score_sources(
    signal: Source,
    others: dict[str, Source],
    *,
    min_tickers: int = MIN_TICKERS,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Score every date of the signal, one block of dates at a time; (per-date table, notes)."""
    prog = ensure(progress)
    for src in others.values():
        _align_ids(signal, src)
    dates = signal.dates.to_numpy()
    if not len(dates):
        raise no_rows_error(signal.path, "there is no signal to score")
    assert signal.frame is not None
    per_day = int(signal.frame.groupby("date").size().max())
    width = max((len(s.value_cols) for s in others.values()), default=1) + 1
    step = max(1, BLOCK_CELLS // max(per_day * width, 1))
    tables, states = [], []
    prog.start("diagnostics", total=len(dates))
    for lo in range(0, len(dates), step):  # blocks of dates: the metrics are batched inside
        block_dates = dates[lo : lo + step]
        frames = {"signal": signal.read(block_dates, signal.id_col)}
        mats = {}
        for name, src in others.items():
            frame = src.read(block_dates, signal.id_col)
            if name in ("neutralizers", "features"):
                mats[name] = (frame, src.value_names)
            else:
                frames[name] = frame
        block = make_block(block_dates, frames, signal.id_col, matrices=mats)
        table, state = score_block(block, min_tickers=min_tickers)
        tables.append(table)
        states.append(state)
        prog.advance(len(block_dates))
    prog.finish()
    per_date = pd.concat(tables, ignore_index=True)
    if any(len(s) for s in states):
        per_date = _add_churn(per_date, states, dates)
    return per_date, _notes(per_date, others)


def _add_churn(
    per_date: pd.DataFrame, states: list[pd.DataFrame], dates: np.ndarray
) -> pd.DataFrame:
    attrs = {
        key: pd.concat([s.attrs[key] for s in states if key in s.attrs])
        for key in ("problems", "neutral_problems")
    }
    for s in states:
        s.attrs = {}
    state = pd.concat([s for s in states if len(s)], ignore_index=True)
    state.attrs.update(attrs)
    pairs = churn_pairs(state, dates)
    reasons = pairs.attrs["reasons"]
    text = per_date["reasons"].to_numpy(dtype=object)
    for col in ("churn", "neutral_churn", "neutral_churn_penalty", "turnover"):
        per_date[col] = pairs[col].to_numpy()
        r = reasons[col]
        add = np.array([f"{col}: {x}" if x else "" for x in r], dtype=object)
        text = np.array(
            [
                a if not b else (b if a == "ok" else f"{a}; {b}")
                for a, b in zip(text, add, strict=True)
            ],
            dtype=object,
        )
    per_date["reasons"] = text
    order = ["date", *[c for c in per_date.columns if c.startswith("n_")]]
    order += [m for m in METRICS if m in per_date.columns]
    order += [c for c in per_date.columns if c not in order]
    return per_date[order]


def _notes(per_date: pd.DataFrame, others: dict[str, Source]) -> list[str]:
    notes = []
    n = len(per_date)
    for name in others:
        col = f"n_{name}"
        if col in per_date.columns:
            none = int((per_date[col] == 0).sum())
            if none:
                notes.append(f"{name}: no rows on {none} of the {n} signal dates")
        miss = f"missing_{name}"
        if miss in per_date.columns and per_date[miss].sum():
            notes.append(
                f"{name}: {int(per_date[miss].sum())} signal rows have no {name} row; left out "
                "of the metrics that need it, as numerai-tools' index filtering does"
            )
    if "reasons" in per_date.columns:
        notes.extend(nan_reason_notes(per_date["reasons"].astype(str)))
    return notes


def nan_reason_notes(reasons: pd.Series) -> list[str]:
    """One note per reason a metric was left NaN, with how many dates it hit (the per-date
    ``reasons`` column says which metric)."""
    dates: dict[str, int] = {}
    for text in reasons[reasons != "ok"]:
        why = {part.split(": ", 1)[-1] for part in text.split("; ")}
        for w in why:
            dates[w] = dates.get(w, 0) + 1
    n = len(reasons)
    return [
        f"metrics left NaN on {k} of the {n} dates: {w} (the 'reasons' column of --out names "
        "the metrics)"
        for w, k in sorted(dates.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def output_paths(out: Path) -> dict[str, Path]:
    """OUT is the per-date table; the summary and rules go beside it.

    >>> sorted(p.name for p in output_paths(Path("d/diag.csv")).values())
    ['diag.csv', 'diag.rules.csv', 'diag.summary.csv']
    """
    ext = out.suffix or ".csv"
    stem = out.name[: len(out.name) - len(out.suffix)] if out.suffix else out.name
    return {
        "per_date": out,
        "summary": out.with_name(f"{stem}.summary{ext}"),
        "rules": out.with_name(f"{stem}.rules{ext}"),
    }


def run_diagnostics(
    signal_path: Path,
    *,
    signal_column: str | None = None,
    targets_path: Path | None = None,
    target_column: str | None = None,
    neutralizers_path: Path | None = None,
    sample_weights_path: Path | None = None,
    meta_model_path: Path | None = None,
    meta_model_column: str | None = None,
    features_path: Path | None = None,
    min_tickers: int = MIN_TICKERS,
    progress: Progress | None = None,
) -> DiagnosticsReport:
    """Read the files, score every signal date, summarise and apply Numerai's rules.

    Raises:
        InputError: unreadable or malformed files, unknown columns, ID mismatch.
        ConfigError: no metric can be computed from the inputs given.
    """
    if min_tickers < 1:
        raise ConfigError(f"--min-tickers must be positive, got {min_tickers}")
    churn_inputs = neutralizers_path is not None and sample_weights_path is not None
    if targets_path is None and features_path is None and not churn_inputs:
        raise ConfigError(
            "nothing to compute from these inputs: give --targets (numerai_corr, alpha, MMC with "
            "--meta-model, ...), --features (max_feature_correlation), or --neutralizers with "
            "--sample-weights (churn, turnover, neutral_churn)"
        )
    signal = open_source(signal_path, "signal", value_col=signal_column)
    others: dict[str, Source] = {}
    if targets_path is not None:
        cands = ("target", "target_20d", "target_chili_60")
        others["targets"] = (
            open_source(targets_path, "targets", value_col=target_column, value_candidates=cands)
            if target_column is None
            else open_source(targets_path, "targets", value_col=target_column)
        )
    if neutralizers_path is not None:
        others["neutralizers"] = open_source(
            neutralizers_path, "neutralizers", prefix="neutralizer"
        )
    if sample_weights_path is not None:
        others["sample_weights"] = open_source(
            sample_weights_path, "sample_weights", value_candidates=("sample_weights", "weight")
        )
    if meta_model_path is not None:
        others["meta_model"] = (
            open_source(
                meta_model_path,
                "meta_model",
                value_col=meta_model_column,
                value_candidates=("numerai_meta_model", "meta_model", "prediction", "signal"),
            )
            if meta_model_column
            else open_source(
                meta_model_path,
                "meta_model",
                value_candidates=("numerai_meta_model", "meta_model", "prediction", "signal"),
            )
        )
    if features_path is not None:
        others["features"] = open_source(features_path, "features", prefix="feature")
    per_date, notes = score_sources(signal, others, min_tickers=min_tickers, progress=progress)
    metrics = [m for m in METRICS if m in per_date.columns]
    return DiagnosticsReport(
        per_date=per_date,
        summary=summarize(per_date, metrics),
        rules=apply_rules(per_date),
        notes=notes,
        id_col=signal.id_col,
    )


def check_output_paths(
    out: Path, *, inputs: Sequence[Path | None], html_path: Path | None = None
) -> dict[str, Path]:
    """Every output path (:func:`output_paths` and the page), refused when one is an input, two
    are the same file, or one cannot be written (:func:`tickermap.tables.check_outputs`).

    Raises:
        ConfigError: an output path is an input or another output.
    """
    from tickermap.tables import check_outputs

    paths = output_paths(out)
    if html_path is not None:
        paths["html"] = html_path
    options = {"--out": out, "--out (summary)": paths["summary"], "--out (rules)": paths["rules"]}
    check_outputs(inputs=inputs, outputs={**options, "--report": html_path})
    return paths


def diagnostics_files(
    signal_path: Path, out: Path, *, html_path: Path | None = None, **options: Any
) -> tuple[DiagnosticsReport, list[Path]]:
    """The one call of ``tickermap diagnostics``: check the output paths, then
    :func:`run_diagnostics` (``options`` are its keywords) and :func:`write_outputs`.
    """
    inputs = [signal_path, *(v for k, v in options.items() if k.endswith("_path"))]
    check_output_paths(out, inputs=inputs, html_path=html_path)
    report = run_diagnostics(signal_path, **options)
    return report, write_outputs(report, out, inputs=inputs, html_path=html_path)


def write_outputs(
    report: DiagnosticsReport,
    out: Path,
    *,
    inputs: Sequence[Path | None],
    html_path: Path | None = None,
) -> list[Path]:
    """Write the per-date table to ``out``, the summary and rules beside it, and the page.

    Raises:
        ConfigError: an output path is an input or another output.
    """
    paths = check_output_paths(out, inputs=inputs, html_path=html_path)
    write_table(report.per_date, paths["per_date"])
    write_table(report.summary, paths["summary"])
    write_table(report.rules, paths["rules"])
    if html_path is not None:
        from tickermap.tables import atomic_path

        with atomic_path(html_path) as tmp:
            from tickermap.diagnostics.html import html_page

            tmp.write_text(html_page(report), encoding="utf-8")
    return list(paths.values())
