"""The NumPy kernels of the exposure numbers, shared by the pandas run and the fast path.

Everything here works on plain arrays (no pandas import), so :mod:`tickermap.exposure.fast` can
compute ``tickermap exposure`` without loading pandas, and both paths give the same numbers by
construction: :mod:`tickermap.exposure.per_date` and :mod:`tickermap.exposure.churn` call these
same functions after their pandas joins and factorisations.

* rows of a date are contiguous (``codes`` non-decreasing, ``starts`` the first row of each);
* :func:`group_rank` / :func:`numerai_transform` rank within each date at once;
* :func:`feature_exposures` is the per-date correlation of the signal with each feature;
* :func:`summarize_groups` is the per-feature summary of the per-date exposures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tickermap.columns import DATE
from tickermap.exposure.gauss import ndtri

__all__ = [
    "MIN_TICKERS",
    "PER_DATE_COLUMNS",
    "SUMMARY_STATS",
    "Aligned",
    "Method",
    "aligned_row_for_row",
    "date_runs",
    "exposure_columns",
    "feature_exposures",
    "group_rank",
    "grouped_stats",
    "non_decreasing",
    "numerai_transform",
    "summarize_groups",
    "summary_order",
]

Method = Literal["spearman", "numerai"]
MIN_TICKERS = 10
"""Fewer tickers than this on a date give NaN with reason ``too_few_tickers``."""

OK = "ok"
FEATURE = "feature"
EXPOSURE = "exposure"
N_TICKERS = "n_tickers"
REASON = "reason"
PER_DATE_COLUMNS = (DATE, FEATURE, EXPOSURE, N_TICKERS, REASON)
"""The per-date exposure table's columns (:func:`exposure_columns`)."""
SUMMARY_STATS = (
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
"""The statistics :func:`summarize_groups` gives per feature, in the summary table's order."""


def non_decreasing(values: np.ndarray) -> bool:
    """Whether ``values`` (dates or integers, none missing) never decrease."""
    if values.dtype.kind not in "Miu":
        return False
    if values.dtype.kind == "M" and np.isnat(values).any():
        return False
    return bool((values[1:] >= values[:-1]).all())


def date_runs(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For non-decreasing ``dates``: (distinct dates, code of each row, first row of each date)."""
    n = len(dates)
    if n == 0:
        return dates[:0], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    brk = np.empty(n, dtype=bool)
    brk[0] = True
    np.not_equal(dates[1:], dates[:-1], out=brk[1:])
    starts = np.flatnonzero(brk)
    codes = np.cumsum(brk, dtype=np.int64) - 1
    return dates[starts], codes, starts


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


def aligned_row_for_row(dates: np.ndarray, values: np.ndarray) -> Aligned:
    """The alignment of a signal whose rows are the features' rows, sorted: no join needed.

    Rows with a NaN signal are left out (as :func:`tickermap.exposure.per_date.align` does).
    """
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


def feature_exposures(
    al: Aligned,
    columns: Iterable[np.ndarray],
    *,
    method: Method,
    min_tickers: int = MIN_TICKERS,
    feature_pow15: bool = False,
    whole: bool = False,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(exposure, rows used, reason) per date of each feature column (float64, NaN = missing).

    ``whole``: every column row is an aligned row, in order (no gather).
    """
    cache: dict[bytes, _SignalSide] = {}
    return [
        _one_feature(al, col, method, min_tickers, feature_pow15, cache, whole) for col in columns
    ]


def exposure_columns(
    al: Aligned, names: Sequence[str], parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> dict[str, np.ndarray]:
    """The long per-date table (:data:`PER_DATE_COLUMNS`) of :func:`feature_exposures`'
    ``parts`` for the features ``names``: each feature's dates in turn."""
    n_dates = len(al.date_index)
    return {
        DATE: np.tile(al.dates[al.date_index], len(parts)),
        FEATURE: np.repeat(np.asarray(names, dtype=object), n_dates),
        EXPOSURE: np.concatenate([r for r, _, _ in parts]),
        N_TICKERS: np.concatenate([n for _, n, _ in parts]),
        REASON: np.concatenate([why for _, _, why in parts]).astype(str),
    }


def summarize_groups(
    group: np.ndarray, n_groups: int, dates: np.ndarray, exposure: np.ndarray
) -> dict[str, np.ndarray]:
    """Per group (a feature of a stage and method): the summary statistics of its exposures.

    Rows must be sorted by (group, date) and every group present. NaN exposures are left out:
    ``mean``, ``std`` (ddof=0), ``sharpe`` (mean/std, NaN when std is 0), ``positive_share``,
    ``latest`` and ``latest_date`` (the last valid date), ``max_abs``, ``n_dates`` (valid) and
    ``n_missing``. A group without a valid date has NaN statistics and a NaT date.

    >>> e = np.array([0.1, 0.3, np.nan])
    >>> s = summarize_groups(np.array([0, 0, 1]), 2, np.array([1, 2, 1]), e)
    >>> s["mean"].round(3).tolist(), s["n_dates"].tolist(), s["n_missing"].tolist()
    ([0.2, nan], [2, 0], [0, 1])
    """
    valid = ~np.isnan(exposure)
    e = np.where(valid, exposure, 0.0)
    n = np.bincount(group, weights=valid, minlength=n_groups)
    totals = np.bincount(group, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(group, weights=e, minlength=n_groups) / n
        dev = np.where(valid, exposure - mean[group], 0.0)
        std = np.sqrt(np.bincount(group, weights=dev * dev, minlength=n_groups) / n)
        positive = np.bincount(group, weights=valid & (e > 0), minlength=n_groups) / n
        sharpe = np.where(std > 0, mean / np.where(std > 0, std, 1.0), np.nan)
    rows = np.flatnonzero(valid)
    last = np.searchsorted(group[rows], np.arange(n_groups), side="right") - 1
    has = n > 0
    at = rows[np.maximum(last, 0)] if len(rows) else np.zeros(n_groups, dtype=np.int64)
    latest = np.where(has, exposure[at] if len(rows) else np.nan, np.nan)
    latest_date = dates[at] if len(rows) else np.empty(n_groups, dtype=dates.dtype)
    if latest_date.dtype.kind == "M":
        latest_date = np.where(has, latest_date, np.datetime64("NaT"))
    elif not has.all():
        latest_date = latest_date.astype(object)
        latest_date[~has] = None
    max_abs = np.full(n_groups, -np.inf)
    np.maximum.at(max_abs, group[rows], np.abs(exposure[rows]))
    n_dates = n.astype(np.int64)
    return {
        "mean": mean,
        "std": std,
        "sharpe": sharpe,
        "positive_share": positive,
        "latest": latest,
        "latest_date": latest_date,
        "max_abs": np.where(has, max_abs, np.nan),
        "n_dates": n_dates,
        "n_missing": totals.astype(np.int64) - n_dates,
    }


def summary_order(mean: np.ndarray, *block_codes: np.ndarray) -> np.ndarray:
    """The summary rows' order: by each block code (stage, method) ascending, then largest mean
    first, NaN last, ties in row order (pandas' stable multi-column sort)."""
    key = np.where(np.isnan(mean), np.inf, -mean)
    rows = np.arange(len(mean))
    return np.lexsort((rows, key, *reversed(block_codes)))
