"""Cross-row checks of a community map that compare company names (private to validation).

Two questions: do rows that share an identifier name the same company
(:func:`name_conflicts`), and is one company name spread over many tickers that share no
identifier (:func:`names_on_many_tickers`, the nine ``KYUNG NONG CORP`` rows)? Names are
Bloomberg short names, often truncated or abbreviated (docs/identifiers-and-matching.md §2.1),
so agreement is deliberately lenient: a conflict is reported only when names clearly differ.

Pure pandas/rapidfuzz over the canonical frame; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence

import pandas as pd
from rapidfuzz import fuzz

from tickermap import columns as C

__all__ = ["agree", "name_conflicts", "name_tokens", "names_on_many_tickers"]

# Legal forms and line suffixes that say nothing about which company it is (§2.1-2.2).
_NOISE_WORDS = (
    "INC CORP CORPORATION CO COMPANY LTD LIMITED PLC SA AG NV SE ASA AB SPA BHD TBK PT PCL "
    "HOLDINGS HOLDING HLDGS GROUP GRP THE CL CLASS REG ADR SAB DE CV PUBL OYJ AS A B C H LLC "
    "LP SCA SGPS SAS BV KK KGAA GMBH TB PUBLIC OF AND"
)
_NOISE = frozenset(_NOISE_WORDS.split())
_SPLIT = re.compile(r"[^A-Z0-9]+")
_MAX_EVIDENCE = 8
AGREE_RATIO = 80
"""token_sort_ratio at or above which two normalised names count as the same company."""
MIN_UNRELATED = 3
"""A name on at least this many unrelated tickers is reported (two share classes are common)."""


def name_tokens(name: object) -> tuple[str, ...]:
    """Upper-case ASCII tokens of a company name without legal-form noise.

    >>> name_tokens("Société BIC S.A.")
    ('SOCIETE', 'BIC')
    """
    if not isinstance(name, str) or not name.strip():
        return ()
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    text = text.replace("&", " AND ").replace(".", "")
    return tuple(t for t in _SPLIT.split(text) if t and t not in _NOISE)


def agree(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two token tuples plausibly name the same company.

    True when either is empty (nothing to compare), when every token of the shorter is a
    prefix of a token of the longer (truncation: ``MERITZ FIRE IN``), or when
    ``token_sort_ratio`` reaches :data:`AGREE_RATIO`.

    >>> agree(("BROOKFIELD",), ("DANONE",)), agree(("TAIWAN", "SEMICON"), ("TAIWAN", "SEMICONDUCTOR", "MANUFACTURING"))
    (False, True)
    """  # noqa: E501
    if not a or not b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if all(any(t.startswith(s) for t in long_) for s in short):
        return True
    return fuzz.token_sort_ratio(" ".join(a), " ".join(b)) >= AGREE_RATIO


def _clusters(items: list[tuple[str, ...]]) -> list[int]:
    """Single-linkage clusters of names under :func:`agree`; returns a label per item."""
    labels = list(range(len(items)))

    def find(i: int) -> int:
        while labels[i] != i:
            labels[i] = labels[labels[i]]
            i = labels[i]
        return i

    for i in range(len(items)):
        for j in range(i):
            if find(i) != find(j) and agree(items[i], items[j]):
                labels[find(i)] = find(j)
    return [find(i) for i in range(len(items))]


def _groups(keys: Sequence[object], rows: Sequence[int]) -> dict[str, list[int]]:
    """Positions of ``rows`` grouped by their (string) key; missing keys are left out."""
    out: dict[str, list[int]] = defaultdict(list)
    for pos in rows:
        key = keys[pos]
        if isinstance(key, str) and key:
            out[key].append(pos)
    return out


def _listing(tickers: Sequence[object], names: Sequence[object], positions: Sequence[int]) -> str:
    parts = [f"{tickers[p]!s} ({names[p]!s})" for p in positions]
    more = len(parts) - _MAX_EVIDENCE
    return "; ".join(parts[:_MAX_EVIDENCE]) + (f"; and {more} more" if more > 0 else "")


