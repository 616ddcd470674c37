"""Scoring a reconciliation against the labelled test bed: precision and recall per reason.

Used by ``scripts/bench_reconcile.py`` and the tests. Pure: DataFrames in, DataFrame out.
"""

from __future__ import annotations

import math

import pandas as pd

from tickermap import columns as C

__all__ = ["score_reasons", "wilson_interval", "wrong_ok_rows"]


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson 95% score interval for a proportion (identifiers-and-matching.md §6.3).

    >>> lo, hi = wilson_interval(95, 100); round(lo, 3), round(hi, 3)
    (0.888, 0.978)
    """
    if total == 0:
        return (math.nan, math.nan)
    p = successes / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return (centre - half, centre + half)


def score_reasons(universe: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Precision and recall of each injected reason code, per ticker.

    A ticker counts as *flagged with r* when ``r`` is among its ``reasons``; it is a true
    positive when ``r`` was injected for it.

    Args:
        universe: reconcile output (``bloomberg_ticker``, ``reasons``).
        labels: test-bed labels (``bloomberg_ticker``, ``injected``).

    Returns:
        ``reason, injected, flagged, true_positives, precision, recall, recall_low`` (Wilson).
    """
    injected = labels.groupby(C.BLOOMBERG_TICKER)["injected"].agg(set)
    got = universe.set_index(C.BLOOMBERG_TICKER)["reasons"].str.split(";").map(set)
    rows = []
    kinds = sorted({k for s in injected for k in s} - {"ok"})
    for kind in kinds:
        truth = {t for t, s in injected.items() if kind in s}
        flagged = {t for t, s in got.items() if kind in s}
        tp = len(truth & flagged)
        rows.append(
            {
                "reason": kind,
                "injected": len(truth),
                "flagged": len(flagged),
                "true_positives": tp,
                "precision": tp / len(flagged) if flagged else math.nan,
                "recall": tp / len(truth) if truth else math.nan,
                "recall_low": wilson_interval(tp, len(truth))[0],
            }
        )
    return pd.DataFrame(rows)


def wrong_ok_rows(universe: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Tickers the reconciliation called ``ok`` although an error was injected for them."""
    bad = set(labels.loc[labels["injected"] != "ok", C.BLOOMBERG_TICKER])
    return universe[(universe["status"] == "ok") & universe[C.BLOOMBERG_TICKER].isin(bad)]
