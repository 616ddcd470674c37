"""Suggest a ``--map-columns``/``--columns`` description when a header makes it obvious."""

from __future__ import annotations

from collections.abc import Sequence

from tickermap.columns import COMPOSITE_FIGI, FIGI, ISIN, NAME, SHARE_CLASS_FIGI, YAHOO
from tickermap.maps.load import EXCHANGE, TICKER, _header_lookup
from tickermap.maps.local_tickers import MIC

__all__ = ["suggest_columns"]

# Header spellings that say what a column holds beyond doubt (lower case), for suggestions only.
_OBVIOUS = {
    TICKER: ("ticker", "sym", "symbol", "root", "ticker_root", "local_ticker"),
    EXCHANGE: ("exch_code", "exch", "exchange", "exchange_code", "exchcode", "bbg_exchange"),
    MIC: ("mic", "mic_code", "operating_mic", "market_mic"),
    NAME: ("name", "company", "company_name", "security_name", "issuer"),
    ISIN: ("isin",),
    FIGI: ("figi",),
    COMPOSITE_FIGI: ("composite_figi", "compositefigi"),
    SHARE_CLASS_FIGI: ("share_class_figi", "shareclass_figi", "shareclassfigi"),
    YAHOO: ("yahoo", "yahoo_symbol"),
}


def suggest_columns(header: Sequence[str]) -> str | None:
    """A ``key=column,...`` description when the header makes it obvious, else None.

    Only a ticker root column together with an exchange or MIC column is obvious enough.

    >>> suggest_columns(["ticker", "exch_code", "name", "isin"])
    'ticker=ticker,exchange=exch_code,name=name,isin=isin'
    >>> suggest_columns(["ticker", "mic", "name", "isin"])
    'ticker=ticker,mic=mic,name=name,isin=isin'
    >>> suggest_columns(["company", "ISIN"]) is None
    True
    """
    lookup = _header_lookup(header)
    found: dict[str, str] = {}
    for key, spellings in _OBVIOUS.items():
        hit = next((lookup[s] for s in spellings if s in lookup), None)
        if hit is not None and hit not in found.values():
            found[key] = hit
    if TICKER not in found or not {EXCHANGE, MIC} & set(found):
        return None
    if any("," in col or "=" in col for col in found.values()):
        return None
    return ",".join(f"{k}={v}" for k, v in found.items())
