"""OpenFIGI ``/v3/search`` and ``/v3/filter`` sweeps: follow ``next`` pages, resumable.

A failure after the first page returns what was fetched with ``complete=False`` and the cursor
to resume from. A 200 carrying an ``error`` is a transient fault and is retried; an error that
names a bad request (unknown key, bad value) is a 400.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from tickermap.errors import HTTPStatusError, OpenFigiError, ResponseShapeError
from tickermap.openfigi.records import FigiRecord
from tickermap.openfigi.transport import FATAL_STATUSES, Transport

__all__ = ["SearchResult", "sweep"]

_SEARCH_REJECTION = re.compile(r"^(invalid key|query must|invalid value|invalid enum)", re.I)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Rows of a search/filter sweep.

    Attributes:
        records: every row fetched, in server order.
        total: the server's ``total`` (filter only).
        next_cursor: where to resume (pass as ``start=``) when the sweep is not complete.
        complete: the last page was reached (no ``next``).
        message: why the sweep stopped early, when it did.
    """

    records: tuple[FigiRecord, ...]
    total: int | None
    next_cursor: str | None
    complete: bool
    message: str = ""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def sweep(
    http: Transport, path: str, body: dict[str, Any], start: str | None, max_results: int | None
) -> SearchResult:
    """Fetch ``path`` page by page from ``start`` until the end or ``max_results`` rows."""
    request = {_camel(k): v for k, v in body.items() if v is not None}
    records: list[FigiRecord] = []
    cursor, total = start, None
    while True:
        page_body = {**request, **({"start": cursor} if cursor else {})}
        try:
            page = http.retrying(functools.partial(_page, http, path, page_body))
        except OpenFigiError as exc:
            if not records or (isinstance(exc, HTTPStatusError) and exc.status in FATAL_STATUSES):
                raise
            return SearchResult(tuple(records), total, cursor, False, str(exc))
        records.extend(FigiRecord.from_api(r) for r in page["data"])
        total = page.get("total", total)
        cursor = page.get("next")
        if not cursor:
            return SearchResult(tuple(records), total, None, True)
        if max_results is not None and len(records) >= max_results:
            return SearchResult(tuple(records), total, cursor, False, "max_results reached")


def _page(http: Transport, path: str, body: dict[str, Any]) -> dict[str, Any]:
    page = http.call("POST", path, body, http.search)
    if isinstance(page, dict) and "error" in page:
        message = str(page["error"])
        if _SEARCH_REJECTION.match(message):
            raise HTTPStatusError(
                f"OpenFIGI rejected the {path} request: {message!r}",
                status=400,
                url=f"{http.base}{path}",
                body=message,
            )
        # A 200 carrying an error has been a transient fault (§1.8): retry, never keep it.
        raise ResponseShapeError(f"OpenFIGI answered 200 with error {message!r} on {path}")
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        raise ResponseShapeError(f"unexpected {path} answer: {page!r:.120}")
    return page
