"""Cheap checks on the (date, key) order of a table, for the fast paths of the joins.

Numerai-style files are usually written sorted by date, then ticker, one row per pair. When a
table is, :func:`sorted_unique` says so in one pass (no hashing): such a table has no duplicate
(date, key) row, and its rows are already in the order the per-date code sorts them into. When
two tables also have the same (date, key) rows (:func:`same_rows`), they join row for row. Each
caller falls back to the general hash join when a check fails, so the results never depend on
which path ran.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tickermap.exposure.kernels import date_runs, non_decreasing

__all__ = ["date_runs", "non_decreasing", "row_for_row", "same_rows", "sorted_unique"]


def _key_increasing(keys: pd.Series) -> np.ndarray | None:
    """``keys[i + 1] > keys[i]`` per row pair (missing keys: False); None when not comparable."""
    if isinstance(keys.dtype, pd.StringDtype) and keys.dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(keys.array)
        gt = pc.greater(arr[1:], arr[:-1])
        return np.asarray(pc.fill_null(gt, False).to_numpy(zero_copy_only=False), dtype=bool)
    values = keys.to_numpy()
    if values.dtype.kind in "iu":
        return np.asarray(values[1:] > values[:-1])
    if values.dtype != object:
        return None
    try:
        return np.asarray(values[1:] > values[:-1], dtype=bool)
    except TypeError:  # missing values or mixed types: take the general path
        return None


def sorted_unique(dates: pd.Series, keys: pd.Series) -> bool:
    """Whether the rows are sorted by (date, key), each pair once, with no missing date or key.

    >>> sorted_unique(pd.Series([1, 1, 2]), pd.Series(["a", "b", "a"]))
    True
    >>> sorted_unique(pd.Series([1, 1, 2]), pd.Series(["a", "a", "b"]))
    False
    """
    if len(dates) != len(keys):
        return False
    if len(dates) < 2:
        return bool(len(dates) == 0 or (dates.notna().all() and keys.notna().all()))
    d = dates.to_numpy()
    if not non_decreasing(d):
        return False
    increasing = _key_increasing(keys)
    if increasing is None:
        return False
    return bool((increasing | (d[1:] != d[:-1])).all())


def same_rows(
    dates: pd.Series, keys: pd.Series, other_dates: pd.Series, other_keys: pd.Series
) -> bool:
    """Whether two tables have the same (date, key) in every row (same dtypes of dates)."""
    if len(dates) != len(other_dates) or dates.dtype != other_dates.dtype:
        return False
    if not np.array_equal(dates.to_numpy(), other_dates.to_numpy()):
        return False
    if keys.dtype != other_keys.dtype:
        return False
    return bool(pd.Series(keys.array, copy=False).equals(pd.Series(other_keys.array, copy=False)))


def row_for_row(
    dates: pd.Series, keys: pd.Series, other_dates: pd.Series, other_keys: pd.Series
) -> bool:
    """Both sides have the same (date, key) rows, sorted and each once: they join row for row."""
    return same_rows(dates, keys, other_dates, other_keys) and sorted_unique(dates, keys)
