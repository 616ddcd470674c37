"""OpenFIGI mapping jobs and their outcomes: plain records, their JSON forms, and item parsing.

This module holds the data the client, the cache and ``resolve`` exchange: :class:`Job` (one
mapping request item), :class:`FigiRecord` (one row of a ``data`` answer), :class:`MapOutcome`
(the one answer per job) and :class:`ClientStats`. It must not do I/O, HTTP or logging; it never
sees the API key, so nothing built here can leak it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

__all__ = [
    "DEFINITIVE",
    "ClientStats",
    "FigiRecord",
    "IdType",
    "ItemError",
    "Job",
    "MapOutcome",
    "OutcomeStatus",
    "parse_item",
]

IdType = str
"""An OpenFIGI idType such as ``TICKER``, ``ID_BB_GLOBAL``, ``COMPOSITE_ID_BB_GLOBAL``,
``ID_BB_GLOBAL_SHARE_CLASS_LEVEL`` or ``ID_ISIN``; not an enum, because the live list changes."""

OutcomeStatus = Literal["matched", "not_found", "rejected", "failed"]
DEFINITIVE: frozenset[str] = frozenset({"matched", "not_found", "rejected"})
"""Outcomes that describe the data (cacheable); ``failed`` describes the run, never cached."""

_JOB_FIELDS = (
    ("exch_code", "exchCode"),
    ("mic_code", "micCode"),
    ("currency", "currency"),
    ("market_sec_des", "marketSecDes"),
    ("security_type2", "securityType2"),
)

# Per-job errors that are a verdict on the identifier, not a server hiccup. OpenFIGI spells the
# first with and without the trailing period (docs/openfigi-api.md §1.5); compare normalised.
_REJECTIONS = re.compile(
    r"^(invalid idvalue format|invalid value for idtype|invalid value for \w+|"
    r"\w+ is required( for .*)?|invalid key .*)$"
)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else str(value).strip()
    return text or None


@dataclass(frozen=True, slots=True)
class Job:
    """One OpenFIGI mapping job (request item); values are stripped, ``id_type`` upper-cased.

    >>> Job("ticker", " AAPL ", exch_code="US").payload()
    {'idType': 'TICKER', 'idValue': 'AAPL', 'exchCode': 'US'}
    """

    id_type: IdType
    id_value: str
    exch_code: str | None = None
    mic_code: str | None = None
    currency: str | None = None
    market_sec_des: str | None = None
    security_type2: str | None = None

    _key: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        id_type = _clean(self.id_type)
        id_value = _clean(self.id_value)
        if id_type is None or id_value is None:
            raise ValueError(f"a job needs an idType and an idValue, got {self!r}")
        object.__setattr__(self, "id_type", id_type.upper())
        object.__setattr__(self, "id_value", id_value)
        for attr, _ in _JOB_FIELDS:
            value = getattr(self, attr)
            if value is not None:
                object.__setattr__(self, attr, _clean(value))
        # Computed once: the key is used for de-duplication, the cache and result lookup.
        object.__setattr__(
            self, "_key", json.dumps(self.payload(), sort_keys=True, separators=(",", ":"))
        )

    def payload(self) -> dict[str, str]:
        """The JSON object sent to ``/v3/mapping`` (absent filters are left out)."""
        body = {"idType": self.id_type, "idValue": self.id_value}
        for attr, name in _JOB_FIELDS:
            value = getattr(self, attr)
            if value is not None:
                body[name] = value
        return body

    def key(self) -> str:
        """Canonical JSON of :meth:`payload` (sorted keys): the cache and de-duplication key.

        >>> Job("TICKER", "IBM", exch_code="US").key()
        '{"exchCode":"US","idType":"TICKER","idValue":"IBM"}'
        """
        return self._key

    @classmethod
    def from_payload(cls, body: dict[str, Any]) -> Job:
        """Rebuild a job from :meth:`payload` output."""
        kwargs = {attr: body.get(name) for attr, name in _JOB_FIELDS}
        return cls(str(body["idType"]), str(body["idValue"]), **kwargs)


def _opt(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class FigiRecord:
    """One FIGI row of an OpenFIGI answer (unknown fields such as ``metadata`` are ignored)."""

    figi: str
    name: str | None
    ticker: str | None
    exch_code: str | None
    composite_figi: str | None
    share_class_figi: str | None
    security_type: str | None
    security_type2: str | None
    market_sector: str | None
    security_description: str | None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> FigiRecord:
        """Build from an API row; raises ``KeyError``/``TypeError`` when ``figi`` is missing."""
        figi = item["figi"]
        if not isinstance(figi, str) or not figi:
            raise TypeError(f"figi must be a non-empty string, got {figi!r}")
        return cls(
            figi=figi,
            name=_opt(item, "name"),
            ticker=_opt(item, "ticker"),
            exch_code=_opt(item, "exchCode"),
            composite_figi=_opt(item, "compositeFIGI"),
            share_class_figi=_opt(item, "shareClassFIGI"),
            security_type=_opt(item, "securityType"),
            security_type2=_opt(item, "securityType2"),
            market_sector=_opt(item, "marketSector"),
            security_description=_opt(item, "securityDescription"),
        )

    def to_api(self) -> dict[str, str | None]:
        """The API's spelling of this row (used for the cache)."""
        return {
            "figi": self.figi,
            "name": self.name,
            "ticker": self.ticker,
            "exchCode": self.exch_code,
            "compositeFIGI": self.composite_figi,
            "shareClassFIGI": self.share_class_figi,
            "securityType": self.security_type,
            "securityType2": self.security_type2,
            "marketSector": self.market_sector,
            "securityDescription": self.security_description,
        }


