"""Entity resolution across witnesses: every listing of every map, clustered into share classes.

A *listing* is one map row (one witness's view of one ticker). Listings that share an ISIN, a
share-class FIGI or a composite FIGI are linked into one *cluster* (a share class as the
witnesses see it: union-find over the three keys); inside a cluster, listings are grouped by
normalised name (:func:`tickermap.maps._groups.agree`, lenient: truncations and legal forms
agree). A cluster with two name groups is where one file is wrong (:mod:`.blame`).

Every listing also carries its *fit*: how its ISIN's country relates to the market it trades on:

- ``home``: the ISIN's country is the market's (the Crown dependencies IM, JE and GG count as
  the UK market's own, Liechtenstein as SIX's: they have no market of their own);
- ``explained``: an offshore domicile, a US listing of a foreign issuer, a Chinese H share, or a
  market that lists foreign shares under their home ISIN (:data:`FOREIGN_VENUES`: the German
  regional venues, SIX, Mexico's SIC, LSE's international order book lines ``0XXX LN`` and
  Brazilian BDRs ``XXXX34 BZ``);
- ``us_foreign``: a US listing of an ordinary share with a foreign (not offshore) ISIN: real
  for Canadian or Israeli issuers, but also the shape of a ticker collision (``ABF US`` with
  Associated British Foods' ISIN), so it loses to a home listing that names another company;
- ``misfit``: none of these (``BN CN`` with Danone's French ISIN), or a line for foreign
  shares that carries a domestic ISIN (``0S10 LN``, an international order book line, with a
  GB ISIN);
- ``unknown``: no ISIN or the market's country is unknown.

A row without a Bloomberg ticker (FinanceDatabase lists Bursa Malaysia, SGX or Tadawul lines
by Yahoo symbol only) still gets its market from the Yahoo suffix (:data:`YAHOO_MARKETS` and
the exchange table), so it can be judged by ISIN: its ``ticker`` is then the Yahoo symbol. A
generic listing file's row gets it from the market its file gave (a MIC, an exchange name, a
country: :mod:`tickermap.maps.local_tickers`, carried by :func:`with_markets`); its ``ticker``
is then ``LOCAL CODE``. Either way the verdict does not depend on which of these a file gives.

Pure: frames in, records out; only the rows whose identifiers touch the universe are indexed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tickermap import columns as C
from tickermap.maps._groups import agree, name_tokens
from tickermap.maps.facts import OFFSHORE_DOMICILES
from tickermap.maps.local_tickers import LISTING_COLUMNS
from tickermap.tickers.exchanges import load_exchanges
from tickermap.tickers.parse import parse_column

if TYPE_CHECKING:
    from tickermap.maps.load import LoadedMap

__all__ = [
    "FIT_RANK",
    "FOREIGN_VENUES",
    "YAHOO_MARKETS",
    "Listing",
    "clusters",
    "listing_fit",
    "listings_for",
    "name_groups",
    "with_markets",
]

FOREIGN_VENUES = frozenset({"GR", "GY", "SW", "MF"})
"""Markets whose venues routinely trade foreign shares under the issuer's home ISIN."""
_FOREIGN_LINE = {
    "LN": re.compile(r"0[0-9A-Z]{3}"),  # LSE international order book (0MJT LN)
    "BZ": re.compile(r"[A-Z]{4}3[2-5]"),  # Brazilian depositary receipts (GEOO34 BZ)
}
_US = frozenset({"US", "UQ"})
_HOME_OF = {"IM": "GB", "JE": "GB", "GG": "GB", "LI": "CH"}
"""Domiciles without a market of their own: their companies' home listing is on this one."""
YAHOO_MARKETS = {
    ".SR": ("SA", False),  # Saudi Exchange (Tadawul)
    ".BA": ("AR", True),  # Buenos Aires: CEDEARs of foreign shares
    ".IL": ("GB", True),  # LSE international order book
    ".AQ": ("GB", False),  # Aquis
    ".TI": ("IT", True),  # EuroTLX: foreign shares
    ".CR": ("VE", False),
    ".RG": ("LV", False),
    ".VS": ("LT", False),
    ".TL": ("EE", False),
    ".IC": ("IS", False),
}
"""Yahoo suffixes the exchange table does not know: (country, trades foreign shares)."""
FIT_RANK = {"home": 3, "explained": 2, "us_foreign": 1, "misfit": 0, "unknown": -1}
"""How well an ISIN fits a listing's market, best first (which file is wrong compares them)."""


