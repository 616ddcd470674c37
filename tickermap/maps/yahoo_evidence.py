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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from tickermap import columns as C
from tickermap.maps.load import LoadedMap
from tickermap.names.normalize import normalize_name
from tickermap.tickers.exchanges import Exchange, load_exchanges
from tickermap.tickers.parse import exchange_code
from tickermap.tickers.symbols import bloomberg_to_yahoo

__all__ = ["LINK_WEIGHTS", "TickerFacts", "YahooEvidence", "YahooPick", "witness_label"]

LINK_WEIGHTS: Mapping[str, float] = {
    "isin": 8.0, "figi": 6.0, "claim": 6.0, "venue": 3.0, "ticker": 2.0, "name": 2.0, "rule": 0.5,
}  # fmt: skip
"""Weight of each kind of link between a ticker and a listing (see the module docstring)."""
_LINK_ORDER = ("isin", "figi", "claim", "venue", "ticker", "name")
_LISTING_PRESETS = frozenset({"financedatabase"})
_PARALLEL_VENUES = frozenset({"GR"})
"""Markets whose securities trade on all their venues at once (Xetra and the regional German
exchanges); Korea, Taiwan and Canada list each security on one venue."""
_SECURITY_LINKS = ("isin", "figi", "name", "ticker")  # shared by a security's lines on a market
_EODHD_SUFFIX = {
    "US": "", "LSE": ".L", "KO": ".KS", "KQ": ".KQ", "XETRA": ".DE", "F": ".F", "STU": ".SG",
    "MU": ".MU", "HM": ".HM", "BE": ".BE", "DU": ".DU", "HA": ".HA", "KLSE": ".KL", "SG": ".SI",
    "IR": ".IR", "TO": ".TO", "V": ".V", "CN": ".CN", "NEO": ".NE", "TW": ".TW", "TWO": ".TWO",
    "AU": ".AX", "AS": ".AS", "PA": ".PA", "BR": ".BR", "MC": ".MC", "MI": ".MI", "LS": ".LS",
    "ST": ".ST", "CO": ".CO", "HE": ".HE", "OL": ".OL", "SW": ".SW", "VI": ".VI", "WAR": ".WA",
    "T": ".T", "HK": ".HK", "SA": ".SA", "MX": ".MX", "BK": ".BK", "JK": ".JK", "JSE": ".JO",
    "TA": ".TA", "IS": ".IS", "AT": ".AT", "BUD": ".BD", "PR": ".PR", "NZ": ".NZ",
}  # fmt: skip
"""EODHD exchange code -> Yahoo suffix (dsignals' ``signals_ticker`` column)."""
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
        eodhd = _eodhd_claims(m, tickers)
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
        line = _same_line(best, [c for _, c in scored[1:]], ticker.rpartition(" ")[0])
        if line is not None:
            best, tied = line[0], False
        strongest = next(k for k in (*_LINK_ORDER, "rule") if k in best.kinds)
        source = f"{best.kinds[strongest]}:{strongest}" + (":ambiguous" if tied else "")
        if line is not None:
            source += ":" + line[1]  # which line of the ISIN's venue, and why
        previous = _previous(best, [c for _, c in scored])
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
    ) -> list[tuple[tuple[float, int, int], _Candidate]]:
        venue_suffix = ex.yahoo_suffix_for_venue(known.venue) if known.venue else None
        # OpenFIGI's venue for the ticker decides the suffix: other suffixes are not candidates.
        suffixes = (venue_suffix,) if venue_suffix else ex.yahoo_suffixes
        found: dict[str, _Candidate] = {}

        def add(lst: _Listing, kind: str, key: str | None = None) -> None:
            if lst.suffix in suffixes:
                c = found.setdefault(lst.symbol, _Candidate(lst.symbol, lst.suffix))
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
            _share_venues(found, rule if ex.code in _PARALLEL_VENUES else None, suffixes)
        for c in found.values():
            if venue_suffix is not None and c.suffix == venue_suffix:
                c.kinds["venue"] = "openfigi"
            if rule is not None and c.symbol == rule:
                c.kinds["rule"] = "rule"
        return [(c.score(suffixes), c) for c in found.values()]


def _stem(symbol: str) -> str:
    return symbol.rpartition(".")[0] if "." in symbol else symbol


def _share_venues(
    found: dict[str, _Candidate], rule: str | None, suffixes: tuple[str, ...]
) -> None:
    """Lines of one security on a market of several venues (``BEI.DE``/``BEI.MU``, ``FIL.TO``/
    ``FIL.V``, ``.KS``/``.KQ``) share what links the security (ISIN, FIGI, name, ticker): the
    venue is then decided by what names a line (a claim, OpenFIGI's venue, the rules), else by
    the exchange's default suffix. On markets of parallel venues (``rule`` given) the rules'
    line joins when its stem is a candidate's."""
    stems: dict[str, list[_Candidate]] = {}
    for c in found.values():
        stems.setdefault(_stem(c.symbol), []).append(c)
    if rule is not None and rule not in found and _stem(rule) in stems:
        suffix = rule[len(_stem(rule)) :]
        if suffix in suffixes:
            found[rule] = c = _Candidate(rule, suffix, listed=True)
            stems[_stem(rule)].append(c)
    for group in stems.values():
        if len(group) < 2:
            continue
        shared = {k: lab for c in group for k, lab in c.kinds.items() if k in _SECURITY_LINKS}
        for c in group:
            for k, lab in shared.items():
                c.kinds.setdefault(k, lab)


