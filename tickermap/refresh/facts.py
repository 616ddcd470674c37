"""What the previous map and the witnesses say about each ticker: the evidence refresh links by.

:class:`TickerEvidence` gathers, per Bloomberg ticker, every name, ISIN, composite and share-class
FIGI and data-provider symbol (Yahoo, and dsignals' EODHD symbols in Yahoo form) any loaded map
gives it, with the sources that said so. A witness that keeps a renamed company under its old
Bloomberg ticker but already knows the new symbol (dsignals: ``NEUR DC`` -> ``NTG.CO``) is what
links the old ticker to the new one. A file's own columns (the new universe's ``yahoo``: Numerai's
official map ``ticker,bloomberg_ticker,yahoo`` keeps it, stale or not) are facts too
(:func:`table_facts`), and every symbol a ticker has is looked up in the witnesses
(:func:`add_symbol_facts`): a FinanceDatabase listing found by the old map's Yahoo symbol gives
the old ticker its ISIN and name even where the symbol's Bloomberg form is another ticker. Nothing
here decides; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from tickermap import columns as C
from tickermap.maps.load import LoadedMap
from tickermap.tickers.exchanges import eodhd_suffixes
from tickermap.tickers.parse import exchange_code, namespace_for_column, parse_column

__all__ = [
    "ID_KEYS",
    "SYMBOL",
    "TickerEvidence",
    "add_symbol_facts",
    "canonical_tickers",
    "eodhd_to_yahoo",
    "facts_from_maps",
    "merge_facts",
    "merge_into",
    "table_facts",
    "table_tickers",
]

ID_KEYS = (C.COMPOSITE_FIGI, C.SHARE_CLASS_FIGI, C.ISIN)
"""Identifier keys that link a rename, strongest first."""
SYMBOL = "symbol"
"""The key of a link by a shared data-provider symbol (Yahoo, EODHD in Yahoo form)."""


@dataclass(slots=True)
class TickerEvidence:
    """Every value the loaded maps give one ticker: key -> value -> the sources that said it."""

    values: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def add(self, key: str, value: object, source: str) -> None:
        """Record ``value`` (ignored when missing or empty) for ``key`` from ``source``."""
        if not isinstance(value, str) or not value.strip():
            return
        text = value.strip() if key == C.NAME else value.strip().upper()
        self.values.setdefault(key, {}).setdefault(text, set()).add(source)

    def get(self, key: str) -> dict[str, set[str]]:
        """Value -> sources for ``key`` (empty when no map gives one)."""
        return self.values.get(key, {})


def eodhd_to_yahoo(symbol: str) -> str | None:
    """An EODHD symbol in Yahoo's spelling (``000060.KO`` -> ``000060.KS``, ``DA.LSE`` -> ``DA.L``).

    >>> eodhd_to_yahoo("NTG.CO"), eodhd_to_yahoo("A046890.KO"), eodhd_to_yahoo("PRE//.TO")
    ('NTG.CO', '046890.KS', 'PRE-.TO')
    """
    stem, dot, suffix = symbol.strip().upper().rpartition(".")
    if not dot or not stem:
        return None
    known = eodhd_suffixes().get(suffix)
    yahoo = suffix if known is None else known.lstrip(".")  # an unknown code is kept
    stem = stem.replace("//", "-").replace(" ", "-")
    if suffix == "KO" and stem[:1] == "A" and stem[1:].isdigit():
        stem = stem[1:]
    return f"{stem}.{yahoo}" if yahoo else stem


def canonical_tickers(values: pd.Series) -> list[str | None]:
    """Each Bloomberg ticker as the universe parser writes it (``A036710 KS`` -> ``036710 KS``).

    A value the parser refuses is kept as it was (stripped); a missing one is None.
    """
    parsed = parse_column(values, namespace="bloomberg")[C.BLOOMBERG_TICKER].tolist()
    return [
        p if isinstance(p, str) and p else (v.strip() if isinstance(v, str) and v.strip() else None)
        for p, v in zip(parsed, values.tolist(), strict=True)
    ]


def _rows(m: LoadedMap, *, unkeyed: bool = False) -> Iterable[tuple[str | None, dict[str, object]]]:
    """``(ticker, record)`` per row; rows without a ticker only when ``unkeyed`` (ticker None)."""
    frame = m.frame
    cols = [C.NAME, *ID_KEYS, C.YAHOO]
    eodhd = None
    if m.extra is not None and "eodhd" in m.extra.columns:
        eodhd = m.extra["eodhd"].tolist()
    data = {c: frame[c].astype("object").where(frame[c].notna(), None).tolist() for c in cols}
    for i, ticker in enumerate(canonical_tickers(frame[C.BLOOMBERG_TICKER])):
        if ticker or unkeyed:
            rec = {c: data[c][i] for c in cols}
            rec["eodhd"] = eodhd[i] if eodhd is not None else None
            yield ticker, rec


def facts_from_maps(
    maps: Iterable[LoadedMap], tickers: Iterable[str] | None = None
) -> dict[str, TickerEvidence]:
    """Facts per ticker from every map (only ``tickers`` when given)."""
    wanted = set(tickers) if tickers is not None else None
    out: dict[str, TickerEvidence] = {}
    for m in maps:
        for ticker, rec in _rows(m):
            if ticker is None or (wanted is not None and ticker not in wanted):
                continue
            facts = out.setdefault(ticker, TickerEvidence())
            for key in (C.NAME, *ID_KEYS):
                facts.add(key, rec[key], m.source)
            facts.add(SYMBOL, rec[C.YAHOO], m.source)
            eodhd = rec["eodhd"]
            if isinstance(eodhd, str) and not pd.isna(eodhd):
                facts.add(SYMBOL, eodhd_to_yahoo(eodhd), m.source)
    return out


def merge_facts(
    records: Mapping[str, Mapping[str, str | None]],
    facts: Mapping[str, TickerEvidence],
    source: str,
) -> dict[str, TickerEvidence]:
    """Facts per ticker of ``records`` (its own values under ``source``) plus ``facts``'."""
    out: dict[str, TickerEvidence] = {}
    for ticker, rec in records.items():
        merged = TickerEvidence()
        for key in (C.NAME, *ID_KEYS):
            merged.add(key, rec.get(key), source)
        merged.add(SYMBOL, rec.get(C.YAHOO), source)
        for key, values in facts.get(ticker, TickerEvidence()).values.items():
            for value, sources in values.items():
                merged.values.setdefault(key, {}).setdefault(value, set()).update(sources)
        out[ticker] = merged
    return out


