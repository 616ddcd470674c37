# ruff: noqa: B023  (each lambda is called at once, inside its loop iteration)
"""Random Numerai-like inputs for the diagnostics tests, and the per-date numerai-tools loop."""

from __future__ import annotations

import numpy as np
import pandas as pd

ID = "numerai_ticker"


def make_inputs(
    seed: int = 0,
    *,
    n_tickers: int = 240,
    n_dates: int = 6,
    n_neutralizers: int = 4,
    n_features: int = 3,
    small_date: int | None = None,
    holes: bool = True,
) -> dict[str, pd.DataFrame]:
    """signal/targets/meta_model/sample_weights (date, numerai_ticker, value) and matrices.

    Ties (signal rounded), NaN signals, tickers missing from the neutralizers and targets, a
    date with few tickers (``small_date``), a NaN neutralizer row.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-05", periods=n_dates, freq="W-FRI")
    tickers = np.array([f"T{i:04d} US" for i in range(n_tickers)])
    rows = []
    for i, d in enumerate(dates):
        n = n_tickers if i != small_date else 60
        keep = np.sort(
            rng.choice(n_tickers, size=n - (rng.integers(0, 8) if holes else 0), replace=False)
        )
        rows.append(pd.DataFrame({"date": d, ID: tickers[keep]}))
    base = pd.concat(rows, ignore_index=True)
    m = len(base)
    latent = rng.standard_normal(m)
    sig = np.round(rng.random(m) * 0.7 + 0.3 * (latent > 0), 2)  # ties
    if holes:
        sig[rng.random(m) < 0.02] = np.nan
    out = {"signal": base.assign(signal=sig)}
    tgt = np.clip(0.5 + 0.1 * latent + 0.2 * rng.standard_normal(m), 0, 1)
    tgt = np.round(tgt * 4) / 4
    t = base.assign(target=tgt)
    if holes:
        t = t[rng.random(m) > 0.05]
    out["targets"] = t.reset_index(drop=True)
    out["meta_model"] = base.assign(
        meta_model=np.clip(0.5 + 0.1 * latent + 0.1 * rng.standard_normal(m), 0, 1)
    )
    w = rng.random(m) + 0.1
    out["sample_weights"] = base.assign(sample_weights=w / 100)
    neu = base.copy()
    for j in range(n_neutralizers):
        neu[f"neutralizer_{j}"] = rng.standard_normal(m) * 0.05 + (latent if j == 0 else 0) * 0.02
    if holes:
        neu = neu[rng.random(m) > 0.04].reset_index(drop=True)
        neu.loc[3, "neutralizer_1"] = np.nan
    out["neutralizers"] = neu
    feats = base.copy()
    for j in range(n_features):
        feats[f"feature_{j}"] = rng.standard_normal(m) + (latent if j == 0 else 0)
    out["features"] = feats
    return out


def _series(frame: pd.DataFrame, d: pd.Timestamp, col: str) -> pd.Series:
    s = frame[frame["date"] == d].set_index(ID)[col].sort_index()
    s.name = col
    return s


def _frame(frame: pd.DataFrame, d: pd.Timestamp, prefix: str) -> pd.DataFrame:
    cols = [c for c in frame.columns if c.startswith(prefix)]
    return frame[frame["date"] == d].set_index(ID)[cols].sort_index()


def _try(fn):  # type: ignore[no-untyped-def]
    try:
        return float(fn())
    except (AssertionError, ValueError):
        return np.nan


def reference(inputs: dict[str, pd.DataFrame], dates=None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """numerai-tools 0.7.2, one date at a time, on the same inputs (NaN where it raises)."""
    from numerai_tools import scoring, signals  # the [dev] extra; only the reference needs it

    all_dates = sorted(inputs["signal"]["date"].unique())
    dates = all_dates if dates is None else dates
    rows = []
    for d in dates:
        p = _series(inputs["signal"], d, "signal")
        t = _series(inputs["targets"], d, "target")
        mm = _series(inputs["meta_model"], d, "meta_model")
        v = _series(inputs["sample_weights"], d, "sample_weights").dropna()
        n = _frame(inputs["neutralizers"], d, "neutralizer")
        nc = n.dropna()
        f = _frame(inputs["features"], d, "feature")
        pf = p.to_frame()
        s1 = p.dropna().index.intersection(f.dropna().index)
        covered = p.index.intersection(nc.index).intersection(v.index)
        row = {
            "date": d,
            "numerai_corr": _try(lambda: scoring.numerai_corr(pf, t)["signal"]),
            "neutral_correlation": _try(lambda: scoring.neutral_correlation(pf, n, t)["signal"]),
            "alpha": _try(lambda: scoring.alpha(p.loc[covered].to_frame(), nc, v, t)["signal"]),
            "correlation_contribution": _try(
                lambda: scoring.correlation_contribution(pf, mm, t)["signal"]
            ),
            "neutral_contribution": _try(
                lambda: scoring.neutral_contribution(pf, mm, n, t)["signal"]
            ),
            "feature_neutral_corr": _try(
                lambda: scoring.feature_neutral_corr(p.loc[s1].to_frame(), f.loc[s1], t)["signal"]
            ),
            "max_feature_correlation": _try(
                lambda: scoring.max_feature_correlation(p.loc[s1], f.loc[s1])[1]
            ),
        }
        i = all_dates.index(d)
        if i > 0:
            q = all_dates[i - 1]
            args = (
                p,
                nc,
                v,
                {"prev": _series(inputs["signal"], q, "signal")},
                {"prev": _frame(inputs["neutralizers"], q, "neutralizer").dropna()},
                {"prev": _series(inputs["sample_weights"], q, "sample_weights").dropna()},
            )
            try:
                row["churn"], row["turnover"] = signals.calculate_max_churn_and_turnover(*args)
            except (AssertionError, ValueError):
                row["churn"] = row["turnover"] = np.nan
            row["neutral_churn"] = _try(lambda: signals.calculate_mean_neutral_churn(*args))
            nc_v = row["neutral_churn"]
            row["neutral_churn_penalty"] = (
                signals.neutral_churn_penalty(nc_v) if np.isfinite(nc_v) else np.nan
            )
        rows.append(row)
    return pd.DataFrame(rows)
