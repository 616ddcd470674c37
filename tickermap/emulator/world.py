"""The emulator's world: FIGI records, their indexes, and the lookups the emulator answers.

A world file is JSON ``{"synthetic": true, "note": str, "records": [...], "values": {...}}``
with the optional world options ``delisted_answer`` and ``events`` (below).
A record carries the API's own result fields (``figi``, ``name``, ``ticker``, ``exchCode``,
``compositeFIGI``, ``shareClassFIGI``, ``securityType``, ``securityType2``, ``marketSector``,
``securityDescription``) plus the identifier lists it answers (``isins``, ``cusips``, ``sedols``).
Optional extras, never sent back: ``micCode`` and ``currency`` (for those filters; otherwise derived
from the exchange code) and ``delisted``.

How a delisted record answers (:data:`DELISTED_ANSWERS`; a record's ``delisted`` may name one,
``true`` means the world's ``delisted_answer``, default ``last_ticker``):

- ``nothing`` (OBSERVED: openfigi-api.md "Delisted FIGIs", OpenFIGI/api-examples#24: the FIGI of
  the delisted TWX returned ``No identifier found.``): no answer by ticker, FIGI, ISIN, CUSIP,
  SEDOL, search or filter;
- ``placeholder`` (ASSUMED: Bloomberg's re-tick of a dead line, e.g. ``1234567D``, seen in
  community maps, never recorded from the API): answers by FIGI and the other identifiers with the
  record's ``placeholder`` ticker (or one derived from the FIGI), never by its old ticker;
- ``last_ticker`` (ASSUMED, the emulator's earlier behaviour): answers by FIGI and identifiers with
  its last ticker, not by ticker, search or filter.

``events`` rewrites records at load, so one base world serves every variant::

    {"event": "delisted", "figi": COMPOSITE, "answer": "nothing", "placeholder": "1234567D"}
    {"event": "renamed", "figi": COMPOSITE, "ticker": "NEWN"}                 # ticker only
    {"event": "renamed", "figi": COMPOSITE, "ticker": "NEWN", "name": "NEW CO"}  # full rename

(``figi`` names a composite: the event applies to it and its venue rows.) A rename leaves the
FIGIs and identifiers as they are; the old ticker then answers nothing (openfigi-api.md "Ticker and
date": ``IIVI US`` gave ``No identifier found.`` after IIVI became COHR).

This module only models data: it knows nothing about HTTP, status codes or rate limits. Every
lookup is a dict access, so a world of many thousand tickers answers in microseconds.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tickermap.errors import InputError

__all__ = [
    "DELISTED_ANSWERS",
    "FILTER_KEYS",
    "RESULT_FIELDS",
    "World",
    "apply_events",
    "placeholder_for",
]

RESULT_FIELDS = (
    "figi",
    "name",
    "ticker",
    "exchCode",
    "compositeFIGI",
    "securityType",
    "marketSector",
    "shareClassFIGI",
    "securityType2",
    "securityDescription",
)
"""The fields of one FigiResult, in the order the real API sends them."""

FILTER_KEYS = (
    "exchCode",
    "micCode",
    "currency",
    "marketSecDes",
    "securityType",
    "securityType2",
    "includeUnlistedEquities",
)
"""The CommonSearchMappingRequest filters the world applies (others are accepted and ignored)."""

_MIC_BY_EXCH = {
    "UN": "XNYS", "UW": "XNGS", "UQ": "XNMS", "UR": "XNCM", "UA": "XASE", "UP": "ARCX",
    "PQ": "OTCM", "LN": "XLON", "KP": "XKRX", "KQ": "XKOS", "KE": "XKON", "JT": "XTKS",
    "JO": "XOSE", "HK": "XHKG", "TT": "XTAI", "CT": "XTSE", "CV": "XTSX", "GY": "XETR",
    "GF": "XFRA", "FP": "XPAR", "AT": "XASX", "SS": "XSTO", "SE": "XSWX", "NA": "XAMS",
    "IM": "XMIL", "SP": "XSES",
}  # fmt: skip
_CURRENCY_BY_COMPOSITE = {
    "US": "USD", "LN": "GBp", "KS": "KRW", "JP": "JPY", "HK": "HKD", "TT": "TWD", "CN": "CAD",
    "GR": "EUR", "FP": "EUR", "NA": "EUR", "IM": "EUR", "AU": "AUD", "SS": "SEK", "SW": "CHF",
    "SP": "SGD",
}  # fmt: skip
_UNLISTED = "NOT LISTED"

DELISTED_ANSWERS = ("nothing", "placeholder", "last_ticker")
"""How a delisted record answers (module docstring): observed first, then the assumed ones."""
_EVENT_KINDS = ("delisted", "renamed")


def placeholder_for(figi: str) -> str:
    """A Bloomberg-style placeholder ticker for a delisted line: seven digits and ``D``.

    >>> placeholder_for("BBG000000001") == placeholder_for("BBG000000001")
    True
    """
    digits = int(hashlib.sha256(figi.encode()).hexdigest()[:12], 16) % 9_000_000 + 1_000_000
    return f"{digits}D"


def _event_error(n: int, message: str, value: object) -> InputError:
    return InputError(f"world event {n}: {message}", column="events", value=repr(value)[:80])


def apply_events(
    records: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Records with the world ``events`` applied (see the module docstring); inputs untouched."""
    out = [dict(r) for r in records]
    for n, ev in enumerate(events, start=1):
        if not isinstance(ev, Mapping) or ev.get("event") not in _EVENT_KINDS:
            raise _event_error(n, f"'event' must be one of {list(_EVENT_KINDS)}", ev)
        figi = ev.get("figi")
        group = [r for r in out if figi in (r.get("compositeFIGI"), r["figi"])]
        if not group:
            raise _event_error(n, f"no record has FIGI {figi!r}", ev)
        if ev["event"] == "delisted":
            answer = ev.get("answer", "nothing")
            if answer not in DELISTED_ANSWERS:
                raise _event_error(n, f"'answer' must be one of {list(DELISTED_ANSWERS)}", ev)
            for r in group:
                r["delisted"] = answer
                if ev.get("placeholder"):
                    r["placeholder"] = str(ev["placeholder"])
            continue
        if not isinstance(ev.get("ticker"), str) or not ev["ticker"].strip():
            raise _event_error(n, "a rename needs the new 'ticker'", ev)
        for r in group:
            r["ticker"] = r["securityDescription"] = ev["ticker"].strip()
            if ev.get("name"):
                r["name"] = str(ev["name"])
    return out


