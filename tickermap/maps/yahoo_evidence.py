"""Yahoo symbols from evidence: witnesses' listings joined by ISIN, FIGI, ticker, name; rules last.

Every row of a loaded map that carries a Yahoo symbol is a *listing*: FinanceDatabase's rows
(their ticker is derived from the symbol by string rules), dsignals' ``yahoo`` column and its
EODHD symbols (``signals_ticker``, suffix written the Yahoo way), a generic map's ``yahoo``
column. Every row keyed by a Bloomberg ticker that is not a FinanceDatabase listing adds *facts*
about its ticker (ISIN, FIGIs, name); callers may add their own (reconcile's chosen keys,
OpenFIGI's venue).

A ticker's candidates are the listings on its own market (the Yahoo suffix is one of its
exchange's, ``mappings/exchanges.csv``) linked to it by at least one key; each link adds weight:

=========================  ======  =====================================================
link                       weight  meaning
=========================  ======  =====================================================
``isin``                   8       the listing's ISIN is one the ticker's witnesses claim
``figi``                   6       its composite, FIGI or share-class FIGI is claimed
``claim``                  6       a witness keyed by this very ticker names the symbol
``venue``                  3       OpenFIGI's venue for the ticker gives this suffix
``ticker``                 2       the listing's derived ticker is this ticker (root + venue)
``name``                   2       same normalised name on the same market (unique there)
``rule``                   0.5     the string rules give the same symbol
=========================  ======  =====================================================

.. [#] When OpenFIGI's venue decides a suffix (``KQ`` -> ``.KQ``), listings with another suffix
   are not candidates at all.

So an ISIN link beats a lone claim, and a claim the rules agree with (``DTC`` for ``DTC US``)
beats a lone FIGI link to another symbol (FinanceDatabase's stale ``SBDS``). On a market of
several venues the lines of one symbol stem (``BEI.DE``, ``BEI.MU``; ``FIL.TO``, ``FIL.V``)
share the ISIN, FIGI, name and ticker links, so the venue is decided by what names a line (a
claim, OpenFIGI's venue, the rules), then by the default suffix (``.DE`` before ``.F``), then by
listings not flagged delisted; a tie left after that is marked ambiguous. When one ISIN has two
lines on one venue (``ARCH.OL``, ``ARCHO.OL``) the line whose stem is the Bloomberg root (or a
prefix of it) wins, else the one a ticker-keyed witness claims, else the line the other extends
(source suffix ``:root``, ``:claim``, ``:base``). A claimed symbol of another stem, when the
winner is the rules' own (current) line, is reported as ``;previous=SYMBOL``: a witness from
before a rename (dsignals' ``BRKS`` for ``AZTA US``). With no candidate the string rules decide
(:func:`tickermap.tickers.symbols.bloomberg_to_yahoo`) and say so: ``rule``, ``rule:ambiguous``
or ``openfigi:venue``. The source of a pick is ``LABEL:LINK`` of its strongest link
(``financedatabase:isin``, ``dsignals:claim``, ``financedatabase:ticker``, ...). No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from tickermap import columns as C
from tickermap.maps._yahoo_lines import (
    LINK_WEIGHTS,
    PARALLEL_VENUES,
    Candidate,
    eodhd_claims,
    previous_symbol,
    same_line,
    share_venues,
)
from tickermap.maps.load import LoadedMap
from tickermap.names.normalize import normalize_name
from tickermap.tickers.exchanges import Exchange, load_exchanges
from tickermap.tickers.parse import exchange_code
from tickermap.tickers.symbols import bloomberg_to_yahoo

__all__ = ["LINK_WEIGHTS", "TickerFacts", "YahooEvidence", "YahooPick", "witness_label"]

_LINK_ORDER = ("isin", "figi", "claim", "venue", "ticker", "name")
_LISTING_PRESETS = frozenset({"financedatabase"})
_LABELS = {"financedatabase": "financedatabase", "dsignals_eodhd": "dsignals"}
_ID_COLUMNS = (C.COMPOSITE_FIGI, C.FIGI, C.SHARE_CLASS_FIGI)
_SYMBOL = re.compile(r"[A-Z0-9][A-Z0-9&'-]*(?:\.[A-Z]{1,4})?")


def witness_label(m: LoadedMap) -> str:
    """The label a witness's picks carry: ``financedatabase``, ``dsignals``, else its source."""
    return _LABELS.get(m.preset, m.source)


