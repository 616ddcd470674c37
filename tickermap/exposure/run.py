"""The exposure run end to end: read the tables, join, compute, and write the report files.

:func:`run_exposure` is the one call behind ``tickermap exposure``: it reads the signal, the
features and (optionally) the cleaned universe with clear :class:`~tickermap.errors.InputError`
messages (file, line, column, value), re-keys the signal through :mod:`tickermap.exposure.joins`,
computes
per-date exposures (:mod:`tickermap.exposure.per_date`, both methods), optionally neutralises
(:mod:`tickermap.exposure.neutralize`) and measures churn (:mod:`tickermap.exposure.churn`).
:func:`write_outputs` writes the tables atomically, the bar-chart PNG and a self-contained HTML
page (matplotlib Agg, images embedded as base64). This is the only exposure module doing I/O; it
never prints.

Streaming: a Parquet features file larger than :data:`STREAM_BYTES` (or ``stream=True``) is read
per batch of :data:`DATES_PER_BATCH` dates with a ``pyarrow.dataset`` filter on the date column,
so only one batch of feature rows is in memory; the results are identical (every number is per
date).
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tickermap.columns import DATE, SIGNAL, detect_signal_column
from tickermap.errors import AnalysisError, InputError
from tickermap.exposure.churn import churn, summarize_churn
from tickermap.exposure.joins import DEFAULT_EXCLUDED_STATUSES, JOIN_KEYS, join_through_universe
from tickermap.exposure.neutralize import neutralize
from tickermap.exposure.per_date import (
    Method,
    feature_columns,
    per_date_exposures,
    summarize_exposures,
)
from tickermap.features.compute import USD_MARKET_CAP
from tickermap.progress import Progress, ensure
from tickermap.tables import atomic_path, read_table, table_format, write_table

__all__ = [
    "DATES_PER_BATCH",
    "STREAM_BYTES",
    "ExposureReport",
    "bar_chart_png",
    "forum_table",
    "html_report",
    "load_numeric",
    "output_paths",
    "run_exposure",
    "write_outputs",
]

log = logging.getLogger(__name__)

STREAM_BYTES = 1 << 30
"""Parquet features files above 1 GiB are streamed per batch of dates."""
DATES_PER_BATCH = 20
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
    """

    per_date: pd.DataFrame
    summary: pd.DataFrame
    coverage: pd.DataFrame
    unmatched: pd.DataFrame
    churn: pd.DataFrame
    churn_summary: pd.DataFrame
    key: str


def _line(frame: pd.DataFrame, pos: int, path: Path) -> int | None:
    # CSV line numbers: header is line 1; Parquet has no lines
    return int(frame.index[pos]) + 2 if table_format(path) == "csv" else None


def load_numeric(frame: pd.DataFrame, columns: Sequence[str], path: Path) -> pd.DataFrame:
    """Convert ``columns`` to float64 in place of strings; a bad cell raises with its line.

    Raises:
        InputError: naming the file, line, column and value that is not a number.
    """
    for col in columns:
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype
        ):
            if series.dtype != np.float64:
                frame[col] = series.astype(np.float64)
            continue
        values = pd.to_numeric(series, errors="coerce")
        bad = np.flatnonzero(values.isna().to_numpy() & series.notna().to_numpy())
        if len(bad):
            raise InputError(
                f"not a number ({len(bad)} such cells in this column); fix or blank it",
                path=path,
                line=_line(frame, int(bad[0]), path),
                column=col,
                value=series.iloc[int(bad[0])],
            )
        frame[col] = values.astype(np.float64)
    return frame


def _parse_dates(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    raw = frame[DATE]
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        frame[DATE] = raw.astype("datetime64[ns]")
        return frame
    text = raw.astype(str)
    compact = text.str.fullmatch(r"\d{8}").all()  # friday_date style 20240105
    parsed = pd.to_datetime(text, errors="coerce", format="%Y%m%d" if compact else "ISO8601")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        raise InputError(
            "not a date (use YYYY-MM-DD or YYYYMMDD)",
            path=path,
            line=_line(frame, int(bad[0]), path),
            column=DATE,
            value=raw.iloc[int(bad[0])],
        )
    frame[DATE] = parsed.astype("datetime64[ns]")
    return frame


def _check_duplicates(frame: pd.DataFrame, key: str, path: Path) -> None:
    dup = frame.duplicated([DATE, key])
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"duplicate ({DATE}, {key}) row ({int(dup.sum())} in total); keep one row per "
            "ticker and date",
            path=path,
            line=_line(frame, pos, path),
            column=key,
            value=frame[key].iloc[pos],
        )


def _pick_key(columns: Sequence[str], given: str | None, path: Path, what: str) -> str:
    if given is not None:
        if given not in columns:
            raise InputError(f"the {what} has no key column {given!r}", path=path, line=1)
        return given
    for key in JOIN_KEYS:
        if key in columns:
            return key
    raise InputError(
        f"the {what} has no key column (one of {', '.join(JOIN_KEYS)}); name it with --{what}-key",
        path=path,
        line=1,
    )


