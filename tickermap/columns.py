"""Column names shared across modules, defined once (Numerai's spelling where it has one)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tickermap.errors import InputError

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

SIGNAL_COLUMNS = (SIGNAL, "prediction")
"""Signal value columns Numerai accepts (numerai-tools ``SIGNALS_ALLOWED_PRED_COLS``)."""

TICKER_COLUMNS = (BLOOMBERG_TICKER, NUMERAI_TICKER)
"""Columns that can hold a Numerai ticker; the name decides the namespace (Bloomberg vs ISO)."""

JOIN_KEYS = (BLOOMBERG_TICKER, NUMERAI_TICKER, COMPOSITE_FIGI, FIGI, SHARE_CLASS_FIGI, ISIN, YAHOO)
"""Key columns a signal or features table may use to join."""

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


def detect_signal_column(
    columns: Sequence[str], given: str | None, path: Path | None = None
) -> str:
    """The signal column: ``given``, else the one of ``signal`` / ``prediction`` present.

    >>> detect_signal_column(["date", "numerai_ticker", "prediction"], None)
    'prediction'
    """
    names = [str(c) for c in columns]
    if given is not None:
        if given not in names:
            raise InputError(
                f"no column {given!r} (the header has {', '.join(map(repr, names[:12]))})",
                path=path,
                line=1,
            )
        return given
    found = [c for c in SIGNAL_COLUMNS if c in names]
    if len(found) == 1:
        return found[0]
    what = (
        "has both 'signal' and 'prediction'"
        if found
        else "is missing required column 'signal' (or 'prediction')"
    )
    raise InputError(
        f"the file {what}; name the signal column with --signal-column "
        f"(the header has {', '.join(map(repr, names[:12]))})",
        path=path,
        line=1,
    )


def pick_key(columns: Sequence[str], given: str | None, path: Path, what: str) -> str:
    """The key column of a signal or features table: ``given``, else the first of
    :data:`JOIN_KEYS` present (``what`` names the table and its ``--<what>-key`` option).

    >>> pick_key(["date", "numerai_ticker", "signal"], None, Path("s.csv"), "signal")
    'numerai_ticker'
    """
    if given is not None:
        if given not in columns:
            raise InputError(f"the {what} file has no key column {given!r}", path=path, line=1)
        return given
    for key in JOIN_KEYS:
        if key in columns:
            return key
    raise InputError(
        f"the {what} file has no key column (one of {', '.join(JOIN_KEYS)}); name it with "
        f"--{what}-key",
        path=path,
        line=1,
    )