def _same_line(
    best: _Candidate, rest: list[_Candidate], root: str
) -> tuple[_Candidate, str] | None:
    """One security, two lines on one venue (``ARCH.OL``/``ARCHO.OL``, sharing an ISIN, or
    ``ORK.OL``/``ORKO.OL`` under one name, only one carrying the ISIN): the line whose stem is the
    Bloomberg root or a prefix of it (``root``), else the one a ticker-keyed witness claims
    (``claim``), else the line whose stem the others extend (``base``: ``ABG.OL``, not
    ``ABGO.OL``); None when the winner has no such rival or nothing tells them apart."""
    rivals = [c for c in rest if c.suffix == best.suffix and _same_security(c, best)]
    if not rivals:
        return None
    group = [best, *rivals]
    root = root.replace("/", "-")
    tests: tuple[tuple[Callable[[_Candidate], bool], str], ...] = (
        (lambda c: _stem(c.symbol) == root, "root"),
        (lambda c: root.startswith(_stem(c.symbol)), "root"),
        (lambda c: "claim" in c.kinds, "claim"),
        (lambda c: all(_stem(o.symbol).startswith(_stem(c.symbol)) for o in group), "base"),
    )
    for test, why in tests:
        hits = [c for c in group if test(c)]
        if len(hits) == 1:
            return hits[0], why
    return None


def _same_security(a: _Candidate, b: _Candidate) -> bool:
    """Two lines of one security: a shared ISIN, or one stem extends the other under one name."""
    if a.isins & b.isins:
        return True
    sa, sb = _stem(a.symbol), _stem(b.symbol)
    return (sa.startswith(sb) or sb.startswith(sa)) and bool(a.names & b.names)


def _previous(best: _Candidate, candidates: list[_Candidate]) -> str | None:
    """A claimed symbol from before a rename: when the winner is the rules' line (its stem is the
    Bloomberg root, so current) and a witness claims another stem on the market, that claim."""
    if "rule" not in best.kinds:
        return None
    old = [
        c.symbol
        for c in candidates
        if "claim" in c.kinds and _stem(c.symbol) != _stem(best.symbol) and "rule" not in c.kinds
    ]
    return old[0] if len(old) == 1 else None


@dataclass(slots=True)
class _Candidate:
    symbol: str
    suffix: str
    kinds: dict[str, str] = field(default_factory=dict)  # link kind -> label of first witness
    listed: bool = False
    isins: set[str] = field(default_factory=set)  # the ISINs that link it
    names: set[str] = field(default_factory=set)  # its listings' normalised names

    def score(self, suffixes: tuple[str, ...]) -> tuple[float, int, int]:
        weight = sum(LINK_WEIGHTS.get(k, 0.0) for k in self.kinds)
        return weight, -suffixes.index(self.suffix), int(self.listed)


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


def _eodhd_claims(m: LoadedMap, tickers: list[str | None]) -> list[str | None]:
    """dsignals' EODHD symbols in Yahoo form, one per row (None where there is none).

    On markets where Yahoo uses another local code (Bursa Malaysia, SGX, Euronext Dublin) an
    EODHD symbol whose stem is the Bloomberg root is a placeholder, not the local code: dropped.
    So are its venues where the composite hides them (KOSPI/KOSDAQ, TWSE/TPEx, the German
    venues): dsignals writes ``.KO`` for KOSDAQ listings too (36 rows of the labelled set).
    """
    extra = m.extra
    if m.preset != "dsignals_eodhd" or extra is None or "eodhd" not in extra.columns:
        return [None] * len(tickers)
    out: list[str | None] = []
    for t, raw in zip(tickers, _cells(extra["eodhd"]), strict=True):
        stem, dot, code = (raw or "").rpartition(".")
        suffix = _EODHD_SUFFIX.get(code) if dot and stem else None
        if t is None or suffix is None:
            out.append(None)
            continue
        ex = load_exchanges().get(exchange_code(t) or "")
        root = t.rpartition(" ")[0]
        placeholder = ex is not None and ex.yahoo_root == "lookup" and stem == root
        hidden = ex is None or ex.venue_hidden
        out.append(None if placeholder or hidden or "/" in stem else stem + suffix)
    return out


def _delisted(m: LoadedMap) -> list[bool]:
    extra = m.extra
    if extra is None or "delisted" not in extra.columns:
        return [False] * len(m.frame)
    return [v is True for v in extra["delisted"].astype("object").tolist()]
