"""The forum table's order and the sign convention of each feature (issue: forum post 6626).

The forum table lists features largest positive exposure first, most negative last; the sign of
an exposure only means something with the feature's orientation, which differs between
libraries and Numerai: Numerai's "Williams %R Indicator" is oriented oversold-high, the
standard %R (tickermap's ``williams_r``, ``ta``, TA-Lib) overbought-high.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SIGN_CONVENTIONS", "forum_order", "sign_conventions"]

SIGN_CONVENTIONS = {
    "williams_r": "standard %R in [-100, 0], high = near the window high (overbought); Numerai's "
    "Williams %R is the negation (oversold-high): flip the sign to compare with the forum",
    "trix": "high = rising triple-EMA trend (momentum)",
    "bollinger_pband": "high = close near the upper band (overbought)",
    "cci": "high = typical price above its mean (overbought)",
    "price_to_52w_high": "high = close near its 52-week high",
    "volume_volatility_to_price": "high = volatile volume for the price",
    "residual_volatility": "high = volatile after the market",
    "short_term_return": "high = recent winner; a reversal signal loads negatively",
    "usd_market_cap": "high = large cap; a small-cap tilt loads negatively",
    "price_rank_country": "high = high share price within its country",
}
"""Orientation of tickermap's features (see tickermap.features.compute)."""


def forum_order(table: pd.DataFrame, column: str = "mean") -> pd.DataFrame:
    """Sort like the forum: largest positive first, most negative last, NaN at the end.

    >>> t = pd.DataFrame({"feature": list("abc"), "mean": [-0.2, 0.3, 0.1]})
    >>> forum_order(t)["feature"].tolist()
    ['b', 'c', 'a']
    """
    return table.sort_values(
        column, ascending=False, kind="stable", na_position="last"
    ).reset_index(drop=True)


def sign_conventions(features: list[str]) -> list[str]:
    """``feature: convention`` for the features whose orientation is known."""
    return [f"{f}: {SIGN_CONVENTIONS[f]}" for f in features if f in SIGN_CONVENTIONS]
