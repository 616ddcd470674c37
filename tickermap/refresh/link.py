"""Link tickers gone from the universe to new ones: renames, with the key and their strength.

Candidates pair a gone ticker with a new one **on the same exchange code**. Each pair gathers
its evidence (:class:`~tickermap.refresh.facts.TickerEvidence` of both sides): a witness's rename
record (``renamed_from``), a shared data-provider symbol (``symbol``: a witness gives the old
ticker the new one's Yahoo/EODHD symbol), shared identifiers (composite FIGI, share-class FIGI,
ISIN), the fuzzy similarity of the normalised names (rapidfuzz token_set and token_sort on
:func:`tickermap.names.normalize.normalize_name` text, legal forms and generic corporate words
removed), and the similarity of the ticker roots (supporting evidence only, never alone).

Strength: ``strong`` (rename record; shared symbol; an identifier corroborated by a second
identifier, the names or the roots), ``medium`` (an identifier where no name can contradict it;
names alike at :data:`NAME_SURE` or more), ``weak`` (names alike at :data:`NAME_LIKELY` plus
similar roots); a link by names alone also needs a whole word the names share. Links are
one-to-one: strongest tier first, a pair is kept when each side is
the other's clear best (by key, then by :data:`MARGIN` name points over the runner-up). The
rest are ``possible`` (listed, never applied): an identifier the names contradict, a share-class
sibling (``ERICB`` / ``ERICA``, ``USIM3`` / ``USIM6``, ``PINFRA*`` / ``PINFRAL``), an LSE
order-book line (``0LQQ``) against an ordinary one, names spelt alike without a word in common
(``KOKUYO`` / ``KYOKUYO``), two listings by one witness's own word (it gives the two tickers
different composite FIGIs, or different ISINs, and none in common: a ticker change keeps both),
a tie, names alike without support. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from tickermap import columns as C
from tickermap.names.normalize import normalize_name
from tickermap.refresh.facts import ID_KEYS, SYMBOL, TickerEvidence
from tickermap.tickers.parse import exchange_code

__all__ = [
    "KEYS", "MARGIN", "NAME_LIKELY", "NAME_SURE", "STRENGTHS", "Link", "find_links",
    "other_line", "root_similarity", "share_class_siblings", "two_listings",
]  # fmt: skip

KEYS = ("renamed_from", SYMBOL, *ID_KEYS, C.NAME)
"""Keys that link an old ticker to a new one, strongest first."""
STRENGTHS = ("strong", "medium", "weak")
"""Strengths of an applied link, strongest first (``possible`` links are never applied)."""
NAME_SURE, NAME_LIKELY, NAME_FLOOR, ROOT_SUPPORT, MARGIN = 92.0, 80.0, 70.0, 0.6, 5.0
_SHARED = "shared_in_one_witness"
_GENERIC = frozenset(
    {
        "ab", "as", "asa", "co", "company", "corp", "corporation", "group", "groupe", "holding",
        "holdings", "inc", "limited", "ltd", "plc", "publ", "sa", "se", "ag", "nv", "the", "class",
        "series", "shares", "share", "ord",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Link:
    """One candidate rename: the key that links it, its value, strength and evidence."""

    old: str
    new: str
    key: str
    value: str
    strength: str
    name_score: float
    evidence: dict[str, object]


def _texts(facts: TickerEvidence) -> list[str]:
    return list(_texts_of(tuple(sorted(facts.get(C.NAME)))))


@lru_cache(maxsize=65536)
def _texts_of(names: tuple[str, ...]) -> tuple[str, ...]:
    """Normalised names without legal forms and generic corporate words (memoised)."""
    out = []
    for raw in names:
        words = [t for t in normalize_name(raw).tokens if t not in _GENERIC]
        if words:
            out.append(" ".join(words))
    return tuple(sorted(set(out)))


def _share_classes(facts: TickerEvidence) -> set[str]:
    return {c for raw in facts.get(C.NAME) if (c := _share_class(raw))}


@lru_cache(maxsize=65536)
def _share_class(raw: str) -> str | None:
    return normalize_name(raw).share_class


def _root(ticker: str) -> str:
    return "".join(ch for ch in ticker.rsplit(" ", 1)[0] if ch.isalnum()).upper()


def root_similarity(old: str, new: str) -> float:
    """0-1 similarity of two tickers' roots (0 for numeric codes: their digits say nothing).

    >>> root_similarity("AKA NO", "AKAST NO"), root_similarity("7203 JP", "7204 JP")
    (0.8, 0.0)
    """
    a, b = _root(old), _root(new)
    if not a or not b or a.isdigit() or b.isdigit():
        return 0.0
    prefix = 0.8 if min(len(a), len(b)) >= 2 and (a.startswith(b) or b.startswith(a)) else 0.0
    return round(max(prefix, fuzz.ratio(a, b) / 100), 3)


def share_class_siblings(old: str, new: str, a: TickerEvidence, b: TickerEvidence) -> bool:
    """True when the two tickers look like two share classes of one issuer (``ERICB``/``ERICA``).

    >>> share_class_siblings("ERICB SS", "ERICA SS", TickerEvidence(), TickerEvidence())
    True
    >>> e = TickerEvidence()
    >>> share_class_siblings("USIM3 BZ", "USIM6 BZ", e, e)
    True
    >>> share_class_siblings("7203 JP", "7204 JP", e, e)
    False
    """
    ra, rb = _root(old), _root(new)
    letters = set("ABCDKLNRSUV")
    if len(ra) == len(rb) >= 3 and ra[:-1] == rb[:-1] and ra != rb and {ra[-1], rb[-1]} <= letters:
        return True
    # Brazilian class digits (USIM3/USIM5/USIM6) and the Mexican series mark (PINFRA*/PINFRAL)
    xa, xb = (t.rsplit(" ", 1)[0].upper() for t in (old, new))
    marks = letters | set("3456*")
    stem = xa[:-1]
    alpha = any(c.isalpha() for c in stem)
    same_stem = len(xa) == len(xb) >= 4 and stem == xb[:-1] and xa != xb and alpha
    if same_stem and {xa[-1], xb[-1]} <= marks:
        return True
    ca, cb = _share_classes(a), _share_classes(b)
    return bool(ca and cb and not ca & cb)


def other_line(old: str, new: str) -> bool:
    """True when one ticker is an LSE international order-book line (``0LQQ LN``) and the other
    is not: two lines of one issuer's shares (or two issuers), never a ticker change.

    >>> other_line("VOD LN", "0LQQ LN"), other_line("GVC LN", "ENT LN")
    (True, False)
    """
    if exchange_code(old) != "LN" or exchange_code(new) != "LN":
        return False
    ra, rb = _root(old), _root(new)
    iob = [len(r) == 4 and r[0] == "0" and not r.isdigit() for r in (ra, rb)]
    return iob[0] != iob[1]


def _shared_word(a: list[str], b: list[str]) -> bool:
    """True when the two sides' names share a whole word of 3 letters or more."""
    words = {w for x in a for w in x.split() if len(w) >= 3}
    return any(w in words for y in b for w in y.split())


