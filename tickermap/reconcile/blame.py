"""Which file is wrong: inside each cluster of listings (:mod:`.entities`), whose ISIN it is.

When listings of several witnesses share an identifier but name different companies, one of the
files gave the ISIN to the wrong company. The evidence, in order:

1. **Renames.** Two name groups on the same ticker line (same root and market) or the same
   composite FIGI are one security under an old and a new name: nobody is blamed.
2. **The ISIN's country against the listing's market** (:func:`.entities.listing_fit`). A
   ``misfit`` listing (``BN CN`` with Danone's French ISIN, ``AUK AU`` with U-Haul's US ISIN,
   ``2395 JP`` with a Taiwanese ISIN) loses to a name group that fits (home or explained).
3. **The home listing and third witnesses.** Between groups that both fit, the group with a
   listing on the ISIN's own market and more independent witnesses wins; a home listing of the
   losing group is blamed only when it is outnumbered (``ASCL LN`` Ascential holding ASOS's ISIN
   that the Signals map and FinanceDatabase's German lines give to ASOS).
4. **The same company on the wrong market.** A ``misfit`` listing whose names agree with the
   ISIN's home listing under another ticker (``AEM SP`` described as Agnico Eagle, whose ISIN is
   ``AEM CN``'s) is blamed when a third witness lists that very ticker with a domestic ISIN of
   its own; without one it may be a real cross-listing (``ABI SJ``) and is left alone.

A listing not blamed is *corroborated* by listings of other witnesses in its name group that
share its ISIN, share-class or composite FIGI. Pure: listings in, findings out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tickermap.reconcile.entities import Listing, clusters, name_groups

__all__ = ["Finding", "RowKey", "blame_listings"]

RowKey = tuple[str, int]
_FITS = ("home", "explained")


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


def _same_line(a: Listing, b: Listing) -> bool:
    """The same ticker line, or the same composite on the same market (a rename)."""
    return a.code == b.code and (
        a.root == b.root or (a.composite is not None and a.composite == b.composite)
    )


def _support(group: list[Listing]) -> tuple[bool, int, int]:
    return (any(x.fit == "home" for x in group), len({x.witness for x in group}), len(group))


def _owner(group: list[Listing]) -> str:
    home = [x for x in group if x.fit == "home"] or group
    return home[0].label


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


def _judge_cluster(
    xs: list[Listing],
    labels: list[int | None],
    by_ticker: dict[str, list[Listing]],
    out: dict[RowKey, Finding],
) -> None:
    groups: dict[int, list[Listing]] = {}
    group_of: dict[RowKey, int] = {}
    by_key = {x.key: x for x in xs}
    for x, label in zip(xs, labels, strict=True):
        if label is not None:
            groups.setdefault(label, []).append(x)
            group_of[x.key] = label
    blamed: set[RowKey] = set()
    if len(groups) >= 2:
        blamed |= _blame_between(groups, out)
    for group in groups.values():
        blamed |= _blame_wrong_market(group, by_ticker, out)
    for x in by_key.values():
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


def _blame_between(groups: dict[int, list[Listing]], out: dict[RowKey, Finding]) -> set[RowKey]:
    ranked = sorted(groups, key=lambda g: _support(groups[g]), reverse=True)
    best = ranked[0]
    winner = best if _support(groups[best]) > _support(groups[ranked[1]]) else None
    blamed: set[RowKey] = set()
    for label, group in groups.items():
        others = [x for g, members in groups.items() if g != label for x in members]
        for x in group:
            same = next((o for o in others if _same_line(x, o)), None)
            if same is not None:
                out.setdefault(
                    x.key, Finding()
                ).renamed = f"{x.ticker} is also {same.label}: the same line under another name"
                continue
            if label == winner:
                continue
            fitting = [o for o in others if o.fit in _FITS]
            win = _support(groups[winner]) if winner is not None else (False, 0, 0)
            outnumbered = x.fit == "home" and win[:2] > (True, _support(group)[1])
            foreign_us = x.fit == "us_foreign" and win[0]
            if (x.fit == "misfit" and fitting) or outnumbered or foreign_us:
                right = groups[winner] if winner is not None else fitting
                why = (
                    f"ISIN {x.isin} is from {(x.isin or '??')[:2]} but {x.code} trades in "
                    f"{x.country}"
                    if x.fit == "misfit"
                    else f"{_support(groups[winner])[1]} witnesses name another company"
                    if winner is not None
                    else ""
                )
                _record_blame(x, right, why, out)
                blamed.add(x.key)
    return blamed


def _blame_wrong_market(
    group: list[Listing], by_ticker: dict[str, list[Listing]], out: dict[RowKey, Finding]
) -> set[RowKey]:
    homes = [h for h in group if h.fit == "home"]
    blamed: set[RowKey] = set()
    for x in group:
        if x.fit != "misfit" or (x.key in out and out[x.key].blamed):
            continue
        home = next((h for h in homes if h.ticker != x.ticker), None)
        # A third witness that lists this very ticker with a domestic ISIN of its own.
        local = next(
            (
                y
                for y in by_ticker.get(x.ticker, [])
                if y.witness != x.witness and y.fit == "home" and y.isin != x.isin
            ),
            None,
        )
        if home is None or local is None:
            continue
        why = (
            f"ISIN {x.isin} is the home listing of {home.label}; {x.code} ({x.country}) does "
            f"not list it, and {local.label} gives {x.ticker} the domestic ISIN {local.isin}"
        )
        _record_blame(x, [home], why, out)
        blamed.add(x.key)
    return blamed


def _record_blame(x: Listing, right: list[Listing], why: str, out: dict[RowKey, Finding]) -> None:
    owner = _owner(right) if right else "another company"
    out.setdefault(
        x.key, Finding()
    ).blamed = f"{x.source} is wrong about {x.ticker}: {why}; the ISIN belongs to {owner}"
    for y in right:
        out.setdefault(y.key, Finding()).wrong_elsewhere.append(
            f"{x.source}:{x.source_row} gives this ISIN to {x.ticker} ({x.name or 'no name'})"
        )
