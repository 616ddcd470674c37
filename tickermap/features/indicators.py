"""Per-indicator maths on wide (date x ticker) frames: every operation runs over the whole matrix.

Each function takes wide :class:`pandas.DataFrame` objects (index: trading dates of the file in
ascending order, columns: tickers, values: float) and returns a wide frame of the same shape.
Nothing here loops over tickers, reads files or knows column names of user tables; the long <->
wide plumbing, validation and cross-sectional steps live in :mod:`tickermap.features.compute`.

Conventions (pinned; the libraries' defaults disagree, see docs section 3):

* Every window needs ``window`` valid observations (warm-up and any window touching a missing
  value give NaN); nothing is forward-filled.
* A zero denominator (flat range, zero band width, zero mean deviation) gives NaN, never inf.
* Formulas equal ``ta`` 0.11.0 (``fillna=False``) on gap-free series: Williams %R, TRIX,
  Bollinger %B (population std, ``ddof=0``) and CCI (mean absolute deviation).
"""

from __future__ import annotations

from typing import Literal

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


_BLOCK_ELEMENTS = 4_000_000
"""Upper bound on temporary window elements per block (about 32 MB of float64)."""


_EXACT_FIT = 1e-9
"""Residual variance under this share of the return variance is rounding noise of a perfect fit."""