def _by_source(values: Mapping[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for value, sources in values.items():
        for source in sources:
            out.setdefault(source, set()).add(value)
    return out


def two_listings(a: TickerEvidence, b: TickerEvidence) -> str | None:
    """Why one witness says the two tickers are two listings (None when none does).

    A witness that gives both tickers a composite FIGI (or an ISIN), and only different ones,
    lists two securities: a ticker change keeps both identifiers.

    >>> x, y = TickerEvidence(), TickerEvidence()
    >>> x.add("composite_figi", "BBG000C1P586", "m.csv")
    >>> y.add("composite_figi", "BBG00M4JW3H5", "m.csv")
    >>> two_listings(x, y)
    'm.csv gives them different composite_figi values'
    """
    for key in (C.COMPOSITE_FIGI, C.ISIN):
        mine, theirs = _by_source(a.get(key)), _by_source(b.get(key))
        for source in sorted(mine.keys() & theirs.keys()):
            if not mine[source] & theirs[source]:
                return f"{source} gives them different {key} values"
    return None


def _name_score(a: list[str], b: list[str]) -> float:
    best = 0.0
    for x in a:
        for y in b:
            best = max(best, (fuzz.token_set_ratio(x, y) + fuzz.token_sort_ratio(x, y)) / 2)
    return round(best, 1)


def _by_code(tickers: Mapping[str, TickerEvidence]) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for t in sorted(tickers):
        out.setdefault(exchange_code(t), []).append(t)
    return out


def _name_pairs(
    gone: Mapping[str, TickerEvidence], fresh: Mapping[str, TickerEvidence]
) -> set[tuple[str, str]]:
    """Same-code pairs whose names are alike at :data:`NAME_FLOOR` or more (rapidfuzz cdist)."""
    pairs: set[tuple[str, str]] = set()
    fresh_codes = _by_code(fresh)
    for code, olds in _by_code(gone).items():
        left = [(t, x) for t in olds for x in _texts(gone[t])]
        right = [(t, x) for t in fresh_codes.get(code, []) for x in _texts(fresh[t])]
        if not left or not right:
            continue
        scores = process.cdist([x for _, x in left], [x for _, x in right],
                               scorer=fuzz.token_set_ratio, score_cutoff=NAME_FLOOR)  # fmt: skip
        for i, j in zip(*scores.nonzero(), strict=True):
            pairs.add((left[int(i)][0], right[int(j)][0]))
    return pairs


def _candidates(
    gone: Mapping[str, TickerEvidence],
    fresh: Mapping[str, TickerEvidence],
    renamed_from: Mapping[str, str],
    fuzzy: bool,
) -> dict[tuple[str, str], dict[str, list[str]]]:
    """``(old, new) -> key -> the shared values``, for every same-code pair any key links."""
    found: dict[tuple[str, str], dict[str, list[str]]] = {}

    def add(o: str, n: str, key: str, value: str) -> None:
        if exchange_code(o) == exchange_code(n):
            found.setdefault((o, n), {}).setdefault(key, []).append(value)

    for n, o in renamed_from.items():
        if o in gone and n in fresh:
            add(o, n, "renamed_from", o)
    keys = [*ID_KEYS, SYMBOL] if fuzzy else list(ID_KEYS)
    for key in keys:
        index: dict[str, list[tuple[str, set[str]]]] = {}
        for n, facts in fresh.items():
            for value, sources in facts.get(key).items():
                index.setdefault(value, []).append((n, sources))
        for o, facts in gone.items():
            for value, sources in facts.get(key).items():
                for n, theirs in index.get(value, []):
                    add(o, n, key, value)
                    # One witness giving an identifier to both tickers lists two live listings
                    # with it (a copy error, or two lines): it needs the names or the roots.
                    if fuzzy and key != SYMBOL and sources & theirs and (o, n) in found:
                        found[(o, n)].setdefault(_SHARED, []).append(key)
    if fuzzy:
        for pair in _name_pairs(gone, fresh):
            found.setdefault(pair, {})
    else:
        for o, n in _exact_names(gone, fresh):
            add(o, n, C.NAME, _texts(gone[o])[0])
    return found


def _exact_names(
    gone: Mapping[str, TickerEvidence], fresh: Mapping[str, TickerEvidence]
) -> list[tuple[str, str]]:
    index: dict[tuple[str | None, str], list[str]] = {}
    for n, facts in fresh.items():
        for text in _texts(facts):
            index.setdefault((exchange_code(n), text), []).append(n)
    return [(o, n) for o, facts in gone.items() for text in _texts(facts)
            for n in index.get((exchange_code(o), text), [])]  # fmt: skip


def _classify(
    o: str, n: str, keys: dict[str, list[str]], a: TickerEvidence, b: TickerEvidence, fuzzy: bool
) -> Link | None:
    """The pair's strongest key, its strength (or ``possible``) and evidence; None: no link."""
    score = _name_score(_texts(a), _texts(b))
    root = root_similarity(o, n)
    ids = [k for k in ID_KEYS if k in keys]
    evidence: dict[str, object] = {k: sorted(set(v)) for k, v in keys.items()}
    evidence.update(name_score=score, root_similarity=root)
    if not fuzzy:
        key = next((k for k in KEYS if k in keys), None)
        if key is None:
            return None
        strength = "medium" if key == C.NAME else "strong"
        return Link(o, n, key, keys[key][0], strength, score, evidence)
    named = bool(_texts(a)) and bool(_texts(b))
    worded = _shared_word(_texts(a), _texts(b))
    supported = score >= NAME_LIKELY or root >= ROOT_SUPPORT
    key = next((k for k in KEYS if k in keys), C.NAME)
    value = keys[key][0] if key in keys else f"{score:g}"
    if "renamed_from" in keys or SYMBOL in keys:
        strength = "strong"
    elif share_class_siblings(o, n, a, b):
        strength, evidence["why_possible"] = "possible", "share-class sibling"
    elif other_line(o, n):
        strength, evidence["why_possible"] = "possible", "an LSE order-book line (0XXX)"
    elif why := two_listings(a, b):
        strength, evidence["why_possible"] = "possible", why
    elif own := [k for k in ids if k not in keys.get(_SHARED, [])]:
        if len(own) >= 2 or supported:
            strength = "strong"
        elif not named:
            strength = "medium"
        else:
            strength = "possible"
            evidence["why_possible"] = "one identifier only, the names and roots disagree"
    elif ids:
        strength = "strong" if supported else "possible"
        if not supported:
            evidence["why_possible"] = "one witness gives the identifier to both tickers"
    elif score >= NAME_SURE and worded:
        strength = "medium"
    elif score >= NAME_LIKELY and root >= ROOT_SUPPORT and worded:
        strength = "weak"
    elif score >= NAME_LIKELY or (score >= NAME_FLOOR and root >= ROOT_SUPPORT):
        why = "names alike, nothing else" if worded else "names spelt alike, no word in common"
        strength, evidence["why_possible"] = "possible", why
    else:
        return None
    return Link(o, n, key, value, strength, score, evidence)


def _rank(link: Link) -> tuple[int, float]:
    return (-KEYS.index(link.key), link.name_score)


def _clear_best(link: Link, rivals: list[Link]) -> bool:
    """True when ``link`` beats every rival by key, or by :data:`MARGIN` name points."""
    for r in rivals:
        if r is link:
            continue
        mine, theirs = _rank(link), _rank(r)
        if mine[0] < theirs[0] or (mine[0] == theirs[0] and mine[1] - theirs[1] < MARGIN):
            return False
    return True


def _assign(links: list[Link]) -> tuple[list[Link], list[Link]]:
    """One-to-one by tier: ``(applied, possible)``."""
    applied: list[Link] = []
    used_old: set[str] = set()
    used_new: set[str] = set()
    unclear: list[Link] = []
    for tier in STRENGTHS:
        live = [x for x in links if x.strength == tier and x.old not in used_old
                and x.new not in used_new]  # fmt: skip
        by_old: dict[str, list[Link]] = {}
        by_new: dict[str, list[Link]] = {}
        for x in live:
            by_old.setdefault(x.old, []).append(x)
            by_new.setdefault(x.new, []).append(x)
        for x in sorted(live, key=lambda x: (x.old, x.new)):
            if _clear_best(x, by_old[x.old]) and _clear_best(x, by_new[x.new]):
                applied.append(x)
                used_old.add(x.old)
                used_new.add(x.new)
            else:
                unclear.append(x)
    rest = [x for x in links if x.strength == "possible"] + unclear
    possible = [
        x if x.strength == "possible" else _tie(x)
        for x in rest
        if x.old not in used_old and x.new not in used_new
    ]
    return applied, sorted(possible, key=lambda x: (x.old, x.new))


def _tie(link: Link) -> Link:
    evidence = {**link.evidence, "why_possible": f"ambiguous: another {link.strength} link fits"}
    return Link(link.old, link.new, link.key, link.value, "possible", link.name_score, evidence)


def find_links(
    gone: Mapping[str, TickerEvidence],
    fresh: Mapping[str, TickerEvidence],
    *,
    renamed_from: Mapping[str, str] | None = None,
    fuzzy: bool = True,
) -> tuple[list[Link], list[Link]]:
    """``(renames, possible renames)`` from tickers gone to tickers new, one-to-one.

    Args:
        gone: facts of the previous map's tickers missing from the new universe.
        fresh: facts of the new universe's tickers missing from the previous map.
        renamed_from: new ticker -> old ticker, as a witness recorded it (dsignals overrides).
        fuzzy: False links by exact keys only (rename record, identifiers, equal normalised
            names), every such link applied when one-to-one: the reference rules.
    """
    pairs = _candidates(gone, fresh, renamed_from or {}, fuzzy)
    links = [
        link
        for (o, n), keys in sorted(pairs.items())
        if (link := _classify(o, n, keys, gone[o], fresh[n], fuzzy)) is not None
    ]
    return _assign(links)
