"""Which file is wrong: inside each cluster of listings (:mod:`.entities`), whose ISIN it is.

When listings of several witnesses share an identifier but name different companies, one of the
files gave the ISIN to the wrong company. Each ISIN of a cluster is judged on its own: only the
listings that carry it (and, for support, the listings of the same name group that carry no
ISIN but share a FIGI) say whose it is. The evidence, in order:

1. **Renames.** Two name groups on the same ticker line (same root and market), or two home
   lines of one ISIN in the same witness on the same market (the witness keeps the old and the
   new ticker: ``DC/ LN`` and ``CURY LN``), are one security under an old and a new name:
   nobody is blamed. So is the same composite FIGI on the same market, unless one side is
   outnumbered by independent witnesses (a file that copied another company's FIGIs with its
   ISIN: ``ASCL LN`` Ascential with ASOS's).
2. **The same root on another market.** A listing whose root collides with the root of a
   listing of another name group carrying the ISIN (equal, or one a one-character extension of
   the other: ``ADM GR`` Archer Daniels with Admiral's ``ADM LN`` ISIN, ``4004.SR`` Dallah with
   Showa Denko's ``4004 JP``, ``IMPN SW`` Implenia with Impala's ``IMP SJ``) got the ISIN by a
   ticker match: the one whose market fits the ISIN worse loses (on a tie, the outnumbered one).
   Mexico's SIC lists foreign shares under their home ticker, so a same root there is expected.
3. **The ISIN's country against the listing's market** (:data:`.entities.FIT_RANK`). A
   ``misfit`` listing (``BN CN`` with Danone's French ISIN, ``2395 JP`` with a Taiwanese ISIN)
   loses to a name group with a better fit (home, explained, or a US listing of a foreign
   issuer); a ``us_foreign`` listing loses to a home listing.
4. **The home listing and third witnesses.** A home listing of the losing group is blamed only
   when outnumbered by a home group with more independent witnesses.
5. **The same company on the wrong market.** A ``misfit`` or offshore listing whose names agree
   with the ISIN's home listing under another ticker (``AEM SP`` described as Agnico Eagle) is
   blamed when its share-class FIGI is another security's (the home listings' is not its own;
   a real cross-listing such as ``ABI SJ`` shares the global share class), or when a third
   witness lists that very ticker with a domestic ISIN of its own; without either it may be a
   real cross-listing and is left alone.

A listing not blamed is *corroborated* by listings of other witnesses in its name group that
share its ISIN, share-class or composite FIGI. Pure: listings in, findings out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tickermap.reconcile.entities import FIT_RANK, Listing, clusters, name_groups

__all__ = ["Finding", "RowKey", "blame_listings", "roots_collide"]

RowKey = tuple[str, int]
_SAME_ROOT_EXPECTED = frozenset({"MF"})  # Mexico's SIC: foreign shares under their home ticker
_OFFSHORE_HOME = frozenset({"IM", "JE", "GG", "LI"})  # domiciles whose home market is elsewhere


@dataclass
class Finding:
    """What the cross-witness check says about one listing.

    Attributes:
        blamed: the sentence saying why this listing's file is wrong (None when it is not).
        corroborated_by: ``(witness, label)`` of other witnesses' listings that agree with it.
        wrong_elsewhere: sentences naming other files that gave this listing's ISIN to another
            company.
        renamed: a sentence when the cluster shows the same line under another name.
    """

    blamed: str | None = None
    corroborated_by: list[tuple[str, str]] = field(default_factory=list)
    wrong_elsewhere: list[str] = field(default_factory=list)
    renamed: str | None = None


def roots_collide(a: str, b: str) -> bool:
    """Whether two ticker roots are the same string up to one trailing character.

    >>> roots_collide("ADM", "ADM"), roots_collide("IMPN", "IMP"), roots_collide("BN", "BNP")
    (True, True, False)
    """
    a, b = (r.replace("/", "").replace("-", "").replace(".", "") for r in (a, b))
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    return long_ == short or (len(short) >= 3 and len(long_) == len(short) + 1
                              and long_.startswith(short))  # fmt: skip


def _same_line(a: Listing, b: Listing) -> bool:
    """The same ticker line (a rename on the line)."""
    return bool(a.code) and a.code == b.code and a.root == b.root


def _history(a: Listing, b: Listing) -> bool:
    """One witness's old and new home line of one ISIN on one market."""
    return (
        a.witness == b.witness
        and a.isin is not None
        and a.isin == b.isin
        and a.fit == b.fit == "home"
        and a.code == b.code
        and a.ticker != b.ticker
    )