@dataclass(frozen=True, slots=True)
class TickerFacts:
    """What is known about one ticker, from anyone: identifiers, names, OpenFIGI venue."""

    isins: frozenset[str] = frozenset()
    figis: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    venue: str | None = None

    def merged(self, other: TickerFacts | None) -> TickerFacts:
        """Both sets of facts; ``other``'s venue wins when it has one."""
        if other is None:
            return self
        return TickerFacts(
            self.isins | other.isins,
            self.figis | other.figis,
            self.names | other.names,
            other.venue or self.venue,
        )

    @classmethod
    def of(
        cls,
        *,
        isins: Iterable[object] = (),
        figis: Iterable[object] = (),
        names: Iterable[object] = (),
        venue: str | None = None,
    ) -> TickerFacts:
        """Facts from raw values (missing ones skipped, names normalised)."""
        return cls(
            frozenset(v.upper() for v in map(_str, isins) if v),
            frozenset(v.upper() for v in map(_str, figis) if v),
            frozenset(t for v in map(_str, names) if v and (t := _name(v))),
            venue,
        )


@dataclass(frozen=True, slots=True)
class YahooPick:
    """The Yahoo symbol chosen for one ticker.

    Attributes:
        symbol: the symbol, or None.
        source: ``LABEL:LINK`` of the winning listing's strongest link, ``rule``,
            ``rule:ambiguous`` or ``openfigi:venue``; ``:ambiguous`` is appended to a tie,
            ``:root``/``:claim``/``:base`` when one ISIN has two lines on the venue, and
            ``;previous=SYMBOL`` when a witness still names the symbol from before a rename.
            None when there is no symbol.
        ambiguous: the evidence or the rules could not decide.
        error: why there is no symbol (the rule's reason code), else None.
        links: the winner's links as ``LABEL:LINK`` strings (its evidence).
        previous: a symbol a witness claims from before a rename (``BRKS`` for ``AZTA US``),
            else None.
    """

    symbol: str | None
    source: str | None
    ambiguous: bool
    error: str | None = None
    links: tuple[str, ...] = ()
    previous: str | None = None


@dataclass(frozen=True, slots=True)
class _Listing:
    symbol: str
    suffix: str
    label: str
    delisted: bool
    name: str | None = None  # normalised


