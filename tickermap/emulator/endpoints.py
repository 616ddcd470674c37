"""What the emulated OpenFIGI v3 endpoints answer, as ``(status, body)`` pairs.

Pure functions over a :class:`~tickermap.emulator.world.World`: the mapping endpoint (413 before
anything
else, then per job ``data`` / ``warning`` / ``error``), search and filter with signed paging
cursors, and the values endpoint. Bodies and texts follow openfigi-api.md Part 1 exactly where it
records them; texts it marks as unknown are chosen to look like their neighbours. No sockets,
headers, rate limits or faults here (see :mod:`tickermap.emulator.server`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from stdnum import cusip as std_cusip
from stdnum import isin as std_isin

from tickermap.emulator.world import FILTER_KEYS, World

__all__ = [
    "ID_TYPES",
    "MARKET_SEC_DES",
    "PAGE_SIZE",
    "TEXT",
    "VALUE_KEYS",
    "answer_mapping",
    "answer_search",
    "answer_values",
    "map_job",
]

TEXT = {
    400: "Bad request.",
    401: "Invalid API key.",
    404: "Invalid url.",
    405: "Invalid HTTP method.",
    406: "Unsupported 'Accept' type.",
    413: "Request may only contain {n} mapping jobs.",
    415: "Invalid Content-Type. Should be text/json or application/json with valid charset.",
    429: "Too many requests, please try again later.",
    500: "Internal server error.",
    503: "Service Unavailable.",
}
"""Plain-text error bodies by status (openfigi-api.md §1.9)."""

ID_TYPES = (
    "BARCLAYS_TICKER",
    "BASE_TICKER",
    "COMPOSITE_ID_BB_GLOBAL",
    "ID_BB",
    "ID_BB_8_CHR",
    "ID_BB_GLOBAL",
    "ID_BB_GLOBAL_SHARE_CLASS_LEVEL",
    "ID_BB_SEC_NUM_DES",
    "ID_BB_UNIQUE",
    "ID_CINS",
    "ID_COMMON",
    "ID_CUSIP",
    "ID_CUSIP_8_CHR",
    "ID_EXCH_SYMBOL",
    "ID_FULL_EXCHANGE_SYMBOL",
    "ID_ISIN",
    "ID_ITALY",
    "ID_SEDOL",
    "ID_SHORT_CODE",
    "ID_TRACE",
    "ID_WERTPAPIER",
    "OCC_SYMBOL",
    "OPRA_SYMBOL",
    "TICKER",
    "TRADEBOOK_TICKER",
    "TRADING_SYSTEM_IDENTIFIER",
    "UNIQUE_ID_FUT_OPT",
    "VENDOR_INDEX_CODE",
)
"""The live ``/mapping/values/idType`` list (28 values, recorded 2023 and 2025)."""

MARKET_SEC_DES = (
    "Comdty",
    "Corp",
    "Curncy",
    "Equity",
    "Govt",
    "Index",
    "M-Mkt",
    "Mtge",
    "Muni",
    "Pfd",
)
VALUE_KEYS = (
    "idType", "exchCode", "micCode", "currency", "marketSecDes", "securityType",
    "securityType2", "stateCode",
)  # fmt: skip
PAGE_SIZE = 100
RESULT_CAP = 15_000

_INDEX_BY_ID_TYPE = {
    "TICKER": "ticker",
    "BASE_TICKER": "ticker",
    "ID_EXCH_SYMBOL": "ticker",
    "ID_BB_GLOBAL": "figi",
    "COMPOSITE_ID_BB_GLOBAL": "composite",
    "ID_BB_GLOBAL_SHARE_CLASS_LEVEL": "share_class",
    "ID_ISIN": "isin",
    "ID_CUSIP": "cusip",
    "ID_SEDOL": "sedol",
}
_OTHER_KEYS = (
    "optionType", "strike", "contractSize", "coupon", "expiration", "maturity", "stateCode",
)  # fmt: skip
_JOB_KEYS = frozenset(("idType", "idValue", *FILTER_KEYS, *_OTHER_KEYS))
_SEARCH_KEYS = frozenset(("query", "start", *FILTER_KEYS, *_OTHER_KEYS))
_NOT_FOUND = {"warning": "No identifier found."}
_BAD_VALUE = {"error": "Invalid idValue format."}

Answer = tuple[int, Any]
"""``(status, body)``: a JSON-able body for 200, the plain text for any other status."""


def map_job(world: World, job: Mapping[str, Any]) -> dict[str, Any]:
    """Answer one mapping job: ``{"data": [...]}``, ``{"warning": ...}`` or ``{"error": ...}``."""
    for key in job:
        if key not in _JOB_KEYS:
            return {"error": f"Invalid key '{key}'."}
    id_type = job.get("idType")
    if not isinstance(id_type, str) or id_type not in ID_TYPES:
        return {"error": "Invalid value for idType."}
    raw = job.get("idValue")
    if isinstance(raw, bool) or not isinstance(raw, str | int) or str(raw).strip() == "":
        return dict(_BAD_VALUE)
    value = str(raw).strip()
    if id_type == "ID_ISIN" and not std_isin.is_valid(value):
        return dict(_BAD_VALUE)
    if id_type == "ID_CUSIP" and not std_cusip.is_valid(value):
        return dict(_BAD_VALUE)
    type2 = job.get("securityType2")
    if id_type in ("BASE_TICKER", "ID_EXCH_SYMBOL") and not type2:
        return {"error": f"securityType2 is required for {id_type}."}
    if type2 in ("Option", "Warrant") and not job.get("expiration"):
        return {"error": f"expiration is required when securityType2 is {type2}."}
    if type2 == "Pool" and not job.get("maturity"):
        return {"error": "maturity is required when securityType2 is Pool."}
    index = _INDEX_BY_ID_TYPE.get(id_type)
    rows = world.select(world.find(index, value), job) if index else []
    return {"data": rows} if rows else dict(_NOT_FOUND)


def answer_mapping(world: World, body: Any, jobs_cap: int) -> Answer:
    """``POST /v3/mapping``: 400 unless a JSON array of objects, 413 over ``jobs_cap``."""
    if not isinstance(body, list):
        return 400, TEXT[400]
    if len(body) > jobs_cap:
        return 413, TEXT[413].format(n=jobs_cap)
    if not all(isinstance(job, dict) for job in body):
        return 400, TEXT[400]
    return 200, [map_job(world, job) for job in body]


def answer_values(world: World, key: str) -> Answer:
    """``GET /v3/mapping/values/{key}``: ``{"values": [...]}``, 400 for an unknown key."""
    if key not in VALUE_KEYS:
        return 400, "Invalid enum field."
    if key in world.values:
        return 200, {"values": world.value_list(key)}
    if key == "idType":
        return 200, {"values": list(ID_TYPES)}
    if key == "marketSecDes":
        return 200, {"values": list(MARKET_SEC_DES)}
    return 200, {"values": world.value_list(key)}


def _query_digest(body: Mapping[str, Any]) -> str:
    canon = json.dumps({k: v for k, v in body.items() if k != "start"}, sort_keys=True)
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def make_cursor(secret: bytes, offset: int, body: Mapping[str, Any]) -> str:
    """An opaque, signed ``next`` value bound to the query (shape of the real one, §1.8)."""
    payload = f"{offset} {_query_digest(body)}".encode()
    sig = hmac.new(secret, payload, hashlib.sha256).digest()
    return base64.b64encode(payload).decode() + "." + base64.b64encode(sig).decode()


def read_cursor(secret: bytes, cursor: Any, body: Mapping[str, Any]) -> int | None:
    """The offset a cursor stands for, or None when it is forged, damaged or for another query."""
    if not isinstance(cursor, str) or "." not in cursor:
        return None
    head, _, tail = cursor.partition(".")
    try:
        payload = base64.b64decode(head, validate=True)
        sig = base64.b64decode(tail, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(hmac.new(secret, payload, hashlib.sha256).digest(), sig):
        return None
    offset, _, digest = payload.decode().partition(" ")
    if digest != _query_digest(body) or not offset.isdigit():
        return None
    return int(offset)


def answer_search(
    world: World,
    body: Any,
    *,
    kind: str,
    secret: bytes,
    page_size: int = PAGE_SIZE,
    result_cap: int = RESULT_CAP,
) -> Answer:
    """``POST /v3/search`` or ``/v3/filter`` (``kind``): one page plus ``next`` (and ``total``)."""
    if not isinstance(body, dict):
        return 400, TEXT[400]
    for key in body:
        if key not in _SEARCH_KEYS:
            return 200, {"error": f"Invalid key '{key}'."}
    query = body.get("query")
    if kind == "search" and (not isinstance(query, str) or not query.strip()):
        return 200, {"error": "query must be a non-empty string."}
    if query is not None and not isinstance(query, str):
        return 200, {"error": "query must be a string."}
    if not any(v not in (None, "") for k, v in body.items() if k != "start"):
        return 200, {"error": "At least one property in the request object must be populated."}
    offset = 0
    if body.get("start") is not None:
        found = read_cursor(secret, body["start"], body)
        if found is None:
            return 200, {"error": "Invalid value for start."}
        offset = found
    rows = world.search(query, body) if kind == "search" else world.filter(query, body)
    capped = rows[:result_cap]
    page: dict[str, Any] = {"data": capped[offset : offset + page_size]}
    if offset + page_size < len(capped):
        page["next"] = make_cursor(secret, offset + page_size, body)
    if kind == "filter":
        page["total"] = len(rows)
    return 200, page