@dataclass(frozen=True, slots=True)
class Listing:
    """One witness's row about one ticker, with what entity resolution needs."""

    source: str
    source_row: int
    witness: str
    ticker: str
    root: str
    code: str
    country: str | None
    isin: str | None
    composite: str | None
    share: str | None
    name: str | None
    tokens: tuple[str, ...]
    fit: str
    yahoo: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        """``(source, source_row)``, as claims and local evidence name a row."""
        return (self.source, self.source_row)

    @property
    def label(self) -> str:
        """``TICKER (NAME) in WITNESS``, for evidence sentences."""
        return f"{self.ticker} ({self.name or 'no name'}) in {self.source}:{self.source_row}"


def listing_fit(isin: str | None, code: str, root: str, country: str | None) -> str:
    """How an ISIN's country relates to the listing's market (see the module docstring).

    >>> listing_fit("FR0000120644", "CN", "BN", "CA"), listing_fit("FR0000120644", "SW", "X", "CH")
    ('misfit', 'explained')
    """
    if not isin or not country:
        return "unknown"
    cc = isin[:2]
    line = _FOREIGN_LINE.get(code)
    if cc == country or _HOME_OF.get(cc) == country:
        if code == "LN" and line is not None and line.fullmatch(root) is not None:
            return "misfit"  # an order-book line for foreign shares with a domestic ISIN
        return "home"
    if code in _US and cc not in OFFSHORE_DOMICILES:
        return "us_foreign"
    if (
        cc in OFFSHORE_DOMICILES
        or (country == "HK" and cc == "CN")
        or code in FOREIGN_VENUES
        or YAHOO_MARKETS.get(code, ("", False))[1]
        or (line is not None and line.fullmatch(root) is not None)
    ):
        return "explained"
    return "misfit"


def _yahoo_market(symbol: object, suffixes: Mapping[str, tuple[str, str]]) -> tuple[str, str, str]:
    """``(root, code, country)`` of a row known only by its Yahoo symbol (``("4004", ".SR",
    "SA")``; ``code`` is the Bloomberg code when the exchange table knows the suffix)."""
    if not isinstance(symbol, str) or "." not in symbol:
        return "", "", ""
    stem, _, tail = symbol.strip().upper().rpartition(".")
    suffix = "." + tail
    root = (stem.lstrip("0") or stem) if stem.isdigit() else stem
    if suffix in suffixes:
        code, country = suffixes[suffix]
        return root, code, country
    if suffix in YAHOO_MARKETS:
        return root, suffix, YAHOO_MARKETS[suffix][0]
    return "", "", ""


def _suffix_table() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for code, ex in load_exchanges().items():
        for suffix in ex.yahoo_suffixes:
            out.setdefault(suffix, (code, ex.country))
    return out


def with_markets(m: LoadedMap) -> pd.DataFrame:
    """The map's frame, plus the market of each listing when its file gave one
    (:data:`~tickermap.maps.local_tickers.LISTING_COLUMNS` of ``extra``)."""
    extra = m.extra
    if extra is None or not set(LISTING_COLUMNS) <= set(extra.columns):
        return m.frame
    return m.frame.assign(**{c: extra[c].to_numpy() for c in LISTING_COLUMNS})


def _given_market(rec: Mapping[object, object]) -> tuple[str, str, str] | None:
    """``(root, code, country)`` of a listing whose file gave its market (no ticker built)."""
    code, country, root = (rec.get(c) for c in LISTING_COLUMNS)
    if isinstance(code, str) and isinstance(country, str) and isinstance(root, str):
        return root, code, country
    return None


