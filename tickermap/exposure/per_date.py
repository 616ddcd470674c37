"""Per-date exposures of a signal to features, and their summary; pure pandas/numpy, no I/O.

The exposure of a signal to feature *f* on date *t* is a correlation over the tickers present on
that date in both frames, with one of two methods:

* ``"numerai"``: Numerai's correlation (CWSNMM recipe, numerai-tools ``numerai_corr`` with the
  feature as the target): the signal is tie-kept ranked ``(rank - 0.5) / n``, gaussianised
  (``ndtri``), raised to ``sign(x)|x|^1.5``, then Pearson-correlated with the raw feature. With
  ``feature_pow15=True`` the feature is centred and raised to ^1.5 first (``target_pow15=True``).
* ``"spearman"``: Spearman rank correlation (average ranks on both sides, pandas' definition).

Like numerai-tools, rows where the feature is NaN are dropped *before* the signal is ranked, so
each (date, feature) ranks the signal over exactly the rows it correlates. All dates are done at
once: the rows are sorted by date, ranked with one lexsort, and the Pearson sums are grouped with
``np.add.reduceat``; the only Python loop is over feature columns (and over distinct NaN patterns).

A (date, feature) gets NaN with a ``reason`` instead of a number when the feature is all missing
(``feature_missing``), fewer than ``min_tickers`` rows remain (``too_few_tickers``; default
:data:`MIN_TICKERS` = 10, below which a correlation is noise), or the signal or the feature is
constant on that date (``constant_signal`` / ``constant_feature``). It never raises for data
problems of a single date; it raises :class:`~tickermap.errors.AnalysisError` only when the frames
cannot be used at all (missing columns, non-numeric values, duplicate (date, key) rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tickermap.columns import DATE, SIGNAL
from tickermap.errors import AnalysisError
from tickermap.exposure.gauss import ndtri
from tickermap.exposure.row_order import date_runs, row_for_row

__all__ = [
    "MIN_TICKERS",
    "Aligned",
    "Method",
    "align",
    "group_rank",
    "grouped_stats",
    "numerai_transform",
    "per_date_exposures",
    "summarize_exposures",
]

Method = Literal["spearman", "numerai"]
MIN_TICKERS = 10
"""Fewer tickers than this on a date give NaN with reason ``too_few_tickers``."""

FEATURE = "feature"
EXPOSURE = "exposure"
N_TICKERS = "n_tickers"
REASON = "reason"
OK = "ok"
PER_DATE_COLUMNS = (DATE, FEATURE, EXPOSURE, N_TICKERS, REASON)


@dataclass(frozen=True, slots=True)
class Aligned:
    """Signal rows matched to feature rows, sorted by (date, key).

    Attributes:
        dates: the distinct dates, sorted; ``codes`` index into it.
        codes: date code of each matched row (non-decreasing).
        starts: first row of each date present in ``codes``.
        date_index: date code of each group in ``starts``.
        signal: signal values of the matched rows.
        signal_rows: positions of the matched rows in the signal frame.
        feature_rows: positions of the matched rows in the features frame.
    """

    dates: np.ndarray
    codes: np.ndarray
    starts: np.ndarray
    date_index: np.ndarray
    signal: np.ndarray
    signal_rows: np.ndarray
    feature_rows: np.ndarray


def infer_key(signal: pd.DataFrame, features: pd.DataFrame, key: str | None) -> str:
    """The key column both frames share (the only common column besides date and signal)."""
    if key is not None:
        for name, frame in (("signal", signal), ("features", features)):
            if key not in frame.columns:
                raise AnalysisError(f"the {name} table has no key column {key!r}")
        return key
    common = [c for c in signal.columns if c in features.columns and c not in (DATE, SIGNAL)]
    if len(common) != 1:
        raise AnalysisError(
            f"cannot tell the key column: the tables share {common!r}; pass key= explicitly"
        )
    return str(common[0])


def _check_numeric(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    series = frame[column]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise AnalysisError(
            f"the {what} column {column!r} is not numeric (dtype {series.dtype}); convert it "
            "first (tickermap.exposure.run.load_numeric reports the offending line)"
        )
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def align(signal: pd.DataFrame, features: pd.DataFrame, *, key: str | None = None) -> Aligned:
    """Match signal rows to feature rows on (date, key) without copying the feature columns.

    Args:
        signal: ``date, <key>, signal``; rows with a NaN signal are dropped.
        features: ``date, <key>, <feature columns>``.
        key: the key column; inferred when both frames share exactly one.

    Returns:
        The matched rows, sorted by (date, key).

    Raises:
        AnalysisError: missing columns, a non-numeric signal, or duplicate (date, key) rows.
    """
    key = infer_key(signal, features, key)
    for name, frame, need in (("signal", signal, (DATE, SIGNAL)), ("features", features, (DATE,))):
        missing = [c for c in need if c not in frame.columns]
        if missing:
            raise AnalysisError(f"the {name} table lacks column(s) {missing!r}")
    values = _check_numeric(signal, SIGNAL, "signal")
    if row_for_row(signal[DATE], signal[key], features[DATE], features[key]):
        return _aligned_row_for_row(signal[DATE].to_numpy(), values)
    n_sig = len(signal)
    date_codes, dates = pd.factorize(
        pd.concat([signal[DATE], features[DATE]], ignore_index=True), sort=True
    )
    key_codes, keys = pd.factorize(
        pd.concat([signal[key], features[key]], ignore_index=True), sort=True
    )
    if (date_codes < 0).any() or (key_codes < 0).any():
        raise AnalysisError(f"the {DATE!r} or {key!r} column has missing values; drop those rows")
    combined = date_codes.astype(np.int64) * max(len(keys), 1) + key_codes
    sig_comb, feat_comb = combined[:n_sig], combined[n_sig:]
    for name, comb, frame in (("signal", sig_comb, signal), ("features", feat_comb, features)):
        dup = pd.Index(comb).duplicated()
        if dup.any():
            row = frame.iloc[int(np.flatnonzero(dup)[0])]
            raise AnalysisError(
                f"the {name} table has {int(dup.sum())} duplicate ({DATE}, {key}) rows, e.g. "
                f"{row[DATE]!r}, {row[key]!r}; keep one row per ticker and date"
            )
    pos = pd.Index(feat_comb).get_indexer(sig_comb)
    keep = np.flatnonzero((pos >= 0) & ~np.isnan(values))
    order = keep[np.argsort(sig_comb[keep], kind="stable")]
    codes = date_codes[:n_sig][order].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    return Aligned(
        dates=np.asarray(dates),
        codes=codes,
        starts=starts,
        date_index=codes[starts] if len(codes) else codes,
        signal=values[order],
        signal_rows=order,
        feature_rows=pos[order],
    )


def _aligned_row_for_row(dates: np.ndarray, values: np.ndarray) -> Aligned:
    """:func:`align` when both frames have the same sorted (date, key) rows: no join needed."""
    distinct, all_codes, _ = date_runs(dates)
    order = np.flatnonzero(~np.isnan(values))
    codes = all_codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    index = codes[starts] if len(codes) else codes
    return Aligned(distinct, codes, starts, index, values[order], order, order)


def group_rank(values: np.ndarray, codes: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Average ranks (1-based) of ``values`` within each group; NaN stays NaN.

    ``codes`` must be non-decreasing and ``starts`` the first row of each group.

    >>> group_rank(np.array([3.0, 1.0, 1.0, 5.0]), np.array([0, 0, 0, 1]), np.array([0, 3]))
    array([3. , 1.5, 1.5, 1. ])
    """
    n = len(values)
    if n == 0:
        return values.astype(np.float64)
    # one row per group on a (groups, widest group) grid, NaN-padded (NaN sorts last), so each
    # group is sorted on its own by one batched argsort instead of a lexsort of every row
    sizes = np.diff(np.r_[starts, n])
    g, w = len(starts), int(sizes.max())
    dense = g * w == n
    if dense:
        grid = values.reshape(g, w)
    else:
        row = np.repeat(np.arange(g), sizes)
        slot = np.arange(n) - np.repeat(starts, sizes)
        grid = np.full((g, w), np.nan)
        grid[row, slot] = values
    order = np.argsort(grid, axis=1)
    v = np.take_along_axis(grid, order, axis=1).ravel()
    brk = np.ones(g * w, dtype=bool)
    brk[1:] = v[1:] != v[:-1]  # NaN != NaN: padding and NaN values are runs of their own
    brk[::w] = True
    run_start = np.flatnonzero(brk)
    run_end = np.r_[run_start[1:], g * w]
    pos = run_start % w
    avg = (pos + (pos + (run_end - run_start) - 1)) / 2.0 + 1.0
    ranked = np.repeat(avg, run_end - run_start).reshape(g, w)
    out_grid = np.empty((g, w))
    np.put_along_axis(out_grid, order, ranked, axis=1)
    out = out_grid.reshape(n) if dense else out_grid[row, slot]
    out[np.isnan(values)] = np.nan
    del codes
    return out


