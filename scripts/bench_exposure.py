"""Benchmark: vectorised per-date exposures vs the per-date numerai-tools loop, same data.

Default size is the issue's: 5,000 tickers x 500 dates x 50 features (numerai method). The
reference (``numerai_tools.scoring.numerai_corr`` per date, all features at once, as Numerai's own
``groupby('era').apply`` does) runs on ``--ref-dates`` dates and is extrapolated linearly to all
dates (it is exactly linear in dates); the max abs difference on those dates is printed. Peak
memory of the tickermap call is measured with tracemalloc and compared with the input features
frame's size.

    python scripts/bench_exposure.py [--tickers 5000 --dates 500 --features 50 --ref-dates 20]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd
from numerai_tools import scoring

from tickermap.exposure.per_date import per_date_exposures


def make_data(n_tickers: int, n_dates: int, n_features: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2015-01-02", periods=n_dates, freq="W-FRI")
    tickers = np.array([f"T{i:05d} US" for i in range(n_tickers)])
    date_col = np.repeat(dates.values, n_tickers)
    key_col = np.tile(tickers, n_dates)
    signal = pd.DataFrame(
        {"date": date_col, "bloomberg_ticker": key_col, "signal": rng.random(len(date_col))}
    )
    feats = {"date": date_col, "bloomberg_ticker": key_col}
    for j in range(n_features):
        feats[f"f{j:02d}"] = rng.standard_normal(len(date_col))
    features = pd.DataFrame(feats)
    return signal, features


def reference(signal: pd.DataFrame, features: pd.DataFrame, dates) -> pd.DataFrame:
    cols = [c for c in features.columns if c.startswith("f")]
    out = {}
    s_idx = signal.set_index(["date", "bloomberg_ticker"])
    f_idx = features.set_index(["date", "bloomberg_ticker"])
    for d in dates:
        s = s_idx.loc[d][["signal"]]
        f = f_idx.loc[d]
        row = {}
        for col in cols:  # numerai_corr takes one target series at a time
            row[col] = scoring.numerai_corr(s, f[col], target_pow15=False)["signal"]
        out[d] = row
    return pd.DataFrame(out).T


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickers", type=int, default=5000)
    ap.add_argument("--dates", type=int, default=500)
    ap.add_argument("--features", type=int, default=50)
    ap.add_argument("--ref-dates", type=int, default=20)
    args = ap.parse_args()
    signal, features = make_data(args.tickers, args.dates, args.features)
    input_bytes = int(features.memory_usage(deep=True).sum())
    print(
        f"data: {args.tickers} tickers x {args.dates} dates x {args.features} features; "
        f"features frame {input_bytes / 2**20:.0f} MiB"
    )

    tracemalloc.start()
    t0 = time.perf_counter()
    got = per_date_exposures(signal, features, method="numerai", key="bloomberg_ticker")
    t_vec = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    ref_dates = np.sort(signal["date"].unique())[: args.ref_dates]
    t0 = time.perf_counter()
    ref = reference(signal, features, ref_dates)
    t_ref_part = time.perf_counter() - t0
    t_ref = t_ref_part * args.dates / len(ref_dates)

    wide = got.pivot(index="date", columns="feature", values="exposure").loc[ref_dates]
    diff = float(np.nanmax(np.abs(wide[ref.columns].to_numpy() - ref.to_numpy(dtype=float))))
    print(f"tickermap per_date_exposures (all {args.dates} dates): {t_vec:.2f} s")
    print(
        f"numerai-tools loop: {t_ref_part:.2f} s on {len(ref_dates)} dates -> "
        f"{t_ref:.1f} s extrapolated to {args.dates} dates"
    )
    print(f"speed-up: {t_ref / t_vec:.1f}x")
    print(f"max abs difference on the reference dates: {diff:.2e}")
    print(
        f"peak extra memory (tracemalloc): {peak / 2**20:.0f} MiB = "
        f"{peak / input_bytes:.2f} x the features frame"
    )


if __name__ == "__main__":
    main()