def _prepare(frame: pd.DataFrame, key: str, numeric: Sequence[str], path: Path) -> pd.DataFrame:
    if DATE not in frame.columns:
        raise InputError(f"missing required column {DATE!r}", path=path, line=1)
    frame = _parse_dates(frame, path)
    _check_duplicates(frame, key, path)
    return load_numeric(frame, numeric, path)


def _feature_batches(
    path: Path, key: str | None, stream: bool | None, progress: Progress
) -> tuple[pd.DataFrame, Iterator[pd.DataFrame]]:
    """(date and key of every feature row, an iterator over feature batches by date)."""
    parquet = table_format(path) == "parquet"
    if stream is None:
        stream = parquet and path.is_file() and path.stat().st_size > STREAM_BYTES
    if stream and not parquet:
        raise InputError("streaming needs a Parquet features file; convert it", path=path)
    if not stream:
        frame = read_table(path)
        key = _pick_key(list(frame.columns), key, path, "features")
        numeric = [c for c in frame.columns if c not in (DATE, key)]
        frame = _prepare(frame, key, numeric, path)
        return frame[[DATE, key]], iter([frame])
    import pyarrow.dataset as ds  # only needed when streaming
    import pyarrow.parquet as pq

    key = _pick_key(list(pq.read_schema(path).names), key, path, "features")
    key_frame = read_table(path, columns=[DATE, key])
    raw_dates = key_frame[DATE].drop_duplicates().sort_values()
    keys = _prepare(key_frame, key, [], path)
    step = DATES_PER_BATCH
    batches = [raw_dates.iloc[i : i + step] for i in range(0, len(raw_dates), step)]

    def gen() -> Iterator[pd.DataFrame]:
        dataset = ds.dataset(str(path), format="parquet")
        progress.start("features (streamed)", total=len(batches))
        for batch in batches:
            table = dataset.to_table(filter=ds.field(DATE).isin(batch.tolist()))
            frame = table.to_pandas()
            numeric = [c for c in frame.columns if c not in (DATE, key)]
            yield load_numeric(_parse_dates(frame, path), numeric, path)
            progress.advance(1)
        progress.finish()

    return keys, gen()


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
        top_n: N of the top/bottom churn overlap (None: skip).
        methods: exposure methods to compute.
        exclude_statuses: universe statuses that must not join.
        stream: read the features per batch of dates (None: automatic above 1 GiB Parquet).
        progress: receives progress per batch.

    Returns:
        The :class:`ExposureReport`.

    Raises:
        InputError: unreadable or malformed files. AnalysisError: nothing joined.
    """
    prog = ensure(progress)
    raw = read_table(signal_path)
    if signal_column is not None or SIGNAL not in raw.columns:  # 'prediction', or named
        col = detect_signal_column(list(raw.columns), signal_column, signal_path)
        raw = raw.drop(columns=[SIGNAL], errors="ignore").rename(columns={col: SIGNAL})
    skey = _pick_key([c for c in raw.columns if c != SIGNAL], signal_key, signal_path, "signal")
    if SIGNAL not in raw.columns:
        raise InputError(f"missing required column {SIGNAL!r}", path=signal_path, line=1)
    signal = _prepare(raw[[DATE, skey, SIGNAL]], skey, [SIGNAL], signal_path)
    universe = read_table(universe_path) if universe_path is not None else None
    fkeys, batches = _feature_batches(features_path, features_key, stream, prog)
    fkey = str(fkeys.columns[1])
    joined = join_through_universe(
        signal,
        fkeys,
        universe=universe,
        signal_key=skey,
        features_key=fkey,
        exclude_statuses=exclude_statuses,
    )
    if joined.frame.empty:
        raise AnalysisError(
            f"no signal row joined a feature row (keys {skey!r} -> {fkey!r}); first unmatched "
            f"reasons: {joined.unmatched['reason'].value_counts().head(3).to_dict()}"
        )
    neutral_cols = [size_column if c == SIZE else c for c in neutralize_to]
    parts = []
    for feats in batches:
        sig = joined.frame[joined.frame[DATE].isin(feats[DATE].unique())]
        cols = feature_columns(feats, key=fkey)
        stages = [("raw", sig)]
        if neutral_cols:
            neutral = neutralize(
                sig,
                feats,
                columns=neutral_cols,
                proportion=proportion,
                key=fkey,
                log_columns=[size_column] if SIZE in neutralize_to else [],
            )
            stages.append(("neutralized", neutral))
        for stage, s in stages:
            for method in methods:
                per = per_date_exposures(s, feats, method=method, key=fkey, columns=cols)
                per.insert(0, "method", method)
                per.insert(0, "stage", stage)
                parts.append(per)
    per_date = pd.concat(parts, ignore_index=True)
    churned = churn(signal, top_n=top_n, key=skey)
    return ExposureReport(
        per_date=per_date,
        summary=summarize_exposures(per_date),
        coverage=joined.coverage,
        unmatched=joined.unmatched,
        churn=churned,
        churn_summary=summarize_churn(churned),
        key=fkey,
    )


def forum_table(report: ExposureReport) -> pd.DataFrame:
    """The headline table: one row per feature, Numerai-method raw exposures first.

    Columns: ``feature, mean, std, sharpe, positive_share, latest, max_abs`` of the primary
    method, plus ``spearman`` (its mean) and ``neutralized`` (mean after neutralisation) when
    computed. Sorted like the forum post: largest positive first, most negative last.
    """
    s = report.summary
    methods = list(dict.fromkeys(s["method"]))
    primary = "numerai" if "numerai" in methods else methods[0]
    base = s[(s["stage"] == "raw") & (s["method"] == primary)].set_index("feature")
    out = base[["mean", "std", "sharpe", "positive_share", "latest", "max_abs"]].copy()
    if primary != "spearman" and "spearman" in methods:
        sp = s[(s["stage"] == "raw") & (s["method"] == "spearman")].set_index("feature")
        out["spearman"] = sp["mean"]
    neu = s[(s["stage"] == "neutralized") & (s["method"] == primary)].set_index("feature")
    if len(neu):
        out["neutralized"] = neu["mean"]
    return out.sort_values("mean", ascending=False).reset_index()


def _png(fig: object) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    import matplotlib.pyplot as plt

    plt.close(fig)  # type: ignore[arg-type]
    return buf.getvalue()


def bar_chart_png(table: pd.DataFrame) -> bytes:
    """Horizontal bars of the mean exposure per feature (and after neutralisation)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(t) + 1.2))
    y = np.arange(len(t))
    has_neutral = "neutralized" in t.columns
    h = 0.4 if has_neutral else 0.7
    colors = ["#2a7ab0" if v >= 0 else "#c0392b" for v in t["mean"]]
    ax.barh(y + (h / 2 if has_neutral else 0), t["mean"], height=h, color=colors, label="raw")
    if has_neutral:
        ax.barh(y - h / 2, t["neutralized"], height=h, color="#999999", label="neutralized")
        ax.legend(loc="lower right")
    ax.set_yticks(y, t["feature"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("mean exposure (Numerai correlation)")
    ax.set_title("Signal exposure to features")
    return _png(fig)


def _lines_png(frame: pd.DataFrame, column: str, by: str | None, title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    groups = frame.groupby(by) if by else [(column, frame)]
    for name, g in groups:
        ax.plot(g[DATE], g[column], label=str(name), linewidth=1.2)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_title(title)
    if by:
        ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.autofmt_xdate()
    return _png(fig)


def _img(data: bytes, alt: str) -> str:
    return f'<img alt="{alt}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'


def html_report(report: ExposureReport, table: pd.DataFrame) -> str:
    """A self-contained HTML page: table, bar chart, exposure-over-time lines, coverage, churn."""
    raw = report.per_date[(report.per_date["stage"] == "raw")]
    primary = "numerai" if (raw["method"] == "numerai").any() else raw["method"].iloc[0]
    lines = raw[raw["method"] == primary]
    sections = [
        "<h2>Summary</h2>",
        table.to_html(index=False, float_format=lambda v: f"{v:.4f}", border=0),
        _img(bar_chart_png(table), "mean exposure per feature"),
        "<h2>Exposure over time</h2>",
        _img(_lines_png(lines, "exposure", "feature", f"per-date exposure ({primary})"), "lines"),
        "<h2>Coverage</h2>",
        _img(_lines_png(report.coverage, "coverage", None, "share of signal rows joined"), "cov"),
    ]
    if report.churn["churn"].notna().any():
        sections += [
            "<h2>Churn</h2>",
            report.churn_summary.to_html(index=False, float_format=lambda v: f"{v:.4f}"),
            _img(_lines_png(report.churn, "churn", None, "churn vs previous date"), "churn"),
        ]
    style = "body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>tickermap exposure</title>"
        f"<style>{style}</style></head><body><h1>Signal exposures</h1>"
        f"<p>join key: {html.escape(report.key)}</p>{''.join(sections)}</body></html>"
    )


def output_paths(out: Path) -> dict[str, Path]:
    """Where each table goes: OUT is the summary; the others get a suffix before the extension.

    >>> sorted(output_paths(Path("x/exp.csv")).values())[0].name
    'exp.churn.csv'
    """
    ext = "".join(out.suffixes[-1:]) or ".csv"
    stem = out.name[: len(out.name) - len(ext)] if out.suffix else out.name
    names = ("per_date", "coverage", "unmatched", "churn")
    paths = {n: out.with_name(f"{stem}.{n}{ext}") for n in names}
    return {"summary": out, **paths}


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
    if plot is not None:
        with atomic_path(plot) as tmp:
            tmp.write_bytes(bar_chart_png(table))
        written.append(plot)
    if html_path is not None:
        with atomic_path(html_path) as tmp:
            tmp.write_text(html_report(report, table), encoding="utf-8")
        written.append(html_path)
    return written
