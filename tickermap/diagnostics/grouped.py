"""Segment operations over rows sorted by date, one value per date, with no loop over dates.

Rows are sorted by date code; ``starts`` is the first row of each date (every date of a block has
at least one row). A *mask* picks the rows a metric may use on each date; values outside it are
NaN. Least squares per date lives in :mod:`tickermap.diagnostics.design`.
"""

from __future__ import annotations

import numpy as np

from tickermap.exposure.per_date import grouped_stats, numerai_transform

__all__ = [
    "MAX_FILTERED_RATIO",
    "enough_overlap",
    "gcount",
    "gmean",
    "gsum",
    "pearson",
    "pow15",
    "rank_gauss",
]

MAX_FILTERED_RATIO = 0.2
"""numerai-tools ``DEFAULT_MAX_FILTERED_INDEX_RATIO``."""


def gsum(v: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum per date (axis 0)."""
    return np.add.reduceat(v, starts, axis=0) if len(v) else np.zeros((0, *v.shape[1:]))


def gcount(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Rows per date where ``mask`` holds."""
    return gsum(mask.astype(np.int64), starts)


def gmean(v: np.ndarray, mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Mean of ``v`` over the masked rows of each date (NaN for a date without rows)."""
    n = gcount(mask, starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return gsum(np.where(mask, v, 0.0), starts) / n


def enough_overlap(kept: np.ndarray, *totals: np.ndarray) -> np.ndarray:
    """numerai-tools' filter check: ``kept / total >= 1 - 0.2`` for every input, per date."""
    ok = np.ones(len(kept), dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        for total in totals:
            ok &= kept / total >= (1 - MAX_FILTERED_RATIO)
    return ok


def rank_gauss(
    v: np.ndarray, mask: np.ndarray, codes: np.ndarray, starts: np.ndarray, *, power: bool
) -> np.ndarray:
    """Tie-kept rank over the masked rows of each date, gaussianise, optionally ^1.5."""
    return numerai_transform(np.where(mask, v, np.nan), codes, starts, pow15=power)


def pow15(v: np.ndarray) -> np.ndarray:
    """numerai-tools ``power(x, 1.5)``: ``sign(x) |x|^1.5``."""
    return np.sign(v) * np.abs(v) ** 1.5


def pearson(
    x: np.ndarray, y: np.ndarray, mask: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r per date over the masked rows, and whether x or y is constant there."""
    xm = np.where(mask, x, np.nan)
    ym = np.where(mask, y, np.nan)
    _, r, x_const, y_const, _ = grouped_stats(xm, ym, starts)
    return r, x_const | y_const
