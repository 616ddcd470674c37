"""What the previous map and the witnesses say about each ticker: the evidence refresh links by.

:class:`TickerEvidence` gathers, per Bloomberg ticker, every name, ISIN, composite and share-class
FIGI and data-provider symbol (Yahoo, and dsignals' EODHD symbols in Yahoo form) any loaded map
gives it, with the sources that said so. A witness that keeps a renamed company under its old
Bloomberg ticker but already knows the new symbol (dsignals: ``NEUR DC`` -> ``NTG.CO``) is what
links the old ticker to the new one. Nothing here decides; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from tickermap import columns as C
from tickermap.maps.load import LoadedMap
from tickermap.tickers.exchanges import eodhd_suffixes
from tickermap.tickers.parse import parse_column

__all__ = [
    "ID_KEYS",
    "SYMBOL",
    "TickerEvidence",
    "canonical_tickers",
    "eodhd_to_yahoo",
    "facts_from_maps",
    "merge_facts",
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


def _rows(m: LoadedMap) -> Iterable[tuple[str, dict[str, object]]]:
    frame = m.frame
    cols = [C.NAME, *ID_KEYS, C.YAHOO]
    eodhd = None
    if m.extra is not None and "eodhd" in m.extra.columns:
        eodhd = m.extra["eodhd"].tolist()
    data = {c: frame[c].astype("object").where(frame[c].notna(), None).tolist() for c in cols}
    for i, ticker in enumerate(canonical_tickers(frame[C.BLOOMBERG_TICKER])):
        if ticker:
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
            if wanted is not None and ticker not in wanted:
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
