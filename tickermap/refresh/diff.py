"""The changes between a previous map and a refreshed one: added, removed, renamed, field changes.

A ticker of the previous map missing from the new universe, and a new ticker missing from the
previous map, are one *rename* when a key links them on the same exchange code, strongest
first: a witness's rename record (dsignals' overrides), the composite FIGI, the share-class
FIGI, the ISIN, the normalised name. A link counts only when it is one-to-one at its strength
(two old tickers with the new one's ISIN link nothing). Tickers in both get a row per field
whose value changed (``figi_changed``, ``isin_changed``, ``name_changed``, ``yahoo_changed``).
No I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from tickermap import columns as C
from tickermap.names.normalize import normalize_name
from tickermap.tickers.parse import exchange_code

__all__ = ["DIFF_COLUMNS", "LINK_KEYS", "Change", "diff_frame", "find_changes"]

DIFF_COLUMNS = (
    "change", "old_ticker", "new_ticker", "field", "old_value", "new_value", "key", "evidence",
)  # fmt: skip
"""The diff file's columns, one row per change."""
LINK_KEYS = ("renamed_from", C.COMPOSITE_FIGI, C.SHARE_CLASS_FIGI, C.ISIN, C.NAME)
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


def _norm(field: str, value: str | None) -> str | None:
    if not value:
        return None
    return normalize_name(value).text or None if field == C.NAME else value.upper()


def _index(records: Mapping[str, Record], key: str) -> dict[tuple[str | None, str], list[str]]:
    out: dict[tuple[str | None, str], list[str]] = {}
    for ticker, rec in records.items():
        value = _norm(key, rec.get(key))
        if value:
            out.setdefault((exchange_code(ticker), value), []).append(ticker)
    return out


def _renames(
    old: Mapping[str, Record], new: Mapping[str, Record], renamed_from: Mapping[str, str]
) -> list[tuple[str, str, str, str]]:
    """``(old, new, key, value)`` for every one-to-one link, strongest key first."""
    left, right = dict(old), dict(new)
    found = []
    for key in LINK_KEYS:
        if key == "renamed_from":
            pairs = [(o, n, o) for n, o in renamed_from.items() if o in left and n in right]
        else:
            lo, ro = _index(left, key), _index(right, key)
            pairs = [
                (lo[k][0], ro[k][0], k[1])
                for k in lo.keys() & ro.keys()
                if len(lo[k]) == 1 and len(ro[k]) == 1
            ]
        for o, n, value in sorted(pairs):
            if o in left and n in right and exchange_code(o) == exchange_code(n):
                found.append((o, n, key, value))
                del left[o], right[n]
    return found


def find_changes(
    old: Mapping[str, Record],
    new: Mapping[str, Record],
    *,
    renamed_from: Mapping[str, str] | None = None,
    evidence: Mapping[str, str] | None = None,
) -> list[Change]:
    """Every change from ``old`` (previous map, ticker -> fields) to ``new`` (refreshed).

    Args:
        old: the previous map's values per Bloomberg ticker.
        new: the refreshed values per ticker of the new universe.
        renamed_from: new ticker -> old ticker, as a witness recorded it (dsignals overrides).
        evidence: ticker -> the refreshed row's evidence text (shown on its changes).
    """
    ev = evidence or {}
    gone = {t: r for t, r in old.items() if t not in new}
    fresh = {t: r for t, r in new.items() if t not in old}
    links = _renames(gone, fresh, renamed_from or {})
    changes = [
        Change("renamed", o, n, None, o, n, f"{key}={value}", _linked(old[o], new[n], key, value))
        for o, n, key, value in links
    ]
    renamed_old = {o for o, *_ in links}
    renamed_new = {n for _, n, *_ in links}
    changes += [Change("removed", t, None, evidence="not in the new universe")
                for t in sorted(gone) if t not in renamed_old]  # fmt: skip
    changes += [Change("added", None, t, evidence=ev.get(t))
                for t in sorted(fresh) if t not in renamed_new]  # fmt: skip
    pairs = [(t, t) for t in sorted(old.keys() & new.keys())]
    pairs += [(o, n) for o, n, *_ in links]
    for o, n in pairs:
        for field, kind in _FIELDS.items():
            before, after = old[o].get(field), new[n].get(field)
            if before and after and _norm(field, before) != _norm(field, after):
                changes.append(Change(kind, o, n, field, before, after, evidence=ev.get(n)))
    return changes


def _linked(old: Record, new: Record, key: str, value: str) -> str:
    same = [f for f in LINK_KEYS[1:] if _norm(f, old.get(f)) and
            _norm(f, old.get(f)) == _norm(f, new.get(f))]  # fmt: skip
    text = (
        f"a witness records {value} -> the new ticker"
        if key == "renamed_from"
        else f"same {key} {value} on the same exchange"
    )
    return json.dumps({"link": text, "also_same": same}, ensure_ascii=False)


def diff_frame(changes: Sequence[Change]) -> pd.DataFrame:
    """The diff file's frame (:data:`DIFF_COLUMNS`)."""
    rows = [[getattr(c, f) for f in DIFF_COLUMNS] for c in changes]
    return pd.DataFrame(rows, columns=list(DIFF_COLUMNS), dtype="str")
