"""Write the bundled SYNTHETIC sample: daily prices, an FX table and a weekly signal.

Everything is made up (seeded random walks): no real prices, no real companies. The tickers are
those of the sample universe (``tickermap/data/sample/universe.csv``) that have a live composite
row in the sample OpenFIGI world (``world.json``, both made by ``scripts/make_sample_world.py``):
delisted records, tickers the world does not know (``ZZZQ US``, the old name ``OLDN US``) and
tickers without a Yahoo symbol are skipped. So the demo runs the whole chain: a signal keyed by
``bloomberg_ticker`` is joined to features computed from prices keyed by **Yahoo symbol**,
through the universe that ``tickermap reconcile`` cleans.

Outputs (in ``tickermap/data/sample/``):

* ``prices.parquet``: ``date, yahoo, open, high, low, close, volume, shares_outstanding,
  currency, country``; one row per listing and business day (320 days), prices in the local
  currency of the exchange (``mappings/exchanges.csv``), ``country`` its ISO code (Yahoo
  symbols carry no exchange code tickermap can read). ``yahoo`` is
  :func:`tickermap.tickers.symbols.bloomberg_to_yahoo` of the Bloomberg ticker, given the venue
  when the
  world has exactly one venue row for the listing (``157065 KS`` on KOSDAQ is ``157065.KQ``, as
  reconcile decides), else the composite default (``3709 TT`` is ``3709.TW``). Returns follow a
  market factor, a country factor and idiosyncratic noise whose size shrinks with market cap.
* ``fx.csv``: ``date, currency, usd_per_unit`` random walks around plausible levels, for every
  non-USD currency of the prices.
* ``signal.parquet``: ``date, bloomberg_ticker, signal`` on Fridays after a 60-day warm-up, over
  the same listings, built as ``0.5 * z(short-term reversal) - 0.4 * z(log USD market cap) +
  0.768 * noise`` (z: rank then gaussianise, per date), then ranked into (0, 1]: its true
  exposures are about +0.5 to reversal (i.e. -0.5 to ``short_term_return``) and -0.4 to size.

Run: ``python scripts/make_sample_data.py`` (deterministic; rerun after changing it or the
sample world).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy.special import ndtri

from tickermap.columns import BLOOMBERG_TICKER, YAHOO
from tickermap.resources import sample_dir
from tickermap.tickers.exchanges import load_exchanges
from tickermap.tickers.parse import parse_ticker
from tickermap.tickers.symbols import bloomberg_to_yahoo

SEED = 20240607
N_DAYS = 320
RETURN_WINDOW = 20
WARM_UP = 60
NOTE = "SYNTHETIC sample data made by scripts/make_sample_data.py: not real prices or companies"

# currency: (typical price, USD per unit at the start, price decimals)
CURRENCIES: dict[str, tuple[float, float, int]] = {
    "USD": (60.0, 1.0, 2),
    "GBP": (4.5, 1.27, 3),
    "EUR": (70.0, 1.09, 2),
    "KRW": (55000.0, 0.00076, 0),
    "JPY": (2500.0, 0.0068, 0),
    "HKD": (40.0, 0.128, 2),
    "TWD": (300.0, 0.031, 1),
    "CAD": (40.0, 0.74, 2),
    "AUD": (25.0, 0.66, 2),
    "SEK": (150.0, 0.095, 2),
}


@dataclass(frozen=True, slots=True)
class Listing:
    """One sample listing: its Bloomberg ticker, Yahoo symbol, currency and country."""

    bloomberg_ticker: str
    yahoo: str
    currency: str
    country: str


def sample_listings() -> list[Listing]:
    """Universe tickers with a live composite row in the sample world, in universe order."""
    records = json.loads((sample_dir() / "world.json").read_text())["records"]
    universe = pd.read_csv(sample_dir() / "universe.csv", dtype=str)[BLOOMBERG_TICKER]
    exchanges = load_exchanges()
    listings = []
    for ticker in universe:
        parsed = parse_ticker(ticker).ticker
        assert parsed is not None, ticker
        root, code = parsed.root, parsed.code
        live = [
            r
            for r in records
            if r["ticker"] == root
            and r["exchCode"] == code
            and r["figi"] == r["compositeFIGI"]
            and not r.get("delisted")
        ]
        if not live:
            continue
        composites = {r["figi"] for r in live}
        venues = {
            r["exchCode"]
            for r in records
            if r["compositeFIGI"] in composites and r["figi"] != r["compositeFIGI"]
        }
        venue = next(iter(venues)) if len(venues) == 1 else None
        symbol = bloomberg_to_yahoo(ticker, venue=venue)
        if symbol.symbol is None or symbol.error:
            continue
        ex = exchanges[code]
        listings.append(Listing(ticker, symbol.symbol, ex.currency, ex.country))
    return listings


def _gauss_rank(values: np.ndarray) -> np.ndarray:
    ranks = pd.Series(values).rank(method="average").to_numpy()
    return ndtri((ranks - 0.5) / len(values))


def make_prices(rng: np.random.Generator, listings: list[Listing]) -> pd.DataFrame:
    """Daily OHLCV, shares, currency and country for every listing (long format)."""
    dates = pd.bdate_range("2023-01-02", periods=N_DAYS)
    market = rng.normal(0.0003, 0.009, N_DAYS)
    local = {c: rng.normal(0, 0.004, N_DAYS) for c in sorted({x.country for x in listings})}
    frames = []
    for listing in listings:
        level, _, decimals = CURRENCIES[listing.currency]
        shares = float(np.round(np.exp(rng.normal(19.0, 1.2)), -3))
        size_z = (np.log(shares) - 19.0) / 1.2
        idio = 0.018 * np.exp(-0.35 * size_z) * rng.uniform(0.7, 1.3)
        beta = rng.uniform(0.6, 1.4)
        ret = beta * market + local[listing.country] + rng.normal(0, idio, N_DAYS)
        close = level * np.exp(rng.normal(0, 0.6)) * np.exp(np.cumsum(ret))
        open_ = close * np.exp(rng.normal(0, idio / 3, N_DAYS))
        high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, idio / 2, N_DAYS)))
        low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, idio / 2, N_DAYS)))
        o, h, lo, c = (np.round(x, decimals) for x in (open_, high, low, close))
        h, lo = np.maximum.reduce([h, o, c]), np.minimum.reduce([lo, o, c])
        turnover = shares * 0.004 * np.exp(rng.normal(0, rng.uniform(0.2, 0.8), N_DAYS))
        frames.append(
            pd.DataFrame(
                {
                    "date": dates,
                    YAHOO: listing.yahoo,
                    "open": o,
                    "high": h,
                    "low": lo,
                    "close": c,
                    "volume": (np.round(turnover, -2)).astype("int64"),
                    "shares_outstanding": np.int64(shares),
                    "currency": listing.currency,
                    "country": listing.country,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def make_fx(
    rng: np.random.Generator, dates: pd.DatetimeIndex, currencies: list[str]
) -> pd.DataFrame:
    """Daily USD-per-unit rates for every non-USD currency of the prices."""
    rows = [
        pd.DataFrame(
            {
                "date": dates,
                "currency": cur,
                "usd_per_unit": np.round(
                    CURRENCIES[cur][1] * np.exp(np.cumsum(rng.normal(0, 0.004, len(dates)))), 8
                ),
            }
        )
        for cur in currencies
        if cur != "USD"
    ]
    return pd.concat(rows, ignore_index=True)


def make_signal(
    rng: np.random.Generator, prices: pd.DataFrame, fx: pd.DataFrame, listings: list[Listing]
) -> pd.DataFrame:
    """Weekly signal keyed by Bloomberg ticker: +0.5 reversal, -0.4 size, the rest noise."""
    to_bloomberg = {x.yahoo: x.bloomberg_ticker for x in listings}
    close = prices.pivot(index="date", columns=YAHOO, values="close")
    past = close / close.shift(RETURN_WINDOW) - 1.0
    rate = prices[["date", "currency"]].merge(fx, on=["date", "currency"], how="left")
    usd = np.where(rate["currency"] == "USD", 1.0, rate["usd_per_unit"])
    cap = prices.assign(cap=prices["shares_outstanding"] * prices["close"] * usd)
    caps = cap.pivot(index="date", columns=YAHOO, values="cap")
    tickers = close.columns.map(to_bloomberg)
    fridays = [d for d in close.index[WARM_UP:] if d.day_of_week == 4]
    rows = []
    for day in fridays:
        z_rev = _gauss_rank(-past.loc[day].to_numpy())
        z_size = _gauss_rank(np.log(caps.loc[day].to_numpy()))
        raw = 0.5 * z_rev - 0.4 * z_size + 0.768 * rng.normal(size=len(z_rev))
        signal = pd.Series(raw).rank(pct=True).to_numpy()
        rows.append(pd.DataFrame({"date": day, BLOOMBERG_TICKER: tickers, "signal": signal}))
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["date", BLOOMBERG_TICKER], ignore_index=True)


def _write_parquet(frame: pd.DataFrame, name: str) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"note": NOTE})
    pq.write_table(table, sample_dir() / name, compression="zstd", compression_level=19)


def main() -> None:
    """Generate and write the three sample files; print their sizes."""
    rng = np.random.default_rng(SEED)
    listings = sample_listings()
    prices = make_prices(rng, listings)
    dates = pd.DatetimeIndex(sorted(prices["date"].unique()))
    fx = make_fx(rng, dates, sorted({x.currency for x in listings}))
    signal = make_signal(rng, prices, fx, listings)
    sample_dir().mkdir(parents=True, exist_ok=True)
    _write_parquet(prices, "prices.parquet")
    _write_parquet(signal, "signal.parquet")
    out = fx.assign(date=fx["date"].dt.strftime("%Y-%m-%d"))
    (sample_dir() / "fx.csv").write_text(out.to_csv(index=False))
    print(f"{len(listings)} listings, {len(prices):,} price rows, {len(signal):,} signal rows")
    for name in ("prices.parquet", "signal.parquet", "fx.csv"):
        size = (sample_dir() / name).stat().st_size
        print(f"{name}: {size / 1000:.0f} kB")


if __name__ == "__main__":
    main()
