"""Column names shared across modules, defined once (Numerai's spelling where it has one)."""

from __future__ import annotations

BLOOMBERG_TICKER = "bloomberg_ticker"
NUMERAI_TICKER = "numerai_ticker"
NAME = "name"
ISIN = "isin"
FIGI = "figi"
COMPOSITE_FIGI = "composite_figi"
SHARE_CLASS_FIGI = "share_class_figi"
YAHOO = "yahoo"
SOURCE = "source"
SOURCE_ROW = "source_row"
DATE = "date"
SIGNAL = "signal"

TICKER_COLUMNS = (BLOOMBERG_TICKER, NUMERAI_TICKER)
"""Columns that can hold a Numerai ticker; the name decides the namespace (Bloomberg vs ISO)."""

CANONICAL_MAP_COLUMNS = (
    BLOOMBERG_TICKER,
    NAME,
    ISIN,
    FIGI,
    COMPOSITE_FIGI,
    SHARE_CLASS_FIGI,
    YAHOO,
    SOURCE,
    SOURCE_ROW,
)
"""The canonical community-map table every loader produces, in this order."""
