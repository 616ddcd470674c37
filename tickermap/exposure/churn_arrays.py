"""Churn between consecutive dates on plain arrays: the kernel of ``exposure.churn.churn``.

No pandas: the caller gives each row's date code and key code (rows sorted by date, then key,
each pair once) and builds its table from the columns returned, so the pandas run and the fast
path (:mod:`tickermap.exposure.fast`) give the same numbers by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from tickermap.columns import DATE
from tickermap.exposure.kernels import group_rank, grouped_stats

__all__ = [
    "CHURN_COLUMNS",
    "CHURN_SUMMARY_COLUMNS",
    "MIN_OVERLAP",
    "churn_arrays",
    "summarize_churn_columns",
]

MIN_OVERLAP = 0.8
"""numerai-tools' ``1 - DEFAULT_MAX_FILTERED_INDEX_RATIO``: below this a pair is flagged."""

CHURN_COLUMNS = (
    DATE,
    "previous_date",
    "n_previous",
    "n_current",
    "n_common",
    "overlap",
    "churn",
    "top_n",
    "top_overlap",
    "bottom_overlap",
    "churn_top_bottom",
    "reason",
)


def churn_arrays(
    dcodes: np.ndarray,
    kcodes: np.ndarray,
    n_keys: int,
    values: np.ndarray,
    n_dates: int,
    *,
    top_n: int | None = None,
    scale_top_n: bool = False,
) -> dict[str, np.ndarray]:
    """The churn columns of each date after the first (``n_dates - 1`` pairs, ``n_dates >= 2``).

    Args:
        dcodes: date code of each row (int64), rows sorted by (date, key), each pair once.
        kcodes: key code of each row (its rank among the ``n_keys`` sorted keys).
        n_keys: how many distinct keys there are.
        values: the signal of each row (no NaN).
        n_dates: how many distinct dates there are.
        top_n: N of the top/bottom overlap (None: NaN columns).
        scale_top_n: a pair with under 2N tickers on a side uses half the smaller side.

    Returns:
        ``n_previous, n_current, n_common, overlap, churn, top_n, top_overlap, bottom_overlap,
        churn_top_bottom, reason`` as arrays, and ``top_n_missing`` (where ``top_n`` has no N).
    """
    counts = np.bincount(dcodes, minlength=n_dates)
    comb = dcodes * max(n_keys, 1) + kcodes
    # pair each row of date i with the same key on date i - 1
    prev_pos = _positions(comb, comb - max(n_keys, 1))
    paired = np.flatnonzero((prev_pos >= 0) & (dcodes > 0))
    pcodes = dcodes[paired]
    n_common = np.bincount(pcodes, minlength=n_dates)[1:]
    churn_v = np.full(n_dates - 1, np.nan)
    constant = np.zeros(n_dates - 1, dtype=bool)
    if len(paired):
        starts = np.flatnonzero(np.r_[True, pcodes[1:] != pcodes[:-1]])
        if (n_common == counts[1:]).all() and (n_common == counts[:-1]).all():
            # the same tickers on every date: each date ranked once serves both of its pairs
            every = np.flatnonzero(np.r_[True, dcodes[1:] != dcodes[:-1]])
            ranks = group_rank(values, dcodes, every)
            x, y = ranks[prev_pos[paired]], ranks[paired]
        else:
            x = group_rank(values[prev_pos[paired]], pcodes, starts)
            y = group_rank(values[paired], pcodes, starts)
        _, r, xc, yc, _ = grouped_stats(x, y, starts)
        present = pcodes[starts] - 1
        churn_v[present] = 1.0 - r
        constant[present] = xc | yc
    n_prev, n_cur = counts[:-1], counts[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        overlap = np.minimum(n_common / n_prev, n_common / n_cur)
    reason = np.full(n_dates - 1, "ok", dtype=object)
    reason[overlap < MIN_OVERLAP] = "low_overlap"
    reason[constant] = "constant_signal"
    reason[n_common < 2] = "too_few_tickers"
    churn_v = np.where(np.isin(reason, ["ok", "low_overlap"]), churn_v, np.nan)
    n_used = None
    if top_n is not None:
        n_used = np.full(n_dates - 1, top_n, dtype=np.int64)
        if scale_top_n:
            n_used = np.minimum(n_used, np.minimum(n_prev, n_cur) // 2)
    top, bottom = _top_bottom(values, dcodes, kcodes, counts, prev_pos, paired, n_used)
    top_missing = np.ones(n_dates - 1, dtype=bool)
    used = np.zeros(n_dates - 1, dtype=np.int64)
    if n_used is not None:
        few = (n_used < 1) | (n_prev < 2 * n_used) | (n_cur < 2 * n_used)
        reason[few & (reason == "ok")] = "too_few_tickers"
        # a constant date has no top or bottom N: its ranks are ties broken by key order only
        undefined = few | constant
        top, bottom = np.where(undefined, np.nan, top), np.where(undefined, np.nan, bottom)
        used = np.where(undefined, 0, n_used)
        top_missing = undefined
    return {
        "n_previous": n_prev,
        "n_current": n_cur,
        "n_common": n_common,
        "overlap": overlap,
        "churn": churn_v,
        "top_n": used,
        "top_n_missing": top_missing,
        "top_overlap": top,
        "bottom_overlap": bottom,
        "churn_top_bottom": 1.0 - (top + bottom) / 2.0,
        "reason": reason,
    }


def _positions(sorted_codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each ``wanted`` code in the sorted, distinct ``sorted_codes`` (-1: absent)."""
    at = np.minimum(np.searchsorted(sorted_codes, wanted), len(sorted_codes) - 1)
    return np.where(sorted_codes[at] == wanted, at, -1)


def _top_bottom(
    values: np.ndarray,
    dcodes: np.ndarray,
    kcodes: np.ndarray,
    counts: np.ndarray,
    prev_pos: np.ndarray,
    paired: np.ndarray,
    n_used: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top and bottom overlap per pair of dates; ``n_used[i]`` is the N of pair ``i`` (dates
    ``i`` and ``i + 1``)."""
    n_pairs = len(counts) - 1
    if n_used is None:
        return np.full(n_pairs, np.nan), np.full(n_pairs, np.nan)
    order = np.lexsort((kcodes, values, dcodes))  # stable: ties in key order
    first = np.r_[0, np.cumsum(counts)[:-1]]
    pos = np.empty(len(values), dtype=np.int64)
    pos[order] = np.arange(len(values)) - first[dcodes[order]]
    cur, prev = paired, prev_pos[paired]
    n = n_used[dcodes[cur] - 1]  # the pair's N, for both of its dates
    both_top = (pos[cur] >= counts[dcodes[cur]] - n) & (pos[prev] >= counts[dcodes[prev]] - n)
    both_bot = (pos[cur] < n) & (pos[prev] < n)
    with np.errstate(invalid="ignore", divide="ignore"):
        divisor = n_used.astype(np.float64)
        top = np.bincount(dcodes[cur], weights=both_top, minlength=len(counts))[1:] / divisor
        bot = np.bincount(dcodes[cur], weights=both_bot, minlength=len(counts))[1:] / divisor
    return top, bot


CHURN_SUMMARY_COLUMNS = ("metric", "mean", "median", "max", "latest", "n_dates", "top_n")


def summarize_churn_columns(
    columns: Mapping[str, np.ndarray], top_n: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """Mean, median, max and latest of ``churn`` and ``churn_top_bottom`` (NaN dates left out),
    one dict per measure present with a value (:data:`CHURN_SUMMARY_COLUMNS`).

    ``top_n`` holds the N of each pair (negative: none); the ``churn_top_bottom`` row says the N
    or range of N used (``"20-35"``).

    >>> rows = summarize_churn_columns({"churn": np.array([0.1, np.nan, 0.3])})
    >>> [(r["metric"], round(r["mean"], 3), r["latest"], r["n_dates"]) for r in rows]
    [('churn', 0.2, 0.3, 2)]
    """
    rows = []
    for metric in ("churn", "churn_top_bottom"):
        if metric not in columns:
            continue
        v = np.asarray(columns[metric], dtype=np.float64)
        v = v[~np.isnan(v)]
        if not len(v):
            continue
        used = ""
        if metric == "churn_top_bottom" and top_n is not None and (top_n >= 0).any():
            low, high = int(top_n[top_n >= 0].min()), int(top_n[top_n >= 0].max())
            used = str(low) if low == high else f"{low}-{high}"
        rows.append(
            {
                "metric": metric,
                "mean": float(v.mean()),
                "median": float(np.median(v)),
                "max": float(v.max()),
                "latest": float(v[-1]),
                "n_dates": len(v),
                "top_n": used,
            }
        )
    return rows