def _text(value: object) -> str | None:
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def listings_for(
    frames: Sequence[pd.DataFrame],
    witness_of: Mapping[str, str],
    keys: Collection[str],
    tickers: Collection[str] = (),
) -> list[Listing]:
    """Every map row whose ISIN, share-class or composite FIGI is one of ``keys``, or whose
    ticker is one of ``tickers``.

    Args:
        frames: canonical map frames (with ``source`` and ``source_row``).
        witness_of: claim source -> the witness (publisher) it belongs to.
        keys: identifiers of interest (the universe claims' ISINs and FIGIs).
        tickers: tickers of interest (the universe's).
    """
    wanted_tickers = set(tickers)
    wanted = set(keys)
    countries = {code: ex.country for code, ex in load_exchanges().items()}
    suffixes = _suffix_table()
    out: list[Listing] = []
    for frame in frames:
        ids = [frame[c] for c in (C.ISIN, C.SHARE_CLASS_FIGI, C.COMPOSITE_FIGI) if c in frame]
        if not ids or frame.empty:
            continue
        mask = frame[C.BLOOMBERG_TICKER].astype("object").isin(wanted_tickers)
        for col in ids:
            mask |= col.astype("object").isin(wanted)
        sub = frame[mask]
        if sub.empty:
            continue
        parsed = parse_column(sub[C.BLOOMBERG_TICKER], namespace="bloomberg")
        for rec, root, code in zip(
            sub.to_dict("records"), parsed["root"], parsed["code"], strict=True
        ):
            code_s = code if isinstance(code, str) else ""
            root_s = root if isinstance(root, str) else ""
            isin = _text(rec.get(C.ISIN))
            source = str(rec[C.SOURCE])
            yahoo = rec.get(C.YAHOO) if isinstance(rec.get(C.YAHOO), str) else None
            ticker = f"{root_s} {code_s}" if root_s and code_s else str(rec[C.BLOOMBERG_TICKER])
            country = countries.get(code_s)
            given = _given_market(rec) if not code_s else None
            if not code_s and yahoo:  # no Bloomberg ticker: the market from the Yahoo suffix
                root_s, code_s, cc = _yahoo_market(yahoo, suffixes)
                country = cc or None
                ticker = yahoo.strip().upper()
            elif given is not None:  # no Bloomberg ticker: the market its file gave
                root_s, code_s, country = given
                ticker = f"{root_s} {code_s}"
            out.append(
                Listing(
                    source=source,
                    source_row=int(rec[C.SOURCE_ROW]),
                    witness=witness_of.get(source, source),
                    ticker=ticker,
                    root=root_s,
                    code=code_s,
                    country=country,
                    isin=isin,
                    composite=_text(rec.get(C.COMPOSITE_FIGI)),
                    share=_text(rec.get(C.SHARE_CLASS_FIGI)),
                    name=rec.get(C.NAME) if isinstance(rec.get(C.NAME), str) else None,
                    tokens=name_tokens(rec.get(C.NAME)),
                    fit=listing_fit(isin, code_s, root_s, country),
                    yahoo=yahoo,
                )
            )
    return out


def clusters(listings: Sequence[Listing]) -> list[list[int]]:
    """Positions of ``listings`` linked by a shared ISIN, share-class or composite FIGI, and
    a listing without an ISIN linked to a listing of the same ticker line whose name agrees
    (a witness that gives no ISIN or FIGI for a line still backs the company it names there:
    without it, whether the backing counts would depend on whether the file carries FIGIs)."""
    parent = list(range(len(listings)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in _same_line_mates(listings):
        parent[find(a)] = find(b)

    first: dict[tuple[str, str], int] = {}
    for pos, x in enumerate(listings):
        for kind, value in (("isin", x.isin), ("share", x.share), ("comp", x.composite)):
            if value is None:
                continue
            seen = first.setdefault((kind, value), pos)
            if seen != pos:
                parent[find(pos)] = find(seen)
    groups: dict[int, list[int]] = {}
    for pos in range(len(listings)):
        groups.setdefault(find(pos), []).append(pos)
    return list(groups.values())


def _same_line_mates(listings: Sequence[Listing]) -> list[tuple[int, int]]:
    """``(ISIN-less listing, listing)`` pairs on one ticker line whose names agree."""
    by_line: dict[str, list[int]] = {}
    for pos, x in enumerate(listings):
        if x.code and x.root and x.tokens:
            by_line.setdefault(x.ticker, []).append(pos)
    pairs = []
    for members in by_line.values():
        for p in members:
            if listings[p].isin is not None:
                continue
            mate = next((q for q in members if q != p and listings[q].witness !=
                         listings[p].witness and agree(listings[p].tokens, listings[q].tokens)),
                        None)  # fmt: skip
            if mate is not None:
                pairs.append((p, mate))
    return pairs


def name_groups(listings: Sequence[Listing], members: Sequence[int]) -> dict[int, int]:
    """Single-linkage name groups of the named ``members``: position -> group label.

    Unnamed listings are left out (they neither agree nor disagree).
    """
    named = [p for p in members if listings[p].tokens]
    label = {p: p for p in named}

    def find(p: int) -> int:
        while label[p] != p:
            p = label[p]
        return p

    for i, p in enumerate(named):
        for q in named[:i]:
            if find(p) != find(q) and agree(listings[p].tokens, listings[q].tokens):
                label[find(p)] = find(q)
    return {p: find(p) for p in named}