def _collide(a: Listing, b: Listing) -> bool:
    return (
        a.ticker != b.ticker
        and not ({a.code, b.code} & _SAME_ROOT_EXPECTED)
        and roots_collide(a.root, b.root)
    )


def blame_listings(listings: Sequence[Listing]) -> dict[RowKey, Finding]:
    """A :class:`Finding` per listing key (see the module docstring for the rules)."""
    out: dict[RowKey, Finding] = {}
    by_ticker: dict[str, list[Listing]] = {}
    for x in listings:
        by_ticker.setdefault(x.ticker, []).append(x)
    for members in clusters(listings):
        if len(members) < 2:
            continue
        labels = name_groups(listings, members)
        xs = [listings[p] for p in members]
        _judge_cluster(xs, [labels.get(p) for p in members], by_ticker, out)
    return out


def _groups_of(
    xs: list[Listing], labels: list[int | None], out: dict[RowKey, Finding]
) -> dict[int, list[Listing]]:
    """Name groups, with groups joined by a rename (same line, or one witness's history)."""
    named = [(x, label) for x, label in zip(xs, labels, strict=True) if label is not None]
    parent = {label: label for _, label in named}

    def find(g: int) -> int:
        while parent[g] != g:
            g = parent[g]
        return g

    for i, (x, gx) in enumerate(named):
        for y, gy in named[:i]:
            if find(gx) != find(gy) and (_same_line(x, y) or _history(x, y)):
                parent[find(gx)] = find(gy)
                for a, b in ((x, y), (y, x)):
                    out.setdefault(
                        a.key, Finding()
                    ).renamed = f"{a.ticker} is also {b.label}: the same line under another name"
    groups: dict[int, list[Listing]] = {}
    for x, label in named:
        groups.setdefault(find(label), []).append(x)
    return groups


def _judge_cluster(
    xs: list[Listing],
    labels: list[int | None],
    by_ticker: dict[str, list[Listing]],
    out: dict[RowKey, Finding],
) -> None:
    groups = _groups_of(xs, labels, out)
    group_of = {x.key: g for g, members in groups.items() for x in members}
    blamed: set[RowKey] = set()
    for isin in sorted({x.isin for x in xs if x.isin}):
        carriers = {g: [x for x in m if x.isin == isin] for g, m in groups.items()}
        carriers = {g: c for g, c in carriers.items() if c}
        if len(carriers) >= 2:
            blamed |= _blame_between(groups, carriers, out)
    for group in groups.values():
        blamed |= _blame_wrong_market(group, by_ticker, out, blamed)
    for x in xs:
        if x.key in blamed or x.fit == "misfit":
            continue
        mates = groups.get(group_of.get(x.key, -1), [x])
        found = [
            (y.witness, y.label)
            for y in mates
            if y.witness != x.witness and y.key not in blamed and _shares_key(x, y)
        ]
        if found:
            out.setdefault(x.key, Finding()).corroborated_by.extend(found[:3])


def _shares_key(a: Listing, b: Listing) -> bool:
    return any(
        u is not None and u == v
        for u, v in ((a.isin, b.isin), (a.share, b.share), (a.composite, b.composite))
    )


@dataclass(frozen=True, slots=True)
class _Side:
    """One name group's claim to an ISIN: its carriers, best fit and independent witnesses."""

    carriers: list[Listing]
    backers: list[Listing]
    rank: int
    home: bool
    witnesses: int


def _side(group: list[Listing], carriers: list[Listing]) -> _Side:
    backers = [*carriers, *(x for x in group if x.isin is None)]
    return _Side(
        carriers=carriers,
        backers=backers,
        rank=max(FIT_RANK[x.fit] for x in carriers),
        home=any(x.fit == "home" for x in carriers),
        witnesses=len({x.witness for x in backers}),
    )


def _blame_between(
    groups: dict[int, list[Listing]], carriers: dict[int, list[Listing]], out: dict[RowKey, Finding]
) -> set[RowKey]:
    sides = {g: _side(groups[g], c) for g, c in carriers.items()}
    blamed: set[RowKey] = set()
    for g, side in sides.items():
        rivals = [s for h, s in sides.items() if h != g]
        for x in side.carriers:
            verdict = _verdict(x, side, rivals)
            if verdict is None:
                continue
            why, right = verdict
            _record_blame(x, right.carriers, why, out)
            blamed.add(x.key)
    return blamed