def _delisted_mode(record: Mapping[str, Any], default: str) -> str | None:
    """The record's delisted answer (None when it is listed)."""
    flag = record.get("delisted")
    if not flag:
        return None
    mode = flag if isinstance(flag, str) else default
    if mode not in DELISTED_ANSWERS:
        raise InputError(
            f"record {record.get('figi')}: 'delisted' must be true, false or one of "
            f"{list(DELISTED_ANSWERS)}",
            column="delisted",
            value=repr(flag)[:80],
        )
    return mode


class World:
    """An immutable set of FIGI records with dict indexes for every lookup the emulator serves.

    Build it with :meth:`load` (a world file) or :meth:`from_records`. Result lists keep fixture
    order by composite group: the group that appears first comes first, its composite row
    (``figi == compositeFIGI``) leads, then its venue rows in file order.
    """

    def __init__(
        self,
        records: Sequence[Mapping[str, Any]],
        values: Mapping[str, Sequence[str]] | None,
        *,
        delisted_answer: str = "last_ticker",
    ) -> None:
        if delisted_answer not in DELISTED_ANSWERS:
            raise InputError(
                f"delisted_answer must be one of {list(DELISTED_ANSWERS)}",
                column="delisted_answer",
                value=repr(delisted_answer)[:80],
            )
        self.delisted_answer = delisted_answer
        self._raw = [dict(r) for r in records]
        self._mode = [_delisted_mode(r, delisted_answer) for r in self._raw]
        self.results: list[dict[str, Any]] = [
            {f: r.get(f) for f in RESULT_FIELDS} for r in self._raw
        ]
        for i, mode in enumerate(self._mode):
            if mode == "placeholder":
                tick = self._raw[i].get("placeholder") or placeholder_for(
                    self._raw[i].get("compositeFIGI") or self._raw[i]["figi"]
                )
                self.results[i]["ticker"] = self.results[i]["securityDescription"] = tick
        self._order = self._sort_keys()
        self._index: dict[str, dict[str, list[int]]] = {
            name: defaultdict(list)
            for name in ("ticker", "figi", "composite", "share_class", "isin", "cusip", "sedol")
        }
        for i in sorted(range(len(self._raw)), key=self._order.__getitem__):
            self._add(i)
        self.values = {k: list(v) for k, v in (values or {}).items()}

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        values: Mapping[str, Sequence[str]] | None = None,
        *,
        delisted_answer: str = "last_ticker",
        events: Sequence[Mapping[str, Any]] = (),
    ) -> World:
        """Build a world from record dicts (the world-file ``records`` list).

        Args:
            records: the records.
            values: ``/mapping/values`` lists by key.
            delisted_answer: how records with ``delisted: true`` answer
                (:data:`DELISTED_ANSWERS`).
            events: world events applied first (:func:`apply_events`).
        """
        rows = list(records)
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, Mapping) or not isinstance(row.get("figi"), str):
                raise InputError(
                    f"world record {n} has no 'figi' string; every record needs one",
                    column="figi",
                    value=repr(row)[:80],
                )
        final = apply_events(rows, events) if events else rows
        return cls(final, values, delisted_answer=delisted_answer)

    @classmethod
    def load(cls, path: str | Path) -> World:
        """Read a world JSON file (see the module docstring for the format)."""
        path = Path(path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read the world file: {exc}", path=path) from exc
        except json.JSONDecodeError as exc:
            raise InputError(
                f"the world file is not valid JSON ({exc.msg} at character {exc.colno}); "
                "fix or regenerate it",
                path=path,
                line=exc.lineno,
            ) from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
            raise InputError(
                'a world file is a JSON object with a "records" list', path=path, column="records"
            )
        values = doc.get("values")
        events = doc.get("events") or []
        if not isinstance(events, list):
            raise InputError('"events" must be a list', path=path, column="events")
        try:
            return cls.from_records(
                doc["records"],
                values if isinstance(values, dict) else None,
                delisted_answer=str(doc.get("delisted_answer", "last_ticker")),
                events=events,
            )
        except InputError as exc:
            raise InputError(str(exc), path=path, column=exc.column or "records") from exc

    def _sort_keys(self) -> list[tuple[int, int, int]]:
        first_seen: dict[str, int] = {}
        for i, r in enumerate(self._raw):
            first_seen.setdefault(r.get("compositeFIGI") or r["figi"], i)
        return [
            (
                first_seen[r.get("compositeFIGI") or r["figi"]],
                0 if r["figi"] == r.get("compositeFIGI") else 1,
                i,
            )
            for i, r in enumerate(self._raw)
        ]

    def _add(self, i: int) -> None:
        r = self._raw[i]
        idx = self._index
        mode = self._mode[i]
        if mode == "nothing":
            return  # observed: a delisted FIGI answers nothing at all
        if mode is None and r.get("ticker"):
            idx["ticker"][str(r["ticker"]).upper()].append(i)
        idx["figi"][r["figi"]].append(i)
        if r.get("compositeFIGI"):
            idx["composite"][r["compositeFIGI"]].append(i)
        if r.get("shareClassFIGI"):
            idx["share_class"][r["shareClassFIGI"]].append(i)
        for field, name in (("isins", "isin"), ("cusips", "cusip"), ("sedols", "sedol")):
            for value in r.get(field) or ():
                idx[name][str(value).upper()].append(i)

    def mic(self, i: int) -> str | None:
        """The MIC of record ``i``: its own ``micCode`` or the one of its exchange code."""
        r = self._raw[i]
        return r.get("micCode") or _MIC_BY_EXCH.get(r.get("exchCode") or "")

    def currency(self, i: int) -> str | None:
        """The trading currency of record ``i``: its own ``currency`` or its market's."""
        r = self._raw[i]
        if r.get("currency"):
            return str(r["currency"])
        comp = self._index["figi"].get(r.get("compositeFIGI") or "", [i])
        return _CURRENCY_BY_COMPOSITE.get(self._raw[comp[0]].get("exchCode") or "")

    # -- lookups ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._raw)

    @property
    def records(self) -> list[dict[str, Any]]:
        """Copies of the records as given (with identifier lists and extras)."""
        return [dict(r) for r in self._raw]

    def find(self, index: str, value: str) -> list[int]:
        """Record positions for one identifier, in result order.

        Args:
            index: ``ticker``, ``figi``, ``composite``, ``share_class``, ``isin``, ``cusip`` or
                ``sedol``.
            value: the identifier (tickers and ISIN/CUSIP/SEDOL are compared upper-case).
        """
        key = value if index in ("figi", "composite", "share_class") else value.upper()
        return list(self._index[index].get(key, ()))

    def matches(self, i: int, filters: Mapping[str, Any]) -> bool:
        """Whether record ``i`` passes the mapping/search filters (absent or null = no filter)."""
        r = self._raw[i]
        if r.get("exchCode") == _UNLISTED and not filters.get("includeUnlistedEquities"):
            return False
        for key, wanted in filters.items():
            if wanted is None or key == "includeUnlistedEquities":
                continue
            if key == "micCode":
                got = self.mic(i)
            elif key == "currency":
                got = self.currency(i)
            elif key == "marketSecDes":
                got = r.get("marketSector")
            elif key in ("exchCode", "securityType", "securityType2"):
                got = r.get(key)
            else:
                continue
            if got != wanted:
                return False
        return True

    def select(self, positions: Iterable[int], filters: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The FigiResult dicts of ``positions`` that pass ``filters`` (copies, in given order)."""
        return [dict(self.results[i]) for i in positions if self.matches(i, filters)]

    def listed(self) -> list[int]:
        """Positions of every record that search and filter can see, in result order."""
        return sorted(
            (i for i in range(len(self._raw)) if self._mode[i] is None),
            key=self._order.__getitem__,
        )

    def search(self, query: str | None, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Keyword search: every query word in name, ticker or description; exact tickers first.

        Unlike mapping results, search keeps plain file order (no composite grouping).
        """
        words = (query or "").upper().split()
        hits: list[tuple[int, int]] = []
        for i in self.listed():
            r = self._raw[i]
            text = " ".join(str(r.get(f) or "") for f in ("name", "ticker", "securityDescription"))
            text = text.upper()
            if all(w in text for w in words) and self.matches(i, filters):
                exact = str(r.get("ticker") or "").upper() == " ".join(words)
                hits.append((0 if exact else 1, i))
        hits.sort()  # exact ticker first, then file order (the world file stands for relevance)
        return [dict(self.results[i]) for _, i in hits]

    def filter(self, query: str | None, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Like :meth:`search` (query optional), but sorted alphabetically by FIGI."""
        found = (
            self.search(query, filters)
            if query
            else [dict(self.results[i]) for i in self.listed() if self.matches(i, filters)]
        )
        return sorted(found, key=lambda r: r["figi"])

    def value_list(self, key: str) -> list[str]:
        """Values of a ``/mapping/values`` key: the file's list, else those the records use."""
        if key in self.values:
            return list(self.values[key])
        if key == "micCode":
            found = {self.mic(i) for i in range(len(self._raw))}
        elif key == "currency":
            found = {self.currency(i) for i in range(len(self._raw))}
        elif key == "marketSecDes":
            found = {r.get("marketSector") for r in self._raw}
        else:
            found = {r.get(key) for r in self._raw}
        return sorted(v for v in found if isinstance(v, str))