def _group_count(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return np.add.reduceat(mask.astype(np.int64), starts) if len(mask) else np.zeros(0, np.int64)


def numerai_transform(
    values: np.ndarray, codes: np.ndarray, starts: np.ndarray, *, pow15: bool = True
) -> np.ndarray:
    """Tie-kept rank, gaussianise and (optionally) ^1.5 within each group, as numerai-tools.

    >>> x = numerai_transform(np.array([1.0, 2.0, 3.0]), np.zeros(3, int), np.array([0]))
    >>> bool(abs(x[1]) < 1e-12 and x[0] == -x[2])
    True
    """
    ranks = group_rank(values, codes, starts)
    counts = _group_count(~np.isnan(ranks), starts)
    pct = (ranks - 0.5) / np.repeat(counts, np.diff(np.r_[starts, len(values)]))
    gauss = ndtri(pct)
    return np.sign(gauss) * np.abs(gauss) ** 1.5 if pow15 else gauss


def grouped_stats(
    x: np.ndarray, y: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per group: n, Pearson r, and whether x / y are constant; NaN rows are ignored."""
    valid = ~(np.isnan(x) | np.isnan(y))
    n = _group_count(valid, starts)
    sizes = np.diff(np.r_[starts, len(x)])
    safe_n = np.maximum(n, 1)
    xs = np.where(valid, x, 0.0)
    ys = np.where(valid, y, 0.0)
    # two-pass (demean, then sum products): stable for features like market cap ~1e12
    xc = np.where(valid, xs - np.repeat(np.add.reduceat(xs, starts) / safe_n, sizes), 0.0)
    yc = np.where(valid, ys - np.repeat(np.add.reduceat(ys, starts) / safe_n, sizes), 0.0)
    sxy = np.add.reduceat(xc * yc, starts)
    sxx = np.add.reduceat(xc * xc, starts)
    syy = np.add.reduceat(yc * yc, starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = sxy / np.sqrt(sxx * syy)
    x_const = _constant(x, valid, starts)
    y_const = _constant(y, valid, starts)
    return n, r, x_const, y_const, valid


def _constant(v: np.ndarray, valid: np.ndarray, starts: np.ndarray) -> np.ndarray:
    hi = np.maximum.reduceat(np.where(valid, v, -np.inf), starts)
    lo = np.minimum.reduceat(np.where(valid, v, np.inf), starts)
    return np.asarray(hi <= lo)


def _reasons(
    n: np.ndarray, x_const: np.ndarray, y_const: np.ndarray, min_tickers: int
) -> np.ndarray:
    reason = np.full(len(n), OK, dtype=object)
    reason[y_const] = "constant_feature"
    reason[x_const] = "constant_signal"
    reason[n < min_tickers] = "too_few_tickers"
    reason[n == 0] = "feature_missing"
    return reason


def per_date_exposures(
    signal: pd.DataFrame,
    features: pd.DataFrame,
    *,
    method: Method,
    key: str | None = None,
    columns: Sequence[str] | None = None,
    min_tickers: int = MIN_TICKERS,
    feature_pow15: bool = False,
) -> pd.DataFrame:
    """Correlation of the signal with each feature, per date (long format).

    Args:
        signal: ``date, <key>, signal`` (one row per date and key; NaN signals are ignored).
        features: ``date, <key>, <feature columns>`` (numeric; NaN = missing).
        method: ``"numerai"`` (rank, gaussianise, ^1.5, Pearson) or ``"spearman"``.
        key: the join column; inferred when the frames share exactly one.
        columns: the feature columns; default every numeric column except date and key.
        min_tickers: dates with fewer usable rows give NaN (reason ``too_few_tickers``).
        feature_pow15: numerai method only: centre the feature and raise it to ^1.5 first.

    Returns:
        ``date, feature, exposure, n_tickers, reason`` sorted by feature then date; ``reason`` is
        ``ok`` or why ``exposure`` is NaN.

    Raises:
        AnalysisError: unusable frames (see :func:`align`) or a non-numeric feature column.

    >>> s = pd.DataFrame({"date": [1] * 4, "t": list("abcd"), "signal": [1.0, 2, 3, 4]})
    >>> f = pd.DataFrame({"date": [1] * 4, "t": list("abcd"), "x": [10.0, 20, 30, 40]})
    >>> per_date_exposures(s, f, method="spearman", min_tickers=2)["exposure"].round(6).tolist()
    [1.0]
    """
    if method not in ("spearman", "numerai"):
        raise AnalysisError(f"unknown method {method!r}; use 'spearman' or 'numerai'")
    key = infer_key(signal, features, key)
    cols = list(columns) if columns is not None else feature_columns(features, key=key)
    al = align(signal, features, key=key)
    cache: dict[bytes, _SignalSide] = {}
    rows = al.feature_rows
    whole = len(rows) == len(features) and bool((rows == np.arange(len(rows))).all())
    parts = [
        _one_feature(
            al,
            _check_numeric(features, col, "feature"),
            method,
            min_tickers,
            feature_pow15,
            cache,
            whole,
        )
        for col in cols
    ]
    if not parts or not len(al.codes):
        return pd.DataFrame({c: [] for c in PER_DATE_COLUMNS})
    n_dates = len(al.date_index)
    return pd.DataFrame(  # one frame for every feature: no concat of per-feature frames
        {
            DATE: np.tile(al.dates[al.date_index], len(parts)),
            FEATURE: np.repeat(np.asarray(cols, dtype=object), n_dates),
            EXPOSURE: np.concatenate([r for r, _, _ in parts]),
            N_TICKERS: np.concatenate([n for _, n, _ in parts]),
            REASON: np.concatenate([why for _, _, why in parts]).astype(str),
        }
    )


def feature_columns(features: pd.DataFrame, *, key: str) -> list[str]:
    """The numeric columns of ``features`` other than date and key."""
    return [
        str(c)
        for c in features.columns
        if c not in (DATE, key)
        and pd.api.types.is_numeric_dtype(features[c].dtype)
        and not pd.api.types.is_bool_dtype(features[c].dtype)
    ]


@dataclass
class _SignalSide:
    """The transformed signal over one NaN pattern, and its half of the Pearson sums."""

    x: np.ndarray
    valid: np.ndarray
    n: np.ndarray
    xc: np.ndarray
    sxx: np.ndarray
    x_const: np.ndarray
    sizes: np.ndarray
    complete: bool


def _signal_side(al: Aligned, missing: np.ndarray, method: Method) -> _SignalSide:
    masked = np.where(missing, np.nan, al.signal)
    if method == "numerai":
        x = numerai_transform(masked, al.codes, al.starts)
    else:
        x = group_rank(masked, al.codes, al.starts)
    valid = ~np.isnan(x)
    n = _group_count(valid, al.starts)
    xs = np.where(valid, x, 0.0)
    sizes = np.diff(np.r_[al.starts, len(x)])
    mean = np.add.reduceat(xs, al.starts) / np.maximum(n, 1)
    xc = np.where(valid, xs - np.repeat(mean, sizes), 0.0)
    sxx = np.add.reduceat(xc * xc, al.starts)
    complete = bool(valid.all())
    return _SignalSide(x, valid, n, xc, sxx, _constant(x, valid, al.starts), sizes, complete)


def _one_feature(
    al: Aligned,
    column: np.ndarray,
    method: Method,
    min_tickers: int,
    feature_pow15: bool,
    cache: dict[bytes, _SignalSide],
    whole: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(exposure, rows used, reason) per date of one feature (``whole``: all rows, in order)."""
    y = column if whole else column[al.feature_rows]  # every row in order: no gather
    missing = np.isnan(y)
    # the signal is ranked over the rows this feature has (numerai-tools filter_sort_index);
    # features share NaN patterns (warm-up windows), so cache the signal side per pattern
    pattern = np.packbits(missing).tobytes() if missing.any() else b""
    side = cache.get(pattern)
    if side is None:
        side = cache[pattern] = _signal_side(al, missing, method)
    if method == "spearman":
        y = group_rank(y, al.codes, al.starts)
    elif feature_pow15:
        sizes = np.diff(np.r_[al.starts, len(y)])
        n = np.maximum(_group_count(~missing, al.starts), 1)
        mean = np.add.reduceat(np.where(missing, 0.0, y), al.starts) / n if len(y) else y
        yc = y - np.repeat(mean, sizes)
        y = np.sign(yc) * np.abs(yc) ** 1.5
    if len(y) == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    # the Pearson sums of grouped_stats, the signal's half reused across features; with every
    # row valid the masks are no-ops and are skipped (same numbers)
    valid, st, sizes = side.valid, al.starts, side.sizes
    ys = y if side.complete else np.where(valid, y, 0.0)
    yc = ys - np.repeat(np.add.reduceat(ys, st) / np.maximum(side.n, 1), sizes)
    if not side.complete:
        yc = np.where(valid, yc, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.add.reduceat(side.xc * yc, st) / np.sqrt(side.sxx * np.add.reduceat(yc * yc, st))
    if side.complete:
        y_const = np.maximum.reduceat(y, st) <= np.minimum.reduceat(y, st)
    else:
        y_const = _constant(y, valid, st)
    reason = _reasons(side.n, side.x_const, y_const, min_tickers)
    return np.where(reason == OK, r, np.nan), side.n, reason


SUMMARY_COLUMNS = (
    FEATURE,
    "mean",
    "std",
    "sharpe",
    "positive_share",
    "latest",
    "latest_date",
    "max_abs",
    "n_dates",
    "n_missing",
)


def summarize_exposures(per_date: pd.DataFrame) -> pd.DataFrame:
    """Summary per feature (and per ``stage``/``method`` when those columns are present).

    Statistics use the dates with a valid exposure: ``mean``, ``std`` (ddof=0, as Numerai's
    summaries), ``sharpe`` = mean/std, ``positive_share`` (share of dates > 0), ``latest`` (value
    on the last valid date, ``latest_date``), ``max_abs`` (max |exposure|), ``n_dates`` and
    ``n_missing`` (dates with NaN). Sorted like the forum table: largest mean first, most negative
    last (within each stage).

    Args:
        per_date: the output of :func:`per_date_exposures` (optionally with ``stage``/``method``).

    Returns:
        One row per feature with :data:`SUMMARY_COLUMNS` (plus the grouping columns first).

    >>> pd_ = pd.DataFrame({"date": [1, 2], "feature": "x", "exposure": [0.1, 0.3]})
    >>> summarize_exposures(pd_)[["mean", "positive_share", "latest"]].round(3).values.tolist()
    [[0.2, 1.0, 0.3]]
    """
    extra = [c for c in ("stage", "method") if c in per_date.columns]
    keys = [*extra, FEATURE]
    frame = per_date.sort_values([*keys, DATE], kind="stable")
    valid = frame[frame[EXPOSURE].notna()]
    by = valid.assign(_positive=valid[EXPOSURE] > 0, _abs=valid[EXPOSURE].abs())
    grouped = by.groupby(keys, sort=False)
    exp = grouped[EXPOSURE]
    stats = pd.DataFrame(
        {
            "mean": exp.mean(),
            "std": exp.std(ddof=0),
            "positive_share": grouped["_positive"].mean(),
            "latest": exp.last(),
            "latest_date": grouped[DATE].last(),
            "max_abs": grouped["_abs"].max(),
            "n_dates": exp.size(),
        }
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        stats["sharpe"] = stats["mean"] / stats["std"].where(stats["std"] > 0)
    totals = frame.groupby(keys, sort=False).size()
    stats = stats.reindex(totals.index)
    stats["n_dates"] = stats["n_dates"].fillna(0).astype(np.int64)
    stats["n_missing"] = (totals - stats["n_dates"]).astype(np.int64)
    out = stats.reset_index()[[*extra, *SUMMARY_COLUMNS]]
    return out.sort_values(
        [*extra, "mean"], ascending=[True] * len(extra) + [False], kind="stable", na_position="last"
    ).reset_index(drop=True)