@dataclass(frozen=True, slots=True)
class MapOutcome:
    """The single answer for one job.

    Attributes:
        status: ``matched`` (all rows kept), ``not_found`` (OpenFIGI's ``warning``),
            ``rejected`` (``error`` judging the identifier), ``failed`` (gave up; see message).
        records: every row OpenFIGI returned, in its order.
        message: the warning/error text, or why the job failed.
        fetched_at: when OpenFIGI answered (UTC); for ``failed``, when we gave up.
        from_cache: answered from the persistent cache in this run.
    """

    job: Job
    status: OutcomeStatus
    records: tuple[FigiRecord, ...]
    message: str
    fetched_at: datetime
    from_cache: bool = False

    @property
    def definitive(self) -> bool:
        """Whether the outcome describes the identifier (and may be cached)."""
        return self.status in DEFINITIVE

    def to_json(self) -> str:
        """Serialise (job, status, rows, message, time) for the cache; no secrets involved."""
        return json.dumps(
            {
                "job": self.job.payload(),
                "status": self.status,
                "records": [r.to_api() for r in self.records],
                "message": self.message,
                "fetched_at": self.fetched_at.isoformat(),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str, *, from_cache: bool = True, job: Job | None = None) -> MapOutcome:
        """Inverse of :meth:`to_json`; ``job`` (the same job) saves rebuilding it."""
        raw = json.loads(text)
        return cls(
            job=job if job is not None else Job.from_payload(raw["job"]),
            status=raw["status"],
            records=tuple(FigiRecord.from_api(r) for r in raw["records"]),
            message=raw["message"],
            fetched_at=datetime.fromisoformat(raw["fetched_at"]),
            from_cache=from_cache,
        )


@dataclass(frozen=True, slots=True)
class ItemError:
    """A per-job ``error`` that is not a verdict on the identifier: retried, then ``failed``."""

    message: str


def parse_item(
    job: Job, item: object, fetched_at: datetime | None = None
) -> MapOutcome | ItemError:
    """Turn one element of a mapping response into an outcome.

    A ``warning`` is ``not_found`` and a recognised ``error`` is ``rejected``: they are never
    confused. Any other ``error`` is an :class:`ItemError` (transient until proven otherwise).

    Raises:
        ValueError: the element is not an object with exactly one of data/warning/error.

    >>> parse_item(Job("TICKER", "X"), {"warning": "No identifier found."}).status
    'not_found'
    """
    when = fetched_at or datetime.now(timezone.utc)
    if not isinstance(item, dict):
        raise ValueError(f"result element is not an object: {item!r:.80}")
    keys = {"data", "warning", "error"} & item.keys()
    if len(keys) != 1:
        raise ValueError(f"result element needs exactly one of data/warning/error: {item!r:.120}")
    if "data" in item:
        rows = item["data"]
        if not isinstance(rows, list):
            raise ValueError(f"'data' is not a list: {rows!r:.80}")
        records = tuple(FigiRecord.from_api(r) for r in rows)
        if not records:
            return MapOutcome(job, "not_found", (), "empty data", when)
        return MapOutcome(job, "matched", records, "", when)
    if "warning" in item:
        return MapOutcome(job, "not_found", (), str(item["warning"]), when)
    message = str(item["error"])
    if _REJECTIONS.match(message.strip().rstrip(".").lower()):
        return MapOutcome(job, "rejected", (), message, when)
    return ItemError(message)


@dataclass
class ClientStats:
    """Counters of one client (mutable, updated under the client's lock)."""

    requests: int = 0
    http_429: int = 0
    retries: int = 0
    from_cache: int = 0
    sent_jobs: int = 0
    failed_jobs: int = 0
    shared: int = 0
    """Jobs another process answered into the shared cache while this client waited."""
    by_status: dict[int, int] = field(default_factory=dict)
