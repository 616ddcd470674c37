"""Bloomberg-style tickers for a generic listing file: a local ticker plus its market.

A listing database names a row by its *local* ticker (``SAP``, ``005930``, ``0700``, ``ERIC B``)
and says where it trades by a MIC, an exchange name, a Bloomberg or OpenFIGI code, or only a
country (``--map-columns FILE=ticker=COL,mic=COL``; ``exchange=COL``; ``country=COL``; one
suffices, the first that resolves wins in the order exchange, mic, country;
:mod:`tickermap.maps.markets` reads them). The ticker is then spelt as Bloomberg spells that
market's roots, by the same string rules that read Yahoo symbols
(:func:`tickermap.tickers.symbols.yahoo_to_bloomberg`: ``0700`` HK -> ``700 HK``, ``ERIC B``
Stockholm -> ``ERICB SS``, ``BRK.B`` US -> ``BRK/B US``). An exchange value that is already a
Bloomberg code keeps the old rule (``ROOT CODE`` as written), as does one that names no known
market (so such a file still loads, its rows on an unknown market).

Where Bloomberg's root is not the local code (Bursa Malaysia, SGX and Euronext Dublin use other
codes: ``yahoo_root = lookup``) or the market has no Bloomberg code (Tadawul), the row gets no
ticker, like a FinanceDatabase listing there; its market is kept in
:attr:`~tickermap.maps.load.LoadedMap.extra` (:data:`LISTING_COLUMNS`) so the cross-witness
checks can still judge its ISIN against its market. A file with a Yahoo column and no ticker at
all (``yahoo=COL,isin=COL``) gets its tickers from the Yahoo symbols, as the FinanceDatabase
preset does. Pure: frames in, frames out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import pandas as pd

from tickermap.maps.markets import Market, country_market, resolve_market
from tickermap.tickers.exchanges import load_exchanges
from tickermap.tickers.parse import exchange_codes
from tickermap.tickers.symbols import yahoo_to_bloomberg

__all__ = ["COUNTRY", "LISTING_COLUMNS", "MARKET_KEYS", "MIC", "local_tickers", "yahoo_listings"]

MIC = "mic"
"""Generic-mode key: a column holding the listing's ISO 10383 MIC (``XETR``)."""
COUNTRY = "country"
"""Generic-mode key: a column holding the country of the listing's *market* (not the issuer's)."""
logger = logging.getLogger(__name__)

MARKET_KEYS = ("exchange", MIC, COUNTRY)
"""The keys that say where a ``ticker`` column's listing trades (one suffices)."""
LISTING_COLUMNS = ("listing_code", "listing_country", "listing_root")
"""``extra`` columns of a generic map: the market's Bloomberg code (or the venue's Yahoo suffix
when the market has no Bloomberg code), its country, the local root (leading zeros dropped)."""


def _market_of(values: pd.Series, how: str) -> pd.Series:
    lookup = country_market if how == COUNTRY else resolve_market
    table = {v: lookup(v) for v in values.dropna().unique()}
    return values.map(table)


def _spell(root: str, market: Market) -> str | None:
    """Bloomberg spelling of a local root on a resolved market (None: no Bloomberg ticker)."""
    if not market.code:
        return None
    ex = load_exchanges()[market.code]
    if ex.yahoo_root == "lookup":
        return None
    # The market's roots are spelt alike on all its venues: a country gives the main one's.
    suffix = (
        market.yahoo_suffix
        if market.yahoo_suffix is not None
        else next(iter(ex.yahoo_suffixes), None)
    )
    if suffix is not None:
        stem = "-".join(root.replace(".", " ").replace("/", " ").split())
        found = yahoo_to_bloomberg(stem + suffix).symbol
        if found is not None and found.rsplit(" ", 1)[-1] == market.code:
            return found
    return f"{root} {market.code}"


def _warn_unplaced(
    frame: pd.DataFrame,
    mapping: Mapping[str, str],
    norm: Callable[[pd.Series], pd.Series],
    root: pd.Series,
    markets: list[Market | None],
) -> None:
    """Warn (values and counts) about rows with a ticker whose market cannot be read."""
    if "exchange" in mapping:
        return  # an exchange value tickermap does not know is kept as the code (the old rule)
    lost = [
        i for i, (r, m) in enumerate(zip(root.astype("object"), markets, strict=True))
        if isinstance(r, str) and m is None
    ]  # fmt: skip
    if not lost:
        return
    shown: list[str] = []
    for key in MARKET_KEYS:
        if key in mapping:
            values = norm(frame[mapping[key]]).iloc[lost]
            shown += [repr(v) for v in values.dropna().unique()[:5]]
            if values.isna().any():
                shown.append(f"{int(values.isna().sum())} empty")
    logger.warning(
        "%d listing row(s) name a market tickermap cannot read (%s): their tickers stay bare roots "
        "that match no universe ticker; "
        "give a MIC, a Bloomberg exchange code or a country (see mappings/markets.csv)",
        len(lost), ", ".join(shown),
    )  # fmt: skip


