"""Summaries of the per-date diagnostics, and Numerai's published rules applied to them.

Statistics per metric over the dates with a value: ``mean``, ``std`` (ddof 0), ``sharpe`` =
mean/std, ``max_drawdown`` = max(cummax(cumsum) - cumsum), ``positive_share``; as numerai-tools
and Numerai's example notebooks summarise per-era scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["RULES", "Rule", "apply_rules", "summarize"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A published Numerai threshold on a per-date metric."""

    metric: str
    threshold: float
    consequence: str
    source: str
    date: str


RULES = (
    Rule(
        "churn",
        0.15,
        "stake set to 0 for the round when max churn >= 15%",
        "docs.numer.ai numerai-signals/scoring (What is Churn and Turnover?); forum 7648",
        "2024-09-20",
    ),
    Rule(
        "turnover",
        0.25,
        "stake set to 0 for the round when max turnover >= 25% (forum 8162 said 20%)",
        "docs.numer.ai numerai-signals/scoring; forum.numer.ai/t/8162",
        "2025-09",
    ),
    Rule(
        "neutral_churn",
        0.10,
        "positive payout scaled by neutral_churn_penalty above 10% neutral churn",
        "numerai-tools 0.7.2 signals.neutral_churn_penalty (not yet in the docs)",
        "2026",
    ),
)
"""Numerai's published churn and turnover rules (see the README for the sources)."""

SUMMARY_COLUMNS = (
    "metric", "mean", "std", "sharpe", "max_drawdown", "positive_share", "latest", "n_dates",
    "n_missing",
)  # fmt: skip


def summarize(per_date: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """One row per metric column present in ``per_date``.

    >>> t = pd.DataFrame({"date": [1, 2, 3], "alpha": [0.1, -0.2, 0.3]})
    >>> summarize(t, ["alpha"])[["mean", "max_drawdown", "positive_share"]].round(3).values.tolist()
    [[0.067, 0.2, 0.667]]
    """
    rows = []
    for m in metrics:
        if m not in per_date.columns:
            continue
        v = per_date[m].to_numpy(dtype=np.float64)
        ok = v[~np.isnan(v)]
        if len(ok):
            cum = np.cumsum(ok)
            std = float(np.std(ok))
            rows.append(
                {
                    "metric": m,
                    "mean": float(ok.mean()),
                    "std": std,
                    "sharpe": float(ok.mean() / std) if std > 0 else np.nan,
                    "max_drawdown": float(np.max(np.maximum.accumulate(cum) - cum)),
                    "positive_share": float((ok > 0).mean()),
                    "latest": float(ok[-1]),
                    "n_dates": len(ok),
                    "n_missing": int(len(v) - len(ok)),
                }
            )
        else:
            rows.append({"metric": m, "n_dates": 0, "n_missing": len(v)})
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def apply_rules(per_date: pd.DataFrame) -> pd.DataFrame:
    """Per rule: how many dates breach it, the share, the latest value and the verdict."""
    rows = []
    for rule in RULES:
        if rule.metric not in per_date.columns:
            continue
        v = per_date[rule.metric].dropna()
        over = v >= rule.threshold if rule.metric != "neutral_churn" else v > rule.threshold
        rows.append(
            {
                "rule": f"{rule.metric} {'>=' if rule.metric != 'neutral_churn' else '>'} "
                f"{rule.threshold:g}",
                "dates_over": int(over.sum()),
                "share_over": float(over.mean()) if len(v) else np.nan,
                "latest": float(v.iloc[-1]) if len(v) else np.nan,
                "latest_over": bool(over.iloc[-1]) if len(v) else False,
                "consequence": rule.consequence,
                "source": rule.source,
                "as_of": rule.date,
            }
        )
    return pd.DataFrame(rows)