def merge_into(facts: dict[str, TickerEvidence], more: Mapping[str, TickerEvidence]) -> None:
    """Add every value of ``more`` to ``facts`` (in place; sources are united)."""
    for ticker, extra in more.items():
        mine = facts.setdefault(ticker, TickerEvidence())
        for key, values in extra.values.items():
            for value, sources in values.items():
                mine.values.setdefault(key, {}).setdefault(value, set()).update(sources)


def table_tickers(frame: pd.DataFrame, column: str | None) -> tuple[str | None, list[str | None]]:
    """``(ticker column, each row's Bloomberg ticker or None)`` of a table (a universe).

    The column is ``column`` or the first of ``bloomberg_ticker``/``numerai_ticker`` (numerai
    values are read as such); ``(None, [None, ...])`` when the table has none.
    """
    col = column or next((c for c in C.TICKER_COLUMNS if c in frame.columns), None)
    if col is None or col not in frame.columns:
        return None, [None] * len(frame)
    parsed = parse_column(frame[col], namespace=namespace_for_column(col))
    return col, [t if isinstance(t, str) and t else None for t in parsed[C.BLOOMBERG_TICKER]]


def table_facts(frame: pd.DataFrame, column: str | None, source: str) -> dict[str, TickerEvidence]:
    """Facts per ticker from a table's own columns (name, ISIN, FIGIs, ``yahoo``), under ``source``.

    The ticker column is found by :func:`table_tickers`; a table without one gives no facts.
    """
    from tickermap.maps.load import header_lookup

    col, tickers = table_tickers(frame, column)
    lookup = header_lookup([str(c) for c in frame.columns])
    keys = [k for k in (C.NAME, *ID_KEYS, C.YAHOO) if k in lookup and lookup[k] != col]
    data = {k: frame[lookup[k]].tolist() for k in keys}
    out: dict[str, TickerEvidence] = {}
    for i, ticker in enumerate(tickers):
        if ticker:
            facts = out.setdefault(ticker, TickerEvidence())
            for k in keys:
                facts.add(SYMBOL if k == C.YAHOO else k, data[k][i], source)
    return out


def _symbol_index(
    maps: Iterable[LoadedMap],
) -> dict[str, list[tuple[str | None, dict[str, object], str]]]:
    """Symbol -> every witness row that gives it: ``(its ticker or None, record, source)``."""
    index: dict[str, list[tuple[str | None, dict[str, object], str]]] = {}
    for m in maps:
        for ticker, rec in _rows(m, unkeyed=True):
            eodhd = rec["eodhd"]
            symbols = {rec[C.YAHOO], eodhd_to_yahoo(eodhd) if isinstance(eodhd, str) else None}
            for sym in symbols:
                if isinstance(sym, str) and sym.strip():
                    index.setdefault(sym.strip().upper(), []).append((ticker, rec, m.source))
    return index


def add_symbol_facts(facts: dict[str, TickerEvidence], maps: Iterable[LoadedMap]) -> None:
    """Give each ticker the names and identifiers of the witness rows that carry its symbols.

    A witness row counts when it has no ticker (FinanceDatabase's MK/SP/ID listings) or one on
    the ticker's exchange code; only names and identifiers are added (no new symbols, so a
    lookup never chains). In place.
    """
    index = _symbol_index(maps)
    for ticker, ev in facts.items():
        code = exchange_code(ticker)
        for sym in list(ev.get(SYMBOL)):
            for other, rec, source in index.get(sym, []):
                if other is not None and (other == ticker or exchange_code(other) != code):
                    continue
                for key in (C.NAME, *ID_KEYS):
                    ev.add(key, rec[key], source)
