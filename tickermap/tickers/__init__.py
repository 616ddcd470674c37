"""Ticker grammar, the exchange table, and Yahoo/Numerai symbol rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.tickers.exchanges import (
        CSV_COLUMNS,
        Exchange,
        eodhd_suffixes,
        exchange_for_venue,
        load_exchanges,
        venue_map,
    )
    from tickermap.tickers.parse import (
        BLOOMBERG_TO_ISO,
        ISO_TO_BLOOMBERG,
        LEGACY_CODES,
        Namespace,
        Ticker,
        TickerParse,
        bloomberg_to_numerai,
        exchange_code,
        namespace_for_column,
        numerai_to_bloomberg,
        parse_column,
        parse_ticker,
    )
    from tickermap.tickers.symbols import (
        Source,
        SymbolResult,
        SymbolSummary,
        Target,
        bloomberg_to_yahoo,
        convert_column,
        convert_file,
        convert_table,
        output_names,
        pick_column,
        target_column,
        yahoo_to_bloomberg,
    )
    from tickermap.tickers.symbols_csv import (
        convert_small_csv,
    )
    from tickermap.tickers.symbols_evidence import (
        yahoo_column,
    )

__all__ = [
    "BLOOMBERG_TO_ISO",
    "CSV_COLUMNS",
    "ISO_TO_BLOOMBERG",
    "LEGACY_CODES",
    "Exchange",
    "Namespace",
    "Source",
    "SymbolResult",
    "SymbolSummary",
    "Target",
    "Ticker",
    "TickerParse",
    "bloomberg_to_numerai",
    "bloomberg_to_yahoo",
    "convert_column",
    "convert_file",
    "convert_small_csv",
    "convert_table",
    "eodhd_suffixes",
    "exchange_code",
    "exchange_for_venue",
    "load_exchanges",
    "namespace_for_column",
    "numerai_to_bloomberg",
    "output_names",
    "parse_column",
    "parse_ticker",
    "pick_column",
    "target_column",
    "venue_map",
    "yahoo_column",
    "yahoo_to_bloomberg",
]

__getattr__, __dir__ = lazy_exports(__name__)