def _rolling(
    frame: pd.DataFrame,
    window: int,
    op: Literal["mean", "std", "max", "min"],
    ddof: int = 0,
    *,
    exact: bool = True,
) -> pd.DataFrame:
    """Rolling ``op`` down each column over the whole matrix; NaN until ``window`` valid rows.

    Mean and std (``exact=True``) are computed per window from a strided view (numpy, blocks of
    rows), so no rounding drifts in from earlier rows. ``exact=False`` means use differences of
    cumulative sums (fast; fine for small, centred values such as returns). Max and min run ONE
    pandas rolling pass over the matrix flattened column after column: the only windows that
    straddle two tickers are the first ``window - 1`` rows of each column, which are warm-up (NaN)
    anyway. All avoid pandas' per-column overhead on thousands of columns.
    """
    values = frame.to_numpy(dtype=float)
    n_rows = values.shape[0]
    out = np.full(values.shape, np.nan)
    if op in ("mean", "std") and exact:
        if n_rows >= window:
            view = np.lib.stride_tricks.sliding_window_view(values, window, axis=0)
            step = max(1, _BLOCK_ELEMENTS // max(1, values.shape[1] * window))
            for first in range(0, view.shape[0], step):
                block = view[first : first + step]
                stat = block.mean(axis=-1) if op == "mean" else block.std(axis=-1, ddof=ddof)
                out[first + window - 1 : first + window - 1 + len(block)] = stat
    elif op == "mean":
        valid = ~np.isnan(values)
        zero = np.zeros((1, values.shape[1]))
        sums = np.concatenate([zero, np.cumsum(np.where(valid, values, 0.0), axis=0)])
        counts = np.concatenate([zero, np.cumsum(valid, axis=0)])
        full = (counts[window:] - counts[:-window]) == window
        out[window - 1 :] = np.where(full, (sums[window:] - sums[:-window]) / window, np.nan)
    else:
        flat = pd.Series(values.ravel(order="F")).rolling(window, min_periods=window)
        result = flat.std(ddof=ddof) if op == "std" else getattr(flat, op)()
        out = result.to_numpy(dtype=float, copy=True).reshape(values.shape, order="F")
        out[: window - 1, :] = np.nan
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


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
    hh = _rolling(high, window, "max")
    ll = _rolling(low, window, "min")
    return -100.0 * _safe_div(hh - close, hh - ll)


def _ema(values: np.ndarray, span: int) -> np.ndarray:
    """EMA with ``adjust=False`` down each column, skipping NaN; NaN until ``span`` observations.

    Same recursion and rounding as pandas ``ewm(span, min_periods=span, adjust=False,
    ignore_na=True).mean()``, looped over dates and vectorised over tickers; NaN on NaN inputs.
    """
    alpha = 2.0 / (span + 1.0)
    keep = 1.0 - alpha
    out = np.full(values.shape, np.nan)
    state = np.full(values.shape[1], np.nan)
    count = np.zeros(values.shape[1], dtype=np.int64)
    for t in range(values.shape[0]):
        x = values[t]
        seen = ~np.isnan(x)
        step = np.where(np.isnan(state), x, (keep * state + alpha * x) / (keep + alpha))
        state = np.where(seen, step, state)
        count += seen
        out[t] = np.where(seen & (count >= span), state, np.nan)
    return out


def trix(close: pd.DataFrame, *, window: int) -> pd.DataFrame:
    """TRIX: 100 x one-day rate of change of the triple EMA (span ``window``, ``adjust=False``).

    Each EMA needs ``window`` valid inputs, so the first value is at index ``3 * (window - 1) + 1``.
    Missing prices are skipped by all three EMAs (the ticker's own rows are its time axis); the
    output is NaN on a missing date and on the date right after it.
    """
    ema = close.to_numpy(dtype=float)
    for _ in range(3):
        ema = _ema(ema, window)
    triple = pd.DataFrame(ema, index=close.index, columns=close.columns)
    prev = triple.shift(1)
    return 100.0 * _safe_div(triple - prev, prev)


def bollinger_pband(close: pd.DataFrame, *, window: int, n_std: float) -> pd.DataFrame:
    """Bollinger %B: ``(C - lower) / (upper - lower)``, bands ``SMA_n -+ n_std * std_n (ddof=0)``.

    0 at the lower band, 1 at the upper band, 0.5 at the moving average; can leave [0, 1].
    """
    mavg = _rolling(close, window, "mean")
    mstd = _rolling(close, window, "std", ddof=0)
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
    mean = _rolling(tp, window, "mean")
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
    return _safe_div(close, _rolling(high, window, "max"))


def volume_volatility_to_price(
    volume: pd.DataFrame, close: pd.DataFrame, *, window: int
) -> pd.DataFrame:
    """``std_n(volume) / close_t``: sample std (``ddof=1``) of the window's volume, today's close.

    Numerai never published its definition; this is tickermap's pinned reading of "Volatility of
    Volume Divided by Price" (shares traded, so a low price and an erratic volume both raise it).
    """
    return _safe_div(_rolling(volume, window, "std", ddof=1), close)


def simple_return(close: pd.DataFrame, *, periods: int = 1) -> pd.DataFrame:
    """``C_t / C_{t-periods} - 1`` on the file's date calendar (NaN across a missing price)."""
    return _safe_div(close, close.shift(periods)) - 1.0


def residual_volatility(returns: pd.DataFrame, *, window: int) -> pd.DataFrame:
    """Std of the residuals of a rolling OLS of each ticker's returns on the market return.

    The market is the equal-weighted mean return of every ticker with a return that day (the
    ticker itself included). Per window of ``window`` days with a return for the ticker:
    ``r = a + b*m + e``; the result is ``sqrt(sum(e^2) / (window - 2))`` (daily, not annualised).
    Computed from rolling means of r, m, r*m, r^2, m^2 over the whole matrix. A window where
    the market explains the returns exactly (R^2 above ``1 - 1e-9``: a single ticker, whose market
    is itself) gives NaN.
    """
    market = returns.mean(axis=1, skipna=True)
    valid = returns.notna()
    m = pd.DataFrame(
        np.where(valid.to_numpy(), market.to_numpy()[:, None], np.nan),
        index=returns.index,
        columns=returns.columns,
    )

    def rmean(frame: pd.DataFrame) -> pd.DataFrame:
        return _rolling(frame, window, "mean", exact=False)

    mean_r, mean_m = rmean(returns), rmean(m)
    cov_rm = rmean(returns * m) - mean_r * mean_m
    var_m = rmean(m * m) - mean_m * mean_m
    var_r = rmean(returns * returns) - mean_r * mean_r
    explained = _safe_div(cov_rm * cov_rm, var_m)
    ssr = (var_r - explained).clip(lower=0.0) * window
    # An exact fit (one ticker, whose market is itself; or tickers moving in lockstep) leaves
    # only rounding noise (~1e-10): no residual to measure, so NaN rather than a fake number.
    exact = ssr <= _EXACT_FIT * var_r * window
    return (ssr / (window - 2)).mask(exact) ** 0.5
