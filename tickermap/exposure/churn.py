"""Churn of a signal between consecutive dates, as numerai-tools ``signals.churn`` defines it.

For each date and the date before it in the signal:

* ``churn`` = 1 - Spearman(s_prev, s_cur) over the tickers present (non-NaN) on both dates, in
  [0, 2]. numerai-tools refuses pairs that keep under 80% of either side's tickers; here the
  number is still computed but ``reason`` says ``low_overlap``, and ``overlap`` gives the share.
* with ``top_n``: ``top_overlap`` / ``bottom_overlap`` = share of the N highest / lowest tickers of
  the previous date that are also among the N highest / lowest of this date (each date ranked on
  its full set of tickers, ties broken by key order like numerai-tools' stable argsort on a sorted
  index), and ``churn_top_bottom`` = 1 - their mean. A pair needs 2N tickers on each date; with
  ``scale_top_n`` (what ``tickermap exposure`` does) a pair with fewer uses N = half the smaller
  date's tickers instead of giving NaN, and the ``top_n`` column says which N each pair used.

NaN signals are dropped first (numerai-tools would sort them as highest). Everything is done for
all dates at once with grouped NumPy reductions; no I/O, no printing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tickermap.columns import DATE, SIGNAL
from tickermap.errors import AnalysisError
from tickermap.exposure.per_date import group_rank, grouped_stats

__all__ = ["CHURN_COLUMNS", "MIN_OVERLAP", "churn", "summarize_churn"]

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


def _key(signal: pd.DataFrame, key: str | None) -> str:
    if key is not None:
        return key
    others = [c for c in signal.columns if c not in (DATE, SIGNAL)]
    if len(others) != 1:
        raise AnalysisError(f"cannot tell the key column among {others!r}; pass key=")
    return str(others[0])


def churn(
    signal: pd.DataFrame,
    *,
    top_n: int | None = None,
    key: str | None = None,
    scale_top_n: bool = False,
) -> pd.DataFrame:
    """Churn between each date and the previous date of the signal.

    Args:
        signal: ``date, <key>, signal``, one row per date and key.
        top_n: also compute the top/bottom-N overlap churn with this N.
        key: the ticker column; inferred when it is the only other column.
        scale_top_n: a pair of dates with under 2N tickers on a side uses N = half the smaller
            side (at least 1) instead of giving NaN with ``too_few_tickers``.

    Returns:
        One row per date after the first, with :data:`CHURN_COLUMNS` (the top/bottom columns are
        NaN without ``top_n``; ``top_n`` is the N used, missing where there is none). ``reason``
        is ``ok``, ``low_overlap`` (under 80% kept), ``constant_signal``, ``too_few_tickers``
        (under 2 common, or under 2N for top/bottom); every measure is NaN on a
        ``constant_signal`` date.

    Raises:
        AnalysisError: missing columns, a non-numeric signal or duplicate (date, key) rows.

    >>> s = pd.DataFrame({"date": [1, 1, 1, 2, 2, 2], "k": list("abcabc"),
    ...                   "signal": [1.0, 2, 3, 3, 2, 1]})
    >>> churn(s)["churn"].tolist()
    [2.0]
    """
    key = _key(signal, key)
    for col in (DATE, key, SIGNAL):
        if col not in signal.columns:
            raise AnalysisError(f"the signal table lacks column {col!r}")
    if not pd.api.types.is_numeric_dtype(signal[SIGNAL].dtype):
        raise AnalysisError(f"the {SIGNAL!r} column is not numeric; convert it first")
    if top_n is not None and top_n < 1:
        raise AnalysisError(f"top_n must be a positive number of tickers, got {top_n!r}")
    frame = signal[[DATE, key, SIGNAL]].dropna(subset=[SIGNAL])
    dcodes, dates = pd.factorize(frame[DATE], sort=True)
    kcodes, keys = pd.factorize(frame[key], sort=True)
    comb = dcodes.astype(np.int64) * max(len(keys), 1) + kcodes
    if len(comb) > 1 and bool((comb[1:] > comb[:-1]).all()):
        order = np.arange(len(comb))  # already sorted by (date, key), each pair once
    else:
        if pd.Index(comb).duplicated().any():
            raise AnalysisError(f"the signal has duplicate ({DATE}, {key}) rows; keep one per date")
        order = np.argsort(comb, kind="stable")
    comb, dcodes, kcodes = comb[order], dcodes[order].astype(np.int64), kcodes[order]
    values = frame[SIGNAL].to_numpy(dtype=np.float64)[order]
    counts = np.bincount(dcodes, minlength=len(dates))
    n_dates = len(dates)
    if n_dates < 2:
        return pd.DataFrame({c: [] for c in CHURN_COLUMNS})
    # pair each row of date i with the same key on date i - 1
    prev_pos = _positions(comb, comb - max(len(keys), 1))
    paired = np.flatnonzero((prev_pos >= 0) & (dcodes > 0))
    pcodes = dcodes[paired]
    groups = np.arange(1, n_dates)
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
    out = pd.DataFrame(
        {
            DATE: dates[groups],
            "previous_date": dates[groups - 1],
            "n_previous": n_prev,
            "n_current": n_cur,
            "n_common": n_common,
            "overlap": overlap,
            "churn": churn_v,
        }
    )
    n_used = None
    if top_n is not None:
        n_used = np.full(n_dates - 1, top_n, dtype=np.int64)
        if scale_top_n:
            n_used = np.minimum(n_used, np.minimum(n_prev, n_cur) // 2)
    top, bottom = _top_bottom(values, dcodes, kcodes, counts, prev_pos, paired, n_used)
    out["top_n"] = pd.array([pd.NA] * (n_dates - 1), dtype="Int64")
    out["top_overlap"], out["bottom_overlap"] = top, bottom
    out["churn_top_bottom"] = 1.0 - (top + bottom) / 2.0
    if n_used is not None:
        few = (n_used < 1) | (n_prev < 2 * n_used) | (n_cur < 2 * n_used)
        reason[few & (reason == "ok")] = "too_few_tickers"
        # a constant date has no top or bottom N: its ranks are ties broken by key order only
        undefined = few | constant
        out.loc[undefined, ["top_overlap", "bottom_overlap", "churn_top_bottom"]] = np.nan
        out["top_n"] = pd.array(np.where(undefined, 0, n_used), dtype="Int64")
        out.loc[undefined, "top_n"] = pd.NA
    out["reason"] = reason.astype(str)
    return out


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


def summarize_churn(per_date: pd.DataFrame) -> pd.DataFrame:
    """Mean, median, max and latest of each churn measure (NaN dates left out).

    ``top_n`` is the N (or range of N) the top/bottom overlap used, for ``churn_top_bottom``.

    >>> summarize_churn(pd.DataFrame({"churn": [0.1, 0.3], "churn_top_bottom": [0.5, None]}))
    ... # doctest: +NORMALIZE_WHITESPACE
                 metric  mean  median  max  latest  n_dates top_n
    0             churn   0.2     0.2  0.3     0.3        2
    1  churn_top_bottom   0.5     0.5  0.5     0.5        1
    """
    rows = []
    for metric in ("churn", "churn_top_bottom"):
        v = per_date[metric].dropna() if metric in per_date.columns else pd.Series(dtype=float)
        if v.empty:
            continue
        rows.append(
            {
                "metric": metric,
                "mean": float(v.mean()),
                "median": float(v.median()),
                "max": float(v.max()),
                "latest": float(v.iloc[-1]),
                "n_dates": len(v),
                "top_n": _top_n_used(per_date) if metric == "churn_top_bottom" else "",
            }
        )
    return pd.DataFrame(rows, columns=[*_SUMMARY_COLUMNS, "top_n"])


_SUMMARY_COLUMNS = ("metric", "mean", "median", "max", "latest", "n_dates")


def _top_n_used(per_date: pd.DataFrame) -> str:
    """The N (or range of N, ``"20-35"``) of the pairs with a top/bottom overlap."""
    if "top_n" not in per_date.columns:
        return ""
    used = per_date["top_n"].dropna()
    if used.empty:
        return ""
    low, high = int(used.min()), int(used.max())
    return str(low) if low == high else f"{low}-{high}"
