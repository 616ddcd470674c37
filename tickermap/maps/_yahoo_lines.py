"""Which line of a security a ticker's Yahoo symbol is, for :mod:`tickermap.maps.yahoo_evidence`.

Holds the link weights, the scored :class:`Candidate`, the sharing of a security's links across
its venues (German regional exchanges, TSX/TSXV, KOSPI/KOSDAQ), the choice between two lines of
one security on one venue (``ARCH.OL``/``ARCHO.OL``), the symbol from before a rename, and
dsignals' EODHD symbols written the Yahoo way. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tickermap.tickers.exchanges import eodhd_suffixes, load_exchanges
from tickermap.tickers.parse import exchange_code

__all__ = [
    "LINK_WEIGHTS",
    "PARALLEL_VENUES",
    "Candidate",
    "eodhd_claims",
    "previous_symbol",
    "same_line",
    "share_venues",
]

LINK_WEIGHTS: Mapping[str, float] = {
    "isin": 8.0, "figi": 6.0, "claim": 6.0, "venue": 3.0, "ticker": 2.0, "name": 2.0, "rule": 0.5,
}  # fmt: skip
"""Weight of each kind of link between a ticker and a listing (see the module docstring)."""
PARALLEL_VENUES = frozenset({"GR"})
"""Markets whose securities trade on all their venues at once (Xetra and the regional German
exchanges); Korea, Taiwan and Canada list each security on one venue."""
_SECURITY_LINKS = ("isin", "figi", "name", "ticker")  # shared by a security's lines on a market


def _stem(symbol: str) -> str:
    return symbol.rpartition(".")[0] if "." in symbol else symbol


def share_venues(found: dict[str, Candidate], rule: str | None, suffixes: tuple[str, ...]) -> None:
    """Lines of one security on a market of several venues (``BEI.DE``/``BEI.MU``, ``FIL.TO``/
    ``FIL.V``, ``.KS``/``.KQ``) share what links the security (ISIN, FIGI, name, ticker): the
    venue is then decided by what names a line (a claim, OpenFIGI's venue, the rules), else by
    the exchange's default suffix. On markets of parallel venues (``rule`` given) the rules'
    line joins when its stem is a candidate's."""
    stems: dict[str, list[Candidate]] = {}
    for c in found.values():
        stems.setdefault(_stem(c.symbol), []).append(c)
    if rule is not None and rule not in found and _stem(rule) in stems:
        suffix = rule[len(_stem(rule)) :]
        if suffix in suffixes:
            found[rule] = c = Candidate(rule, suffix, listed=True)
            stems[_stem(rule)].append(c)
    for group in stems.values():
        if len(group) < 2:
            continue
        shared = {k: lab for c in group for k, lab in c.kinds.items() if k in _SECURITY_LINKS}
        for c in group:
            for k, lab in shared.items():
                c.kinds.setdefault(k, lab)


def same_line(best: Candidate, rest: list[Candidate], root: str) -> tuple[Candidate, str] | None:
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
    tests: tuple[tuple[Callable[[Candidate], bool], str], ...] = (
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


def _same_security(a: Candidate, b: Candidate) -> bool:
    """Two lines of one security: a shared ISIN, or one stem extends the other under one name."""
    if a.isins & b.isins:
        return True
    sa, sb = _stem(a.symbol), _stem(b.symbol)
    return (sa.startswith(sb) or sb.startswith(sa)) and bool(a.names & b.names)


def previous_symbol(best: Candidate, candidates: list[Candidate]) -> str | None:
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
class Candidate:
    symbol: str
    suffix: str
    kinds: dict[str, str] = field(default_factory=dict)  # link kind -> label of first witness
    listed: bool = False
    isins: set[str] = field(default_factory=set)  # the ISINs that link it
    names: set[str] = field(default_factory=set)  # its listings' normalised names

    def score(self, suffixes: tuple[str, ...]) -> tuple[float, int, int]:
        weight = sum(LINK_WEIGHTS.get(k, 0.0) for k in self.kinds)
        return weight, -suffixes.index(self.suffix), int(self.listed)


def eodhd_claims(symbols: list[str | None], tickers: list[str | None]) -> list[str | None]:
    """dsignals' EODHD symbols (upper-cased) in Yahoo form, one per row (None where none).

    On markets where Yahoo uses another local code (Bursa Malaysia, SGX, Euronext Dublin) an
    EODHD symbol whose stem is the Bloomberg root is a placeholder, not the local code: dropped.
    So are its venues where the composite hides them (KOSPI/KOSDAQ, TWSE/TPEx, the German
    venues): dsignals writes ``.KO`` for KOSDAQ listings too (36 rows of the labelled set).
    """
    out: list[str | None] = []
    for t, raw in zip(tickers, symbols, strict=True):
        stem, dot, code = (raw or "").rpartition(".")
        suffix = eodhd_suffixes().get(code) if dot and stem else None
        if t is None or suffix is None:
            out.append(None)
            continue
        ex = load_exchanges().get(exchange_code(t) or "")
        root = t.rpartition(" ")[0]
        placeholder = ex is not None and ex.yahoo_root == "lookup" and stem == root
        hidden = ex is None or ex.venue_hidden
        out.append(None if placeholder or hidden or "/" in stem else stem + suffix)
    return out