def _str(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    text = str(value).strip()
    return text or None


@lru_cache(maxsize=1 << 16)
def _name(raw: str) -> str:
    return normalize_name(raw).text


@lru_cache(maxsize=1)
def _suffix_codes() -> dict[str, frozenset[str]]:
    """Yahoo suffix -> the exchange codes whose market it belongs to."""
    out: dict[str, set[str]] = {}
    for ex in load_exchanges().values():
        for s in ex.yahoo_suffixes:
            out.setdefault(s, set()).add(ex.code)
    return {k: frozenset(v) for k, v in out.items()}


def _cells(series: pd.Series) -> list[str | None]:
    """Stripped text per cell (upper-cased except names), None when missing."""
    text = series.astype("object").where(series.notna(), None)
    out: list[str | None] = [
        (v.strip() or None) if isinstance(v, str) else None for v in text.tolist()
    ]
    if series.name != C.NAME:
        out = [v.upper() if v else None for v in out]
    return out


def _suffix(symbol: str) -> str | None:
    """The symbol's Yahoo suffix (``""`` for none), or None when it is not a symbol at all."""
    if not _SYMBOL.fullmatch(symbol):
        return None  # sentinels such as SYMBOL_NOT_FOUND, N/A
    stem, dot, tail = symbol.rpartition(".")
    if not dot:
        return ""
    return "." + tail if stem and "." + tail in _suffix_codes() else None


class YahooEvidence:
    """An index of every witness listing that carries a Yahoo symbol, and of tickers' facts."""

    def __init__(self) -> None:
        self._listings: dict[tuple[str, str], _Listing] = {}  # (label, symbol)
        self._by_key: dict[tuple[str, str], list[_Listing]] = {}  # ("isin", value) etc.
        self._by_name: dict[tuple[str, str], list[_Listing]] = {}  # (suffix, name)
        self._by_ticker: dict[str, list[_Listing]] = {}
        self._claims: dict[str, list[_Listing]] = {}
        self._facts: dict[str, TickerFacts] = {}

    @classmethod
    def from_maps(cls, maps: Sequence[LoadedMap]) -> YahooEvidence:
        """Index the listings and facts of loaded maps (any preset)."""
        ev = cls()
        for m in maps:
            ev._add_map(m)
        return ev

    def __len__(self) -> int:
        return len(self._listings)

    def _listing(
        self, label: str, symbol: str, delisted: bool, name: str | None = None
    ) -> _Listing | None:
        suffix = _suffix(symbol)
        if suffix is None:
            return None
        key = (label, symbol)
        found = self._listings.get(key)
        if found is None:
            text = _name(name) if name else None
            found = self._listings[key] = _Listing(symbol, suffix, label, delisted, text)
        return found

    def _add_map(self, m: LoadedMap) -> None:
        label, frame = witness_label(m), m.frame
        listing_preset = m.preset in _LISTING_PRESETS
        delisted = _delisted(m)
        tickers, isins, names, symbols = (
            _cells(frame[c]) for c in (C.BLOOMBERG_TICKER, C.ISIN, C.NAME, C.YAHOO)
        )
        ids = [_cells(frame[c]) for c in _ID_COLUMNS]
        extra = m.extra
        eodhd = (
            eodhd_claims(_cells(extra["eodhd"]), tickers)
            if m.preset == "dsignals_eodhd" and extra is not None and "eodhd" in extra.columns
            else [None] * len(tickers)
        )
        for i, t in enumerate(tickers):
            symbol, isin, name = symbols[i], isins[i], names[i]
            figis = [f for col in ids if (f := col[i])]
            if t and not listing_preset and (isin or figis or name):
                facts = TickerFacts.of(isins=[isin], figis=figis, names=[name])
                self._facts[t] = self._facts.get(t, TickerFacts()).merged(facts)
            if t and (e := eodhd[i]) and (claimed := self._listing(label, e, False)):
                self._claims.setdefault(t, []).append(claimed)
            if symbol is None:
                continue
            lst = self._listing(label, symbol, delisted[i], name if listing_preset else None)
            if lst is None:
                continue
            self._index(lst, isin=isin, figis=figis, name=name)
            if t:
                target = self._by_ticker if listing_preset else self._claims
                target.setdefault(t, []).append(lst)

    def _index(
        self, lst: _Listing, *, isin: str | None, figis: list[str], name: str | None
    ) -> None:
        if isin:
            self._by_key.setdefault(("isin", isin.upper()), []).append(lst)
        for f in dict.fromkeys(f.upper() for f in figis):
            self._by_key.setdefault(("figi", f), []).append(lst)
        if name and (text := _name(name)):
            self._by_name.setdefault((lst.suffix, text), []).append(lst)

    def facts(self, ticker: str) -> TickerFacts:
        """The facts the ticker-keyed witnesses give about ``ticker``."""
        return self._facts.get(ticker, TickerFacts())

    def pick(self, ticker: str, facts: TickerFacts | None = None) -> YahooPick:
        """The Yahoo symbol of a Bloomberg ticker from the evidence, else from the rules."""
        known = self.facts(ticker).merged(facts)
        rule = bloomberg_to_yahoo(ticker, venue=known.venue)
        code = exchange_code(ticker)
        ex = load_exchanges().get(code) if code else None
        if ex is None or not ex.yahoo_suffixes:
            return _rule_pick(ticker, rule, known.venue)
        scored = self._candidates(ticker, ex, known, rule.symbol)
        if not scored:
            return _rule_pick(ticker, rule, known.venue)
        scored.sort(key=lambda s: (s[0], -len(s[1].symbol)), reverse=True)
        best_key, best = scored[0]
        tied = len(scored) > 1 and scored[1][0] == best_key
        line = same_line(best, [c for _, c in scored[1:]], ticker.rpartition(" ")[0])
        if line is not None:
            best, tied = line[0], False
        strongest = next(k for k in (*_LINK_ORDER, "rule") if k in best.kinds)
        source = f"{best.kinds[strongest]}:{strongest}" + (":ambiguous" if tied else "")
        if line is not None:
            source += ":" + line[1]  # which line of the ISIN's venue, and why
        previous = previous_symbol(best, [c for _, c in scored])
        if previous is not None:
            source += f";previous={previous}"
        return YahooPick(
            symbol=best.symbol,
            source=source,
            ambiguous=tied,
            links=tuple(f"{best.kinds[k]}:{k}" for k in (*_LINK_ORDER, "rule") if k in best.kinds),
            previous=previous,
        )

    def _candidates(
        self, ticker: str, ex: Exchange, known: TickerFacts, rule: str | None
    ) -> list[tuple[tuple[float, int, int], Candidate]]:
        venue_suffix = ex.yahoo_suffix_for_venue(known.venue) if known.venue else None
        # OpenFIGI's venue for the ticker decides the suffix: other suffixes are not candidates.
        suffixes = (venue_suffix,) if venue_suffix else ex.yahoo_suffixes
        found: dict[str, Candidate] = {}

        def add(lst: _Listing, kind: str, key: str | None = None) -> None:
            if lst.suffix in suffixes:
                c = found.setdefault(lst.symbol, Candidate(lst.symbol, lst.suffix))
                c.kinds.setdefault(kind, lst.label)
                c.listed = c.listed or not lst.delisted
                if lst.name:
                    c.names.add(lst.name)
                if key is not None:
                    c.isins.add(key)

        for isin in known.isins:
            for lst in self._by_key.get(("isin", isin), ()):
                add(lst, "isin", isin)
        for figi in known.figis:
            for lst in self._by_key.get(("figi", figi), ()):
                add(lst, "figi")
        for lst in self._claims.get(ticker, ()):
            add(lst, "claim")
        for lst in self._by_ticker.get(ticker, ()):
            add(lst, "ticker")
        for text in known.names:
            for suffix in suffixes:
                named = self._by_name.get((suffix, text), [])
                if len({x.symbol for x in named}) == 1:
                    for lst in named:
                        add(lst, "name")
        if len(suffixes) > 1:
            share_venues(found, rule if ex.code in PARALLEL_VENUES else None, suffixes)
        for c in found.values():
            if venue_suffix is not None and c.suffix == venue_suffix:
                c.kinds["venue"] = "openfigi"
            if rule is not None and c.symbol == rule:
                c.kinds["rule"] = "rule"
        return [(c.score(suffixes), c) for c in found.values()]


def _rule_pick(ticker: str, rule: object, venue: str | None) -> YahooPick:
    from tickermap.tickers.symbols import SymbolResult

    assert isinstance(rule, SymbolResult)
    if rule.symbol is None:
        return YahooPick(None, None, False, rule.error)
    code = exchange_code(ticker)
    ex = load_exchanges().get(code) if code else None
    by_venue = ex is not None and venue is not None and ex.yahoo_suffix_for_venue(venue)
    if by_venue and not rule.ambiguous:
        return YahooPick(rule.symbol, "openfigi:venue", False, links=("openfigi:venue",))
    source = "rule:ambiguous" if rule.ambiguous else "rule"
    return YahooPick(rule.symbol, source, rule.ambiguous, links=(source,))


def _delisted(m: LoadedMap) -> list[bool]:
    extra = m.extra
    if extra is None or "delisted" not in extra.columns:
        return [False] * len(m.frame)
    return [v is True for v in extra["delisted"].astype("object").tolist()]
