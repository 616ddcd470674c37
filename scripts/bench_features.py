"""Benchmark: tickermap.features.compute.compute_features vs a per-ticker loop over the `ta`
library.

Random-walk OHLCV for N tickers x D business days (default 5,000 x 500). tickermap computes all
ten features in one vectorised call; the reference computes only the four indicators `ta` has
(Williams %R, TRIX, Bollinger %B, CCI) ticker by ticker, on a subset of tickers (``--ref-tickers``)
and is extrapolated linearly to N. The same four columns are compared on that subset (max abs
difference printed). Needs the dev extra (``ta``).

Run: ``python scripts/bench_features.py [--tickers 5000] [--days 500] [--ref-tickers 200]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import ta

from tickermap.features.compute import compute_features


def random_prices(n_tickers: int, n_days: int, seed: int = 0) -> pd.DataFrame:
    """Long OHLCV table of seeded random walks with a common market factor."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-01", periods=n_days)
    market = rng.normal(0, 0.01, (n_days, 1))
    ret = market + rng.normal(0, 0.02, (n_days, n_tickers))
    close = 50.0 * np.exp(np.cumsum(ret, axis=0))
    open_ = close * np.exp(rng.normal(0, 0.005, close.shape))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.01, close.shape)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.01, close.shape)))
    volume = rng.lognormal(12, 0.5, close.shape)
    tickers = np.array([f"T{i:05d} US" for i in range(n_tickers)])
    return pd.DataFrame(
        {
            "date": np.repeat(dates.to_numpy(), n_tickers),
            "bloomberg_ticker": np.tile(tickers, n_days),
            "open": open_.ravel(),
            "high": high.ravel(),
            "low": low.ravel(),
            "close": close.ravel(),
            "volume": volume.ravel(),
        }
    )


def ta_loop(prices: pd.DataFrame) -> pd.DataFrame:
    """The reference: groupby ticker, four `ta` indicators per ticker (windows as FeatureSpec)."""
    parts = []
    for ticker, p in prices.groupby("bloomberg_ticker", sort=True):
        p = p.sort_values("date")
        h, lo, c = p["high"], p["low"], p["close"]
        parts.append(
            pd.DataFrame(
                {
                    "date": p["date"],
                    "bloomberg_ticker": ticker,
                    "williams_r": ta.momentum.williams_r(h, lo, c, lbp=14),
                    "trix": ta.trend.trix(c, window=15),
                    "bollinger_pband": ta.volatility.bollinger_pband(c, window=20, window_dev=2),
                    "cci": ta.trend.cci(h, lo, c, window=20, constant=0.015),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    """Time both paths and print seconds, the speed ratio and the max abs difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickers", type=int, default=5000)
    parser.add_argument("--days", type=int, default=500)
    parser.add_argument("--ref-tickers", type=int, default=200)
    args = parser.parse_args()

    prices = random_prices(args.tickers, args.days)
    start = time.perf_counter()
    ours = compute_features(prices, country_from="key")
    t_ours = time.perf_counter() - start

    subset_keys = sorted(prices["bloomberg_ticker"].unique())[: args.ref_tickers]
    subset = prices[prices["bloomberg_ticker"].isin(subset_keys)]
    start = time.perf_counter()
    ref = ta_loop(subset)
    t_ref = (time.perf_counter() - start) * args.tickers / len(subset_keys)

    keys = ["date", "bloomberg_ticker"]
    cols = ["williams_r", "trix", "bollinger_pband", "cci"]
    both = ref.merge(ours[keys + cols], on=keys, suffixes=("_ta", ""))
    diff = max(float((both[c] - both[f"{c}_ta"]).abs().max()) for c in cols)
    print(f"{args.tickers:,} tickers x {args.days} days = {len(prices):,} rows")
    print(f"tickermap, 10 features, all tickers : {t_ours:8.2f} s")
    print(f"ta loop, 4 indicators (extrapolated from {len(subset_keys)} tickers): {t_ref:8.2f} s")
    print(f"speed-up (ta 4 features / tickermap 10 features): {t_ref / t_ours:6.1f}x")
    print(f"max |difference| on the 4 shared indicators: {diff:.2e}")


if __name__ == "__main__":
    main()
