"""Per-indicator maths on wide (date x ticker) frames: every operation runs over the whole matrix.

Each function takes wide :class:`pandas.DataFrame` objects (index: trading dates of the file in
ascending order, columns: tickers, values: float) and returns a wide frame of the same shape.
Nothing here loops over tickers, reads files or knows column names of user tables; the long <->
wide plumbing, validation and cross-sectional steps live in :mod:`tickermap.features`.

Conventions (pinned; the libraries' defaults disagree, see docs section 3):

* Every window needs ``window`` valid observations (warm-up and any window touching a missing
  value give NaN); nothing is forward-filled.
* A zero denominator (flat range, zero band width, zero mean deviation) gives NaN, never inf.
* Formulas equal ``ta`` 0.11.0 (``fillna=False``) on gap-free series: Williams %R, TRIX,
  Bollinger %B (population std, ``ddof=0``) and CCI (mean absolute deviation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "bollinger_pband",
    "cci",
    "price_to_high",
    "residual_volatility",
    "simple_return",
    "trix",
    "volume_volatility_to_price",
    "williams_r",
]


def _safe_div(num: pd.DataFrame, den: pd.DataFrame) -> pd.DataFrame:
    """``num / den`` with NaN wherever ``den`` is zero or NaN (never +-inf)."""
    den = den.where(den != 0.0)
    return num / den


def williams_r(
    high: pd.DataFrame, low: pd.DataFrame, close: pd.DataFrame, *, window: int
) -> pd.DataFrame:
    """Standard Williams %R: ``-100 * (HH_n - C) / (HH_n - LL_n)``, in [-100, 0].

    -100 means the close is at the window low (oversold), 0 at the window high. Numerai's
    "Williams %R Indicator" appears to be the negation (high = oversold); negate to get it.
    """
    hh = high.rolling(window, min_periods=window).max()
    ll = low.rolling(window, min_periods=window).min()
    return -100.0 * _safe_div(hh - close, hh - ll)


def trix(close: pd.DataFrame, *, window: int) -> pd.DataFrame:
    """TRIX: 100 x one-day rate of change of the triple EMA (span ``window``, ``adjust=False``).

    Each EMA needs ``window`` valid inputs, so the first value is at index ``3 * (window - 1) + 1``.
    Interior NaNs are skipped by the EMA (``ignore_na=True``: the ticker's own rows are its time
    axis) and the output is NaN on the missing dates and the date right after them.
    """
    ema = close
    for _ in range(3):
        ema = ema.ewm(span=window, min_periods=window, adjust=False, ignore_na=True).mean()
    ema = ema.where(close.notna())
    prev = ema.shift(1)
    return 100.0 * _safe_div(ema - prev, prev)


def bollinger_pband(close: pd.DataFrame, *, window: int, n_std: float) -> pd.DataFrame:
    """Bollinger %B: ``(C - lower) / (upper - lower)``, bands ``SMA_n -+ n_std * std_n (ddof=0)``.

    0 at the lower band, 1 at the upper band, 0.5 at the moving average; can leave [0, 1].
    """
    mavg = close.rolling(window, min_periods=window).mean()
    mstd = close.rolling(window, min_periods=window).std(ddof=0)
    lower = mavg - n_std * mstd
    upper = mavg + n_std * mstd
    return _safe_div(close - lower, upper - lower)


def cci(
    high: pd.DataFrame,
    low: pd.DataFrame,
    close: pd.DataFrame,
    *,
    window: int,
    constant: float,
) -> pd.DataFrame:
    """Commodity Channel Index: ``(TP - SMA_n(TP)) / (constant * MAD_n(TP))``, TP = (H+L+C)/3.

    MAD is the mean absolute deviation from the window mean, computed with ``window`` shifted
    copies of the whole matrix (vectorised; ``ta`` runs a Python function per window).
    """
    tp = (high + low + close) / 3.0
    mean = tp.rolling(window, min_periods=window).mean()
    values = tp.to_numpy(dtype=float)
    mean_values = mean.to_numpy(dtype=float)
    total = np.zeros_like(values)
    for lag in range(window):
        shifted = np.full_like(values, np.nan)
        shifted[lag:] = values[: values.shape[0] - lag]
        total += np.abs(shifted - mean_values)
    mad = pd.DataFrame(total / window, index=tp.index, columns=tp.columns)
    return _safe_div(tp - mean, constant * mad)


def price_to_high(close: pd.DataFrame, high: pd.DataFrame, *, window: int) -> pd.DataFrame:
    """Close over the highest high of the last ``window`` rows, today included (<= 1 if H >= C)."""
    return _safe_div(close, high.rolling(window, min_periods=window).max())


def volume_volatility_to_price(
    volume: pd.DataFrame, close: pd.DataFrame, *, window: int
) -> pd.DataFrame:
    """``std_n(volume) / close_t``: sample std (``ddof=1``) of the window's volume, today's close.

    Numerai never published its definition; this is tickermap's pinned reading of "Volatility of
    Volume Divided by Price" (shares traded, so a low price and an erratic volume both raise it).
    """
    return _safe_div(volume.rolling(window, min_periods=window).std(ddof=1), close)


def simple_return(close: pd.DataFrame, *, periods: int = 1) -> pd.DataFrame:
    """``C_t / C_{t-periods} - 1`` on the file's date calendar (NaN across a missing price)."""
    return _safe_div(close, close.shift(periods)) - 1.0


def residual_volatility(returns: pd.DataFrame, *, window: int) -> pd.DataFrame:
    """Std of the residuals of a rolling OLS of each ticker's returns on the market return.

    The market is the equal-weighted mean return of every ticker with a return that day (the
    ticker itself included). Per window of ``window`` days with a return for the ticker:
    ``r = a + b*m + e``; the result is ``sqrt(sum(e^2) / (window - 2))`` (daily, not annualised).
    Computed from rolling means of r, m, r*m, r^2, m^2 over the whole matrix.
    """
    market = returns.mean(axis=1, skipna=True)
    valid = returns.notna()
    m = pd.DataFrame(
        np.where(valid.to_numpy(), market.to_numpy()[:, None], np.nan),
        index=returns.index,
        columns=returns.columns,
    )

    def rmean(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.rolling(window, min_periods=window).mean()

    mean_r, mean_m = rmean(returns), rmean(m)
    cov_rm = rmean(returns * m) - mean_r * mean_m
    var_m = rmean(m * m) - mean_m * mean_m
    var_r = rmean(returns * returns) - mean_r * mean_r
    explained = _safe_div(cov_rm * cov_rm, var_m)
    ssr = (var_r - explained).clip(lower=0.0) * window
    return (ssr / (window - 2)) ** 0.5
