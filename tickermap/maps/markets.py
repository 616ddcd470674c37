"""A listing's market from whatever a listing file gives: a MIC, an exchange name, a country.

Listing databases name the market of a row in many ways: ISO 10383 MICs (``XETR``, ``XKOS``),
acronyms and names (``XETRA``, ``NASDAQ``, ``TSE``, ``Euronext Paris``), OpenFIGI exchange codes
(``GY``, ``UW``), the Bloomberg composite code itself (``GR``), or only a country. This module
turns any of them into one :class:`Market`: the Bloomberg composite code (when
``mappings/exchanges.csv`` has one), the market's country, and the venue's Yahoo suffix (which
decides how a local ticker is spelt: ``.KQ`` for KOSDAQ, ``.TWO`` for TPEx).

The table is ``mappings/markets.csv`` (``mic,code,country,yahoo_suffix,aliases,notes``), written
by hand from the MICs FinanceDatabase uses and the markets of ``exchanges.csv``. An alias that
names two markets (``CSE``: Canadian Securities Exchange, Colombo, Copenhagen) is left out on
purpose: such a value resolves to nothing rather than to a guess. Pure lookups, cached.

>>> resolve_market("XKOS").code, resolve_market("xetra").yahoo_suffix, resolve_market("TSE").code
('KS', '.DE', 'JP')
>>> country_market("Germany").code, resolve_market("Colombo Stock Exchange").country
('GR', 'LK')
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from tickermap.errors import InputError
from tickermap.resources import mappings_path
from tickermap.tickers.exchanges import load_exchanges, venue_map
from tickermap.tickers.parse import LEGACY_CODES

__all__ = ["MARKET_COLUMNS", "Market", "country_market", "market_table", "resolve_market"]

MARKET_COLUMNS = ("mic", "code", "country", "yahoo_suffix", "aliases", "notes")
"""The columns of ``mappings/markets.csv``."""

_COUNTRY_NAMES = {
    "UNITED STATES OF AMERICA": "US", "USA": "US", "UK": "GB", "GREAT BRITAIN": "GB",
    "KOREA": "KR", "REPUBLIC OF KOREA": "KR", "KOREA, REPUBLIC OF": "KR", "TAIWAN, CHINA": "TW",
    "CZECHIA": "CZ", "TURKIYE": "TR", "RUSSIAN FEDERATION": "RU", "HOLLAND": "NL",
    "SAUDI ARABIA": "SA", "ICELAND": "IS", "LATVIA": "LV", "LITHUANIA": "LT", "ESTONIA": "EE",
    "ARGENTINA": "AR", "VENEZUELA": "VE", "SRI LANKA": "LK", "UNITED ARAB EMIRATES": "AE",
}  # fmt: skip
"""Country spellings that are not a market name of ``exchanges.csv``."""


@dataclass(frozen=True, slots=True)
class Market:
    """Where a listing trades.

    Attributes:
        code: the Bloomberg composite code (``GR``); ``""`` when ``exchanges.csv`` has none
            (Tadawul, Colombo): such a listing gets no Bloomberg ticker.
        country: ISO 3166 alpha-2 country of the market.
        yahoo_suffix: the venue's Yahoo suffix (``.KQ``; ``""`` for the US), None when unknown
            (a market given by country only).
        how: what the value was read as (``mic``, ``alias``, ``code``, ``venue``, ``country``).
    """

    code: str
    country: str
    yahoo_suffix: str | None
    how: str


def _key(value: str) -> str:
    """Accents, case, punctuation and spacing ignored (``Börse München`` = ``BORSE MUNCHEN``)."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", " ", text.upper()).strip()


@lru_cache(maxsize=1)
def market_table() -> tuple[dict[str, Market], dict[str, Market]]:
    """``(by MIC, by alias key)`` from ``mappings/markets.csv`` (cached; do not mutate)."""
    path = mappings_path("markets.csv")
    by_mic: dict[str, Market] = {}
    by_alias: dict[str, Market] = {}
    codes = load_exchanges()
    with path.open(newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            mic, code = row["mic"].strip().upper(), row["code"].strip().upper()
            if (code and code not in codes) or mic in by_mic:
                raise InputError(
                    "unknown exchange code or duplicated MIC", path=path, line=line, value=mic
                )
            market = Market(code, row["country"].strip().upper(), row["yahoo_suffix"].strip(),
                            "mic")  # fmt: skip
            by_mic[mic] = market
            for alias in filter(None, (_key(a) for a in row["aliases"].split(";"))):
                if alias in by_alias:
                    raise InputError("alias names two markets", path=path, line=line, value=alias)
                by_alias[alias] = Market(market.code, market.country, market.yahoo_suffix, "alias")
    return by_mic, by_alias


def resolve_market(value: object) -> Market | None:
    """The market a MIC, an exchange name or acronym, a Bloomberg code or an OpenFIGI exchange
    code names; None when the value names none (or is ambiguous, see the module docstring).

    Bloomberg codes come first (``GR``), then MICs, aliases and OpenFIGI venue codes (``GY``).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().upper()
    codes = load_exchanges()
    if text in codes:
        code = LEGACY_CODES.get(text, text)
        ex = codes[code]
        suffix = ex.yahoo_suffixes[0] if ex.yahoo_suffixes else None
        return Market(code, ex.country, suffix, "code")
    by_mic, by_alias = market_table()
    if text in by_mic:
        return by_mic[text]
    found = by_alias.get(_key(text))
    if found is not None:
        return found
    venue = venue_map().get(text)
    if venue is not None:
        ex = codes[venue]
        suffix = ex.yahoo_suffix_for_venue(text) or (ex.yahoo_suffixes or (None,))[0]
        return Market(venue, ex.country, suffix, "venue")
    return None


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, str, str | None]]:
    """Country key (ISO code or name) -> (ISO code, main Bloomberg code, and for a market
    without one the Yahoo suffix that names it)."""
    out: dict[str, tuple[str, str, str | None]] = {}
    for code, ex in load_exchanges().items():
        if code in LEGACY_CODES:
            continue
        out.setdefault(ex.country, (ex.country, code, None))
        out.setdefault(_key(ex.name), (ex.country, code, None))
    for market in market_table()[0].values():
        found = (market.country, market.code, None if market.code else market.yahoo_suffix)
        out.setdefault(market.country, found)
    for name, iso in _COUNTRY_NAMES.items():
        out.setdefault(_key(name), out.get(iso, (iso, "", None)))
    return out


def country_market(value: object) -> Market | None:
    """The main market of a country (ISO alpha-2 or English name); None when unknown.

    For a listing file whose only word on the market is a country column (the *market's*
    country, not the issuer's): the Yahoo suffix stays unknown, the venue not being given,
    except for a market without a Bloomberg code, which its Yahoo suffix names (``.SR``).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    found = _countries().get(value.strip().upper()) or _countries().get(_key(value))
    if found is None:
        return None
    iso, code, suffix = found
    return Market(code, iso, suffix, "country")