def name_conflicts(frame: pd.DataFrame, ids: pd.Series, column: str) -> pd.DataFrame:
    """Rows that share a (valid) identifier with a row naming a different company.

    Args:
        frame: the canonical map frame (with the parsed ``_code`` column).
        ids: the normalised identifier per row (NA where missing or invalid).
        column: the identifier's column name, for the messages.

    Returns:
        ``detail``, ``evidence`` and ``same_exchange`` (every other company is on this row's
        exchange) per flagged row, indexed like ``frame``.
    """
    names, tickers = frame[C.NAME].tolist(), frame[C.BLOOMBERG_TICKER].tolist()
    codes, index = frame["_code"].tolist(), frame.index.tolist()
    named = [p for p, n in enumerate(names) if isinstance(n, str) and n.strip()]
    records: dict[object, tuple[str, str, bool]] = {}
    for value, members in _groups(ids.tolist(), named).items():
        if len(members) < 2:
            continue
        labels = _clusters([name_tokens(names[p]) for p in members])
        companies = len(set(labels))
        if companies < 2:
            continue
        for pos, label in zip(members, labels, strict=True):
            others = [p for p, lab in zip(members, labels, strict=True) if lab != label]
            detail = f"{column} {value} is on {len(members)} rows naming {companies} companies"
            # All on one exchange: usually a rename or a recycled ticker left a stale row.
            same = all(codes[p] == codes[pos] for p in others)
            if same:
                detail += " on the same exchange (a rename or a recycled ticker?)"
            evidence = "other companies: " + _listing(tickers, names, others)
            records[index[pos]] = (detail, evidence, same)
    return pd.DataFrame.from_dict(
        records, orient="index", columns=["detail", "evidence", "same_exchange"]
    )


def _unrelated_groups(members: list[int], keys: Sequence[Sequence[object]]) -> int:
    """Connected components of ``members`` (positions), linked by equal ``keys`` values."""
    parent = {p: p for p in members}

    def find(p: int) -> int:
        while parent[p] != p:
            p = parent[p]
        return p

    for column in keys:
        for linked in _groups(column, members).values():
            root = find(linked[0])
            for other in linked[1:]:
                parent[find(other)] = root
    return len({find(p) for p in members})


def names_on_many_tickers(frame: pd.DataFrame, ids: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Rows whose exact company name sits on :data:`MIN_UNRELATED`+ tickers sharing no identifier.

    Rows are related when they share any valid identifier (ISIN, FIGI, composite, share class)
    or the ticker root (cross-listings); unrelated groups under one name suggest the name was
    copied onto neighbouring tickers.

    Args:
        frame: the canonical map frame (with the parsed ``_root`` column).
        ids: normalised identifier per column (NA where missing or invalid).

    Returns:
        ``detail`` and ``evidence`` per flagged row, indexed like ``frame``.
    """
    keys = [" ".join(n.upper().split()) if isinstance(n, str) else None for n in frame[C.NAME]]
    links = [s.tolist() for s in ids.values()] + [frame["_root"].tolist()]
    tickers, index = frame[C.BLOOMBERG_TICKER].tolist(), frame.index.tolist()
    records: dict[object, tuple[str, str]] = {}
    for name, members in _groups(keys, range(len(keys))).items():
        if len(members) < MIN_UNRELATED:
            continue
        unrelated = _unrelated_groups(members, links)
        if unrelated < MIN_UNRELATED:
            continue
        detail = f"name {name!r} is on {len(members)} tickers in {unrelated} unrelated groups"
        evidence = "tickers: " + ", ".join(str(tickers[p]) for p in members[:20])
        for pos in members:
            records[index[pos]] = (detail, evidence)
    return pd.DataFrame.from_dict(records, orient="index", columns=["detail", "evidence"])
