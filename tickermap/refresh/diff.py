"""The changes between a previous map and a refreshed one: added, removed, renamed, field changes.

A ticker of the previous map missing from the new universe, and a new ticker missing from the
previous map, are one *rename* when :func:`tickermap.refresh.link.find_links` links them on the
same exchange code (rename record, shared symbol, identifiers, fuzzy names; each rename row says
its key and strength); a link too weak or ambiguous to apply is a ``possible_rename`` row, and
both tickers stay ``removed``/``added``. Tickers in both get a row per field whose value changed
(``figi_changed``, ``isin_changed``, ``name_changed``, ``yahoo_changed``).
No I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from tickermap import columns as C
from tickermap.names.normalize import normalize_name
from tickermap.refresh.facts import TickerEvidence, merge_facts
from tickermap.refresh.link import KEYS, Link, find_links

__all__ = ["DIFF_COLUMNS", "LINK_KEYS", "Change", "diff_frame", "find_changes"]

DIFF_COLUMNS = (
    "change", "old_ticker", "new_ticker", "field", "old_value", "new_value", "key", "strength",
    "evidence",
)  # fmt: skip
"""The diff file's columns, one row per change."""
LINK_KEYS = KEYS
"""Keys that link an old ticker to a new one (a rename), strongest first."""
_FIELDS = {
    C.COMPOSITE_FIGI: "figi_changed",
    C.ISIN: "isin_changed",
    C.NAME: "name_changed",
    C.YAHOO: "yahoo_changed",
}
Record = Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class Change:
    """One row of the diff (see :data:`DIFF_COLUMNS`)."""

    change: str
    old_ticker: str | None
    new_ticker: str | None
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    key: str | None = None
    evidence: str | None = None
    strength: str | None = None


def _norm(field: str, value: str | None) -> str | None:
    if not value:
        return None
    return normalize_name(value).text or None if field == C.NAME else value.upper()


def find_changes(
    old: Mapping[str, Record],
    new: Mapping[str, Record],
    *,
    renamed_from: Mapping[str, str] | None = None,
    evidence: Mapping[str, str] | None = None,
    facts: Mapping[str, TickerEvidence] | None = None,
    fuzzy: bool = True,
) -> list[Change]:
    """Every change from ``old`` (previous map, ticker -> fields) to ``new`` (refreshed).

    Args:
        old: the previous map's values per Bloomberg ticker.
        new: the refreshed values per ticker of the new universe.
        renamed_from: new ticker -> old ticker, as a witness recorded it (dsignals overrides).
        evidence: ticker -> the refreshed row's evidence text (shown on its changes).
        facts: what the witnesses say per ticker (:func:`~tickermap.refresh.facts.
            facts_from_maps`), the evidence renames are linked by besides the records.
        fuzzy: False links by exact keys only (see :func:`~tickermap.refresh.link.find_links`).
    """
    ev = evidence or {}
    known = facts or {}
    gone = merge_facts({t: r for t, r in old.items() if t not in new}, known, "previous map")
    fresh = merge_facts({t: r for t, r in new.items() if t not in old}, known, "refreshed row")
    links, possible = find_links(gone, fresh, renamed_from=renamed_from, fuzzy=fuzzy)
    changes = [_renamed(x) for x in links]
    renamed_old = {x.old for x in links}
    renamed_new = {x.new for x in links}
    changes += [Change("removed", t, None, evidence="not in the new universe")
                for t in sorted(gone) if t not in renamed_old]  # fmt: skip
    changes += [Change("added", None, t, evidence=ev.get(t))
                for t in sorted(fresh) if t not in renamed_new]  # fmt: skip
    changes += [_renamed(x, "possible_rename") for x in possible]
    pairs = [(t, t) for t in sorted(old.keys() & new.keys())]
    pairs += [(x.old, x.new) for x in links]
    for o, n in pairs:
        for field, kind in _FIELDS.items():
            before, after = old[o].get(field), new[n].get(field)
            if before and after and _norm(field, before) != _norm(field, after):
                changes.append(Change(kind, o, n, field, before, after, evidence=ev.get(n)))
    return changes


def _renamed(link: Link, change: str = "renamed") -> Change:
    if link.key == "renamed_from":
        text = f"a witness records {link.value} -> the new ticker"
    elif link.key == C.NAME:
        text = f"names alike (score {link.name_score:g}) on the same exchange"
    else:
        text = f"same {link.key} {link.value} on the same exchange"
    also = [k for k in KEYS if k in link.evidence and k != link.key]
    body = {"link": text, "also_same": also, **link.evidence}
    return Change(change, link.old, link.new, None, link.old, link.new, f"{link.key}={link.value}",
                  json.dumps(body, ensure_ascii=False, sort_keys=True), link.strength)  # fmt: skip


def diff_frame(changes: Sequence[Change]) -> pd.DataFrame:
    """The diff file's frame (:data:`DIFF_COLUMNS`)."""
    rows = [[getattr(c, f) for f in DIFF_COLUMNS] for c in changes]
    return pd.DataFrame(rows, columns=list(DIFF_COLUMNS), dtype="str")
