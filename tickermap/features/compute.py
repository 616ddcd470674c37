"""Price features per (date, ticker) from daily OHLCV, vectorised over all tickers at once.

This module holds the feature table (:data:`FEATURE_COLUMNS`, :class:`FeatureSpec`), loading and
validation of price and FX tables (:func:`load_prices`, :func:`load_fx`) and
:func:`compute_features`, which pivots prices to wide (date x ticker) matrices, calls
:mod:`tickermap.features.indicators` once per feature over the whole matrix and gathers the
results back to
one row per input (date, key). It never prints, never reads the environment and never loops over
tickers in Python.

Pinned definitions (library defaults disagree; every window is a :class:`FeatureSpec` field and
counts rows of the file's trading calendar, i.e. the sorted union of its dates):

=========================== =====================================================================
column                      definition (defaults)
=========================== =====================================================================
williams_r                  STANDARD %R(14) = -100*(HH-C)/(HH-LL), in [-100, 0]; -100 = oversold.
                            Numerai's "Williams %R Indicator" is sign-flipped (high = oversold):
                            use ``-williams_r`` to reproduce it.
trix                        TRIX(15): 100 x 1-day change of the triple EMA (``ta`` default 15;
                            TA-Lib/pandas-ta use 30, Numerai's public features 60 and 130).
bollinger_pband             Bollinger %B(20, 2 std, population std ddof=0); 0 = lower band.
cci                         CCI(20, constant 0.015) on the typical price (H+L+C)/3.
price_to_52w_high           C / max(H over 252 rows, today included); needs 252 rows of history.
volume_volatility_to_price  std(volume over 20 rows, ddof=1) / C today [Numerai's definition is
                            unpublished; this reading is tickermap's choice].
residual_volatility         std of residuals (ddof 2) of a 60-row OLS of daily simple returns on
                            the equal-weighted mean return of all tickers in the file; daily units.
short_term_return           C_t / C_(t-20) - 1 (its negative is the short-term reversal).
usd_market_cap              shares_outstanding x C x usd_per_unit(currency, latest FX on/before the
                            date). No ``currency`` column means the prices are in USD (an explicit
                            assumption, logged). GBp/GBX, ZAc and ILA are minor units (/100).
price_rank_country          C ranked within (date, country), ``pct=True``, average ties, in (0, 1]
                            (Numerai: "Price factor is grouped by country, then ranked").
=========================== =====================================================================

Warm-up rows, and every window touching a missing price, give NaN (no forward fill). Prices must
be adjusted consistently by the caller; zero or negative prices are rejected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from tickermap.columns import BLOOMBERG_TICKER, DATE, NUMERAI_TICKER
from tickermap.errors import AnalysisError, ConfigError
from tickermap.features import indicators
from tickermap.features.prices import (
    CLOSE,
    COUNTRY,
    CURRENCY,
    HIGH,
    LOW,
    SHARES_OUTSTANDING,
    USD_PER_UNIT,
    VOLUME,
    load_fx,
    load_prices,
    validate_fx,
    validate_prices,
)
from tickermap.progress import Progress, ensure
from tickermap.tickers.parse import exchange_codes

__all__ = [
    "FEATURE_COLUMNS",
    "CountrySource",
    "FeatureSpec",
    "compute_features",
    "countries_from_keys",
    "load_fx",
    "load_prices",
    "run_features",
]

log = logging.getLogger(__name__)

WILLIAMS_R = "williams_r"
TRIX = "trix"
BOLLINGER_PBAND = "bollinger_pband"
CCI = "cci"
PRICE_TO_52W_HIGH = "price_to_52w_high"
VOLUME_VOLATILITY_TO_PRICE = "volume_volatility_to_price"
RESIDUAL_VOLATILITY = "residual_volatility"
SHORT_TERM_RETURN = "short_term_return"
USD_MARKET_CAP = "usd_market_cap"
PRICE_RANK_COUNTRY = "price_rank_country"

FEATURE_COLUMNS: tuple[str, ...] = (
    WILLIAMS_R,
    TRIX,
    BOLLINGER_PBAND,
    CCI,
    PRICE_TO_52W_HIGH,
    VOLUME_VOLATILITY_TO_PRICE,
    RESIDUAL_VOLATILITY,
    SHORT_TERM_RETURN,
    USD_MARKET_CAP,
    PRICE_RANK_COUNTRY,
)
"""Output feature columns, in order (after ``date`` and the key column)."""

CountrySource = Literal["auto", "column", "key", "none"]

MINOR_UNITS: dict[str, tuple[str, float]] = {
    "GBp": ("GBP", 0.01),
    "GBX": ("GBP", 0.01),
    "ZAc": ("ZAR", 0.01),
    "ZAC": ("ZAR", 0.01),
    "ILA": ("ILS", 0.01),
    "ILa": ("ILS", 0.01),
}
"""Quote currencies in minor units (pence, cents, agorot): major currency and the factor."""


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """Windows (rows of the file's calendar) and constants of every feature."""

    williams_r_window: int = 14
    trix_window: int = 15
    bollinger_window: int = 20
    bollinger_std: float = 2.0
    cci_window: int = 20
    cci_constant: float = 0.015
    high_window: int = 252
    volvol_window: int = 20
    resid_vol_window: int = 60
    return_window: int = 20

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            low = 3 if f.name == "resid_vol_window" else 1 if f.name == "return_window" else 2
            if f.name.endswith("_window") and (not isinstance(value, int) or value < low):
                raise ConfigError(
                    f"FeatureSpec.{f.name} must be an integer >= {low}, not {value!r}"
                )
            if not f.name.endswith("_window") and not value > 0:
                raise ConfigError(f"FeatureSpec.{f.name} must be positive, not {value!r}")


def countries_from_keys(keys: pd.Series | pd.Index, *, key: str) -> pd.Series:
    """Country (ISO alpha-2) of each ticker, from its exchange code; NaN when unknown.

    ``bloomberg_ticker``: the last token is a Bloomberg composite code, looked up in
    ``mappings/exchanges.csv``. ``numerai_ticker``: the last token already is an ISO country.

    Raises:
        ConfigError: ``key`` is not a ticker column (pass a ``country`` column instead).
    """
    values = pd.Series(keys, dtype="str").reset_index(drop=True)
    code = exchange_codes(values)
    has_code = code.notna()
    if key == NUMERAI_TICKER:
        country = code.where(has_code & code.str.fullmatch(r"[A-Z]{2}"))
    elif key == BLOOMBERG_TICKER:
        from tickermap.tickers.exchanges import load_exchanges

        table = {c: ex.country for c, ex in load_exchanges().items()}
        country = code.where(has_code).map(table)
    else:
        raise ConfigError(
            f"cannot derive countries from {key!r} keys; add a 'country' column to the prices"
        )
    return pd.Series(country.to_numpy(dtype=object), index=pd.Index(keys), dtype="str")


def _country_codes(
    frame: pd.DataFrame,
    key: str,
    keys: pd.Index,
    key_idx: np.ndarray,
    source: CountrySource,
    countries: pd.Series | None,
) -> np.ndarray | None:
    """Integer country code per ticker (-1 when unknown), or None when no countries are wanted."""
    if countries is not None:
        per_key = pd.Series(keys).map(countries)
    elif source == "none":
        return None
    elif source in ("auto", "column") and COUNTRY in frame.columns:
        per_row = pd.Series(frame[COUNTRY].to_numpy(), index=key_idx)
        if (per_row.groupby(level=0).nunique() > 1).any():
            log.warning("some tickers have several countries; the first one is used")
        per_key = per_row.groupby(level=0).first().reindex(range(len(keys)))
    elif source == "column":
        raise ConfigError("--country-from column needs a 'country' column in the prices")
    elif source == "auto" and key not in (BLOOMBERG_TICKER, NUMERAI_TICKER):
        log.warning("no country column and %r keys: price_rank_country is left empty", key)
        return None
    else:
        per_key = countries_from_keys(keys, key=key)
    return pd.factorize(per_key.to_numpy())[0]


def _rank_within(close: pd.DataFrame, group: np.ndarray) -> pd.DataFrame:
    """Per date, ``pct`` rank (average ties) of the close among tickers of the same group."""
    out = np.full(close.shape, np.nan)
    for code in np.unique(group[group >= 0]):  # one pass per country, never per ticker
        cols = np.flatnonzero(group == code)
        ranked = close.iloc[:, cols].rank(axis=1, method="average", pct=True)
        out[:, cols] = ranked.to_numpy(dtype=float)
    return pd.DataFrame(out, index=close.index, columns=close.columns)


def _fx_rates(prices: pd.DataFrame, fx: pd.DataFrame | None) -> np.ndarray:
    """USD per unit of each row's price currency (as-of join on date); NaN when unknown."""
    if CURRENCY not in prices.columns:
        log.info("no %r column: prices are assumed to be in USD", CURRENCY)
        return np.ones(len(prices))
    cur = prices[CURRENCY].fillna("USD")
    major = cur.map(lambda c: MINOR_UNITS.get(c, (c, 1.0))[0])
    factor = cur.map(lambda c: MINOR_UNITS.get(c, (c, 1.0))[1]).to_numpy(dtype=float)
    rate = np.where(major.to_numpy() == "USD", 1.0, np.nan)
    foreign = sorted(set(major[major != "USD"]))
    if not foreign:
        return rate * factor
    if fx is None:
        raise AnalysisError(
            f"prices are quoted in {', '.join(foreign)} but no FX table was given; pass --fx "
            "with columns date, currency, usd_per_unit (or drop shares_outstanding)"
        )
    left = pd.DataFrame({DATE: prices[DATE].to_numpy(), CURRENCY: major.to_numpy()})
    left["_row"] = np.arange(len(left))
    left = left[left[CURRENCY] != "USD"].sort_values(DATE, kind="stable")
    right = validate_fx(fx).sort_values(DATE, kind="stable")
    joined = pd.merge_asof(left, right, on=DATE, by=CURRENCY, direction="backward")
    rate[joined["_row"].to_numpy()] = joined[USD_PER_UNIT].to_numpy(dtype=float)
    missing = joined[joined[USD_PER_UNIT].isna()][CURRENCY].unique()
    if len(missing):
        log.warning(
            "no FX rate on or before some dates for %s: market cap NaN there", list(missing)
        )
    return rate * factor


def _wide_maker(
    date_idx: np.ndarray, key_idx: np.ndarray, dates: pd.Index, keys: pd.Index
) -> Callable[[pd.Series], pd.DataFrame]:
    def wide(values: pd.Series) -> pd.DataFrame:
        arr = np.full((len(dates), len(keys)), np.nan)
        arr[date_idx, key_idx] = values.to_numpy(dtype=float, na_value=np.nan)
        return pd.DataFrame(arr, index=dates, columns=keys)

    return wide


def compute_features(
    prices: pd.DataFrame,
    *,
    key: str = BLOOMBERG_TICKER,
    spec: FeatureSpec | None = None,
    fx: pd.DataFrame | None = None,
    countries: pd.Series | None = None,
    country_from: CountrySource = "auto",
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Compute :data:`FEATURE_COLUMNS` for every (date, key) row of ``prices``.

    Args:
        prices: long table ``date, <key>, open, high, low, close, volume`` and optionally
            ``shares_outstanding``, ``currency``, ``country`` (as :func:`load_prices` returns).
        key: the ticker column.
        spec: windows and constants; :class:`FeatureSpec` defaults when None.
        fx: ``date, currency, usd_per_unit`` (as :func:`load_fx` returns), for non-USD prices.
        countries: ticker -> country, overriding ``country_from``.
        country_from: where ``price_rank_country`` gets countries: ``"column"`` (a ``country``
            column), ``"key"`` (the ticker's exchange code), ``"none"``, or ``"auto"`` (column if
            present, else key when it is a ticker column, else none).
        progress: receives one unit per feature.

    Returns:
        ``date, <key>, *FEATURE_COLUMNS``, one row per input row, sorted by date then key.

    Raises:
        InputError: the frame misses columns, has duplicates, non-numeric or non-positive prices.
        AnalysisError: non-USD prices with shares but no FX table.
    """
    spec = spec or FeatureSpec()
    frame = validate_prices(prices, key=key)
    if frame.empty:
        raise AnalysisError("the price table has no rows")
    date_idx, dates = pd.factorize(frame[DATE], sort=True)
    key_idx, keys = pd.factorize(frame[key], sort=True)
    order = np.lexsort((key_idx, date_idx))  # output rows sorted by date, then key
    frame = frame.take(order).reset_index(drop=True)
    date_idx, key_idx = date_idx[order], key_idx[order]
    wide = _wide_maker(date_idx, key_idx, pd.Index(dates), pd.Index(keys))
    high, low, close = wide(frame[HIGH]), wide(frame[LOW]), wide(frame[CLOSE])
    volume = wide(frame[VOLUME])
    returns = indicators.simple_return(close)
    if len(keys) == 1:
        log.warning(
            "one ticker only: %s is NaN (the market is that ticker, so there is no residual)",
            RESIDUAL_VOLATILITY,
        )

    steps: dict[str, Callable[[], pd.DataFrame]] = {
        WILLIAMS_R: lambda: indicators.williams_r(high, low, close, window=spec.williams_r_window),
        TRIX: lambda: indicators.trix(close, window=spec.trix_window),
        BOLLINGER_PBAND: lambda: indicators.bollinger_pband(
            close, window=spec.bollinger_window, n_std=spec.bollinger_std
        ),
        CCI: lambda: indicators.cci(
            high, low, close, window=spec.cci_window, constant=spec.cci_constant
        ),
        PRICE_TO_52W_HIGH: lambda: indicators.price_to_high(close, high, window=spec.high_window),
        VOLUME_VOLATILITY_TO_PRICE: lambda: indicators.volume_volatility_to_price(
            volume, close, window=spec.volvol_window
        ),
        RESIDUAL_VOLATILITY: lambda: indicators.residual_volatility(
            returns, window=spec.resid_vol_window
        ),
        SHORT_TERM_RETURN: lambda: indicators.simple_return(close, periods=spec.return_window),
    }
    bar = ensure(progress)
    bar.start("features", total=len(FEATURE_COLUMNS))
    out = pd.DataFrame({DATE: frame[DATE], key: frame[key]})
    for name, step in steps.items():
        out[name] = step().to_numpy()[date_idx, key_idx]
        bar.advance(1, feature=name)

    if SHARES_OUTSTANDING in frame.columns:
        shares = frame[SHARES_OUTSTANDING].to_numpy(dtype=float, na_value=np.nan)
        close_rows = frame[CLOSE].to_numpy(dtype=float, na_value=np.nan)
        out[USD_MARKET_CAP] = shares * close_rows * _fx_rates(frame, fx)
    else:
        log.info("no %r column: usd_market_cap is left empty", SHARES_OUTSTANDING)
        out[USD_MARKET_CAP] = np.nan
    bar.advance(1, feature=USD_MARKET_CAP)

    country = _country_codes(frame, key, pd.Index(keys), key_idx, country_from, countries)
    if country is None:
        out[PRICE_RANK_COUNTRY] = np.nan
    else:
        out[PRICE_RANK_COUNTRY] = _rank_within(close, country).to_numpy()[date_idx, key_idx]
    bar.advance(1, feature=PRICE_RANK_COUNTRY)
    bar.finish()
    return out


def run_features(
    prices_path: str | Path,
    *,
    key: str = BLOOMBERG_TICKER,
    fx_path: str | Path | None = None,
    country_from: CountrySource = "auto",
    spec: FeatureSpec | None = None,
    progress: Progress | None = None,
    out: str | Path | None = None,
) -> pd.DataFrame:
    """Load prices (and FX) from files and :func:`compute_features`; the one call the CLI makes.

    With ``out``, the features are also written there (atomically).
    """
    prices = load_prices(prices_path, key=key)
    fx = load_fx(fx_path) if fx_path is not None else None
    table = compute_features(
        prices, key=key, spec=spec, fx=fx, country_from=country_from, progress=progress
    )
    if out is not None:
        from tickermap.tables import write_table

        write_table(table, out)
    return table
