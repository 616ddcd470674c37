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
from tickermap.exposure.churn_arrays import (
    CHURN_COLUMNS,
    CHURN_SUMMARY_COLUMNS,
    MIN_OVERLAP,
    churn_arrays,
    summarize_churn_columns,
)

__all__ = ["CHURN_COLUMNS", "MIN_OVERLAP", "churn", "summarize_churn"]


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
    dcodes, kcodes = dcodes[order].astype(np.int64), kcodes[order]
    values = frame[SIGNAL].to_numpy(dtype=np.float64)[order]
    if len(dates) < 2:
        return pd.DataFrame({c: [] for c in CHURN_COLUMNS})
    cols = churn_arrays(
        dcodes, kcodes, len(keys), values, len(dates), top_n=top_n, scale_top_n=scale_top_n
    )
    groups = np.arange(1, len(dates))
    out = pd.DataFrame({DATE: dates[groups], "previous_date": dates[groups - 1]})
    for name in CHURN_COLUMNS[2:]:
        out[name] = cols[name]
    out["top_n"] = pd.array(cols["top_n"], dtype="Int64")
    out.loc[cols["top_n_missing"], "top_n"] = pd.NA
    out["reason"] = cols["reason"].astype(str)
    return out


def summarize_churn(per_date: pd.DataFrame) -> pd.DataFrame:
    """Mean, median, max and latest of each churn measure (NaN dates left out).

    ``top_n`` is the N (or range of N) the top/bottom overlap used, for ``churn_top_bottom``.

    >>> summarize_churn(pd.DataFrame({"churn": [0.1, 0.3], "churn_top_bottom": [0.5, None]}))
    ... # doctest: +NORMALIZE_WHITESPACE
                 metric  mean  median  max  latest  n_dates top_n
    0             churn   0.2     0.2  0.3     0.3        2
    1  churn_top_bottom   0.5     0.5  0.5     0.5        1
    """
    columns = {
        m: per_date[m].to_numpy(dtype=np.float64, na_value=np.nan)
        for m in ("churn", "churn_top_bottom")
        if m in per_date.columns
    }
    top_n = None
    if "top_n" in per_date.columns:
        top_n = per_date["top_n"].astype("Float64").fillna(-1).to_numpy(dtype=np.int64)
    rows = summarize_churn_columns(columns, top_n)
    return pd.DataFrame(rows, columns=list(CHURN_SUMMARY_COLUMNS))