def _verdict(x: Listing, side: _Side, rivals: list[_Side]) -> tuple[str, _Side] | None:
    """Why ``x`` (a carrier of ``side``) holds another company's ISIN, and whose it is.

    Fits are compared group against group: a misfit line of the company whose home listing
    carries the ISIN is not another company's (:func:`_blame_wrong_market` judges it)."""
    for r in rivals:
        y = next((y for y in r.backers if _collide(x, y)), None)
        if y is None:
            continue
        if r.rank > side.rank or (r.rank == side.rank and r.witnesses > side.witnesses):
            return (f"{x.ticker} collides with {y.ticker}, whose ISIN it is", r)
    for r in rivals:
        outnumbered = r.home and r.witnesses > side.witnesses
        if any(x.composite and x.composite == y.composite and x.code == y.code
               for y in r.carriers) and not outnumbered:  # fmt: skip
            return None  # the same line on the same market under another name
        if side.rank == FIT_RANK["misfit"] and r.rank > side.rank:
            return (
                f"ISIN {x.isin} is from {(x.isin or '??')[:2]} but {x.code} trades in {x.country}",
                r,
            )
        us_foreign = side.rank == FIT_RANK["us_foreign"] and r.home
        if us_foreign or (x.fit == "home" and outnumbered):
            return (f"{r.witnesses} witnesses name another company", r)
    return None


def _blame_wrong_market(
    group: list[Listing],
    by_ticker: dict[str, list[Listing]],
    out: dict[RowKey, Finding],
    done: set[RowKey],
) -> set[RowKey]:
    """Rule 5: a misfit (or Crown-dependency/Liechtenstein) listing of the ISIN's own company
    on a market that does not list it, with another security's share class or a third
    witness's domestic ISIN for that ticker."""
    blamed: set[RowKey] = set()
    for x in group:
        if x.fit not in ("misfit", "explained") or x.key in done or not x.isin:
            continue
        homes = [h for h in group if h.fit == "home" and h.isin == x.isin and h.code != x.code]
        if not homes or (x.fit == "explained" and x.isin[:2] not in _OFFSHORE_HOME):
            continue
        home = homes[0]
        why = _foreign_share(x, group, homes) or _local_isin(x, by_ticker)
        if why is None:
            continue
        _record_blame(x, [home], f"ISIN {x.isin} is the home listing of {home.label}; {why}", out)
        blamed.add(x.key)
    return blamed


def _foreign_share(x: Listing, group: list[Listing], homes: list[Listing]) -> str | None:
    """``x``'s share-class FIGI is another security's: not the home listings', and no other
    listing of the ISIN shares it (a real cross-listing shares the global share class)."""
    home_shares = {h.share for h in homes if h.share}
    if x.share is None or len(home_shares) != 1 or x.share in home_shares:
        return None
    if any(y.share == x.share for y in group if y.key != x.key and y.isin == x.isin):
        return None
    if any(y.isin == x.isin and y.country == x.country and y.witness != x.witness for y in group):
        return None  # another witness lists the ISIN on this market: a real cross-listing
    return (
        f"{x.ticker}'s share-class FIGI {x.share} is another security's (the ISIN's is "
        f"{next(iter(home_shares))})"
    )


def _local_isin(x: Listing, by_ticker: dict[str, list[Listing]]) -> str | None:
    """A third witness lists this very ticker with a domestic ISIN of its own."""
    local = next(
        (
            y
            for y in by_ticker.get(x.ticker, [])
            if y.witness != x.witness and y.fit == "home" and y.isin != x.isin
        ),
        None,
    )
    if local is None:
        return None
    return (
        f"{x.code} ({x.country}) does not list it, and {local.label} gives {x.ticker} the "
        f"domestic ISIN {local.isin}"
    )


def _record_blame(x: Listing, right: list[Listing], why: str, out: dict[RowKey, Finding]) -> None:
    home = [y for y in right if y.fit == "home"] or right
    owner = home[0].label if home else "another company"
    out.setdefault(
        x.key, Finding()
    ).blamed = f"{x.source} is wrong about {x.ticker}: {why}; the ISIN belongs to {owner}"
    for y in right:
        out.setdefault(y.key, Finding()).wrong_elsewhere.append(
            f"{x.source}:{x.source_row} gives this ISIN to {x.ticker} ({x.name or 'no name'})"
        )
