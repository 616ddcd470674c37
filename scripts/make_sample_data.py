"""Write the bundled SYNTHETIC sample: daily prices, an FX table and a weekly signal.

Everything is made up (seeded random walks): no real prices, no real companies. Tickers are
``SYN<n> <exchange>`` on real Bloomberg composite codes so that country lookups work.

Outputs (in ``tickermap/data/sample/``):

* ``prices.parquet``: ``date, bloomberg_ticker, open, high, low, close, volume,
  shares_outstanding, currency``; 60 tickers x 320 business days, 8 countries, prices in local
  currency (London in pence, ``GBp``). Returns follow a market factor plus idiosyncratic noise
  whose size shrinks with market cap (small caps are more volatile).
* ``fx.csv``: ``date, currency, usd_per_unit`` random walks around plausible levels.
* ``signal.parquet``: ``date, bloomberg_ticker, signal`` on Fridays after a 60-day warm-up, built
  as ``0.5 * z(short-term reversal) - 0.4 * z(log USD market cap) + 0.768 * noise`` (z: rank then
  gaussianise, per date), then ranked into (0, 1]: its true exposures are about +0.5 to reversal
  (i.e. -0.5 to ``short_term_return``) and -0.4 to size.

Run: ``python scripts/make_sample_data.py`` (deterministic; rerun after changing it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy.special import ndtri

from tickermap.resources import sample_dir

SEED = 20240607
N_DAYS = 320
RETURN_WINDOW = 20
WARM_UP = 60
NOTE = "SYNTHETIC sample data made by scripts/make_sample_data.py: not real prices or companies"

# exchange code: (number of tickers, currency, typical price, USD per unit at the start)
MARKETS: dict[str, tuple[int, str, float, float]] = {
    "US": (20, "USD", 60.0, 1.0),
    "LN": (8, "GBp", 450.0, 0.0127),  # pence: 1/100 of GBP at 1.27
    "FP": (6, "EUR", 70.0, 1.09),
    "GR": (5, "EUR", 90.0, 1.09),
    "KS": (6, "KRW", 55000.0, 0.00076),
    "JP": (6, "JPY", 2500.0, 0.0068),
    "HK": (5, "HKD", 40.0, 0.128),
    "AU": (4, "AUD", 25.0, 0.66),
}
FX_START = {"GBP": 1.27, "EUR": 1.09, "KRW": 0.00076, "JPY": 0.0068, "HKD": 0.128, "AUD": 0.66}


def _gauss_rank(values: np.ndarray) -> np.ndarray:
    ranks = pd.Series(values).rank(method="average").to_numpy()
    return ndtri((ranks - 0.5) / len(values))


def make_prices(rng: np.random.Generator) -> pd.DataFrame:
    """Daily OHLCV, shares and currency for every synthetic ticker (long format)."""
    dates = pd.bdate_range("2023-01-02", periods=N_DAYS)
    market = rng.normal(0.0003, 0.009, N_DAYS)
    frames = []
    n = 0
    for code, (count, currency, level, _) in MARKETS.items():
        local = rng.normal(0, 0.004, N_DAYS)
        for _ in range(count):
            n += 1
            shares = float(np.round(np.exp(rng.normal(19.0, 1.2)), -3))
            size_z = (np.log(shares) - 19.0) / 1.2
            idio = 0.018 * np.exp(-0.35 * size_z) * rng.uniform(0.7, 1.3)
            beta = rng.uniform(0.6, 1.4)
            ret = beta * market + local + rng.normal(0, idio, N_DAYS)
            close = level * np.exp(rng.normal(0, 0.6)) * np.exp(np.cumsum(ret))
            open_ = close * np.exp(rng.normal(0, idio / 3, N_DAYS))
            high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, idio / 2, N_DAYS)))
            low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, idio / 2, N_DAYS)))
            decimals = 0 if currency in ("KRW", "JPY") else 2
            o, h, lo, c = (np.round(x, decimals) for x in (open_, high, low, close))
            h, lo = np.maximum.reduce([h, o, c]), np.minimum.reduce([lo, o, c])
            turnover = shares * 0.004 * np.exp(rng.normal(0, rng.uniform(0.2, 0.8), N_DAYS))
            frames.append(
                pd.DataFrame(
                    {
                        "date": dates,
                        "bloomberg_ticker": f"SYN{n} {code}",
                        "open": o,
                        "high": h,
                        "low": lo,
                        "close": c,
                        "volume": np.round(turnover).astype("int64"),
                        "shares_outstanding": np.int64(shares),
                        "currency": currency,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def make_fx(rng: np.random.Generator, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Daily USD-per-unit rates for every non-USD currency (majors only: GBp uses GBP/100)."""
    rows = [
        pd.DataFrame(
            {
                "date": dates,
                "currency": cur,
                "usd_per_unit": np.round(
                    start * np.exp(np.cumsum(rng.normal(0, 0.004, len(dates)))), 8
                ),
            }
        )
        for cur, start in FX_START.items()
    ]
    return pd.concat(rows, ignore_index=True)


def make_signal(rng: np.random.Generator, prices: pd.DataFrame, fx: pd.DataFrame) -> pd.DataFrame:
    """Weekly signal with known exposures: +0.5 reversal, -0.4 size, the rest noise."""
    close = prices.pivot(index="date", columns="bloomberg_ticker", values="close")
    past = close / close.shift(RETURN_WINDOW) - 1.0
    rate = prices[["date", "currency"]].assign(
        currency=prices["currency"].replace({"GBp": "GBP"}),
        minor=np.where(prices["currency"] == "GBp", 0.01, 1.0),
    )
    rate = rate.merge(fx, on=["date", "currency"], how="left")
    usd = np.where(rate["currency"] == "USD", 1.0, rate["usd_per_unit"]) * rate["minor"]
    cap = prices.assign(cap=prices["shares_outstanding"] * prices["close"] * usd)
    caps = cap.pivot(index="date", columns="bloomberg_ticker", values="cap")
    fridays = [d for d in close.index[WARM_UP:] if d.day_of_week == 4]
    rows = []
    for day in fridays:
        z_rev = _gauss_rank(-past.loc[day].to_numpy())
        z_size = _gauss_rank(np.log(caps.loc[day].to_numpy()))
        raw = 0.5 * z_rev - 0.4 * z_size + 0.768 * rng.normal(size=len(z_rev))
        signal = pd.Series(raw).rank(pct=True).to_numpy()
        rows.append(
            pd.DataFrame({"date": day, "bloomberg_ticker": close.columns, "signal": signal})
        )
    return pd.concat(rows, ignore_index=True)


def _write_parquet(frame: pd.DataFrame, name: str) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"note": NOTE})
    pq.write_table(table, sample_dir() / name, compression="zstd", compression_level=19)


def main() -> None:
    """Generate and write the three sample files; print their sizes."""
    rng = np.random.default_rng(SEED)
    prices = make_prices(rng)
    dates = pd.DatetimeIndex(sorted(prices["date"].unique()))
    fx = make_fx(rng, dates)
    signal = make_signal(rng, prices, fx)
    sample_dir().mkdir(parents=True, exist_ok=True)
    _write_parquet(prices, "prices.parquet")
    _write_parquet(signal, "signal.parquet")
    out = fx.assign(date=fx["date"].dt.strftime("%Y-%m-%d"))
    (sample_dir() / "fx.csv").write_text(out.to_csv(index=False))
    for name in ("prices.parquet", "signal.parquet", "fx.csv"):
        size = (sample_dir() / name).stat().st_size
        print(f"{name}: {size / 1000:.0f} kB")


if __name__ == "__main__":
    main()