def local_tickers(
    frame: pd.DataFrame, mapping: Mapping[str, str], norm: Callable[[pd.Series], pd.Series]
) -> tuple[pd.Series, pd.DataFrame]:
    """``(bloomberg_ticker, extra)`` for a ``ticker`` column and its market columns.

    Args:
        frame: the file as read.
        mapping: key -> column (``ticker`` and at least one of :data:`MARKET_KEYS`).
        norm: the loader's cell normaliser (stripped, sentinels -> NA).
    """
    root = norm(frame[mapping["ticker"]]).str.upper()
    markets: list[Market | None] = [None] * len(frame)
    raw_code = pd.Series(pd.NA, index=frame.index, dtype="object")
    for key in MARKET_KEYS:
        if key not in mapping:
            continue
        values = norm(frame[mapping[key]])
        found = _market_of(values, key).tolist()
        markets = [m if m is not None else f if isinstance(f, Market) else None
                   for m, f in zip(markets, found, strict=True)]  # fmt: skip
        if key == "exchange":
            raw_code = values.str.upper().astype("object")
    _warn_unplaced(frame, mapping, norm, root, markets)
    cache: dict[tuple[str, Market], str | None] = {}
    tickers: list[object] = []
    extra: list[tuple[object, object, object]] = []
    for r, m, raw in zip(root.astype("object"), markets, raw_code, strict=True):
        if not isinstance(r, str):
            tickers.append(pd.NA)
            extra.append((pd.NA, pd.NA, pd.NA))
            continue
        if m is None:  # no known market: the old rule (ROOT VALUE), or the root alone
            tickers.append(f"{r} {raw}" if isinstance(raw, str) and raw else r)
            extra.append((pd.NA, pd.NA, pd.NA))
            continue
        if m.code and r.endswith(" " + m.code):  # already "ROOT CODE"
            tickers.append(r)
        elif m.how == "code":
            tickers.append(f"{r} {m.code}")
        else:
            pair = (r, m)
            if pair not in cache:
                cache[pair] = _spell(r, m)
            spelt = cache[pair]
            tickers.append(spelt if spelt is not None else pd.NA)
        local = (r.lstrip("0") or r) if r.isdigit() else r
        extra.append((m.code or m.yahoo_suffix or pd.NA, m.country, local))
    out = pd.Series(tickers, index=frame.index, dtype="str")
    # A root that already ends with its code ("AAPL US" + "US") is not suffixed twice.
    codes = exchange_codes(root).astype("object")
    doubled = [
        isinstance(a, str) and isinstance(b, str) and a == b
        for a, b in zip(codes, raw_code, strict=True)
    ]
    out = out.where(~pd.Series(doubled, index=frame.index, dtype=bool), root)
    return out, pd.DataFrame(extra, index=frame.index, columns=list(LISTING_COLUMNS))


def yahoo_listings(yahoo: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """``(bloomberg_ticker, extra)`` for a file keyed by Yahoo symbols only: tickers by the
    string rules (as the FinanceDatabase preset), markets from the suffixes."""
    from tickermap.maps.markets import market_table
    from tickermap.maps.witnesses import _yahoo_tickers

    tickers = _yahoo_tickers(yahoo)[0]
    countries = {code: ex.country for code, ex in load_exchanges().items()}
    by_suffix = {m.yahoo_suffix: m for m in market_table()[0].values() if m.yahoo_suffix}
    rows: list[tuple[object, object, object]] = []
    for symbol, ticker in zip(yahoo.astype("object"), tickers.astype("object"), strict=True):
        if not isinstance(symbol, str):
            rows.append((pd.NA, pd.NA, pd.NA))
            continue
        stem, dot, tail = symbol.rpartition(".")
        stem, suffix = (stem, "." + tail) if dot and stem else (symbol, "")
        if isinstance(ticker, str):
            code = ticker.rsplit(" ", 1)[-1]
            rows.append((code, countries.get(code, pd.NA), stem))
        elif suffix in by_suffix:
            m = by_suffix[suffix]
            rows.append((m.code or suffix, m.country, stem))
        else:
            rows.append((pd.NA, pd.NA, pd.NA))
    return tickers, pd.DataFrame(rows, index=yahoo.index, columns=list(LISTING_COLUMNS))
