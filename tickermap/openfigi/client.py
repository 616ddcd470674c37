"""The OpenFIGI v3 client: batching, header-driven pacing, retries, cache, exact alignment.

:class:`OpenFigiClient` is the only place tickermap talks HTTP to OpenFIGI (or the emulator).
It batches mapping jobs to the server's cap (10 unkeyed, 100 keyed; a 413 is parsed and the
batch re-split), paces each bucket with a :class:`~tickermap.openfigi.ratelimit.BucketLimiter`,
retries
429/5xx/transport/shape failures with tenacity (never 400/401/404/405/406/415), checks that every
answer has exactly one element per job, and writes definitive outcomes to the
:class:`~tickermap.openfigi.cache.OutcomeCache` after every batch. ``requests`` and ``tenacity``
errors
never leave this module; they become :mod:`tickermap.errors` exceptions or ``failed`` outcomes.

HTTP itself (the session, one attempt, error translation, retries) lives in
:mod:`tickermap.openfigi.transport`. The API key goes only into the ``X-OPENFIGI-APIKEY`` header
of the
session; it is never logged, put in messages, reprs or cache keys. This module never prints.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from types import TracebackType
from typing import Any

from tickermap.config import Settings
from tickermap.errors import (
    HTTPStatusError,
    OpenFigiError,
    RequestTooLarge,
    ResponseShapeError,
    TransportError,
)
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.records import (
    ClientStats,
    FigiRecord,
    ItemError,
    Job,
    MapOutcome,
    parse_item,
)
from tickermap.openfigi.search import SearchResult, sweep
from tickermap.openfigi.transport import FATAL_STATUSES, USER_AGENT, Transport
from tickermap.progress import Progress, ensure

__all__ = [
    "KEYED_JOBS_PER_REQUEST",
    "UNKEYED_JOBS_PER_REQUEST",
    "USER_AGENT",
    "ClientStats",
    "FigiRecord",
    "Job",
    "MapOutcome",
    "OpenFigiClient",
]

log = logging.getLogger(__name__)
UNKEYED_JOBS_PER_REQUEST = 10
KEYED_JOBS_PER_REQUEST = 100
_DEAD_BATCHES = 3
"""Consecutive batches failing entirely (after retries) that abort a run."""
_SHARE_POLL = 0.2
"""Seconds between looks at jobs another run (same cache file) is fetching."""


def _failed(job: Job, reason: str) -> MapOutcome:
    return MapOutcome(job, "failed", (), reason, datetime.now(timezone.utc))


class OpenFigiClient:
    """A synchronous OpenFIGI v3 client with one pooled session (use it as a context manager).

    Args:
        settings: URL, API key, timeout, attempts, cache folder.
        jobs_per_request: batch size; default 100 with a key, 10 without (shrinks on 413).
        cache: answers are read from and written to it; ``None`` disables caching.
        offline: answer from the cache only; misses are ``failed`` "not in cache (offline)".
        workers: requests in flight at once (default 4 with a key, 2 without).
        sleep: how to wait (tests may inject a fake).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        jobs_per_request: int | None = None,
        cache: OutcomeCache | None = None,
        offline: bool = False,
        workers: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if jobs_per_request is not None and jobs_per_request < 1:
            raise ValueError(f"jobs_per_request must be >= 1, got {jobs_per_request}")
        self._settings = settings
        default_jobs = KEYED_JOBS_PER_REQUEST if settings.has_key else UNKEYED_JOBS_PER_REQUEST
        self._jobs_per_request = jobs_per_request or default_jobs
        self._cache = cache
        self._offline = offline
        self._workers = max(1, workers or (4 if settings.has_key else 2))
        self._http = Transport(settings, sleep=sleep)
        self._owner = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"  # claims in the shared cache
        self._lock = self._http.lock
        self.stats = self._http.stats

    def __repr__(self) -> str:
        return (
            f"OpenFigiClient(url={self._http.base!r}, keyed={self._settings.has_key}, "
            f"jobs_per_request={self._jobs_per_request}, offline={self._offline})"
        )

    def __enter__(self) -> OpenFigiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    @property
    def transport(self) -> Transport:
        """The HTTP layer (one paced, retried exchange: :meth:`Transport.call`)."""
        return self._http

    @property
    def settings(self) -> Settings:
        """The settings this client was built with."""
        return self._settings

    @property
    def offline(self) -> bool:
        """Whether the client answers from the cache only."""
        return self._offline

    @property
    def jobs_per_request(self) -> int:
        """The current batch size (it shrinks when the server answers 413)."""
        return self._jobs_per_request

    # ------------------------------------------------------------------ mapping
    def _post_mapping(self, batch: Sequence[Job]) -> list[MapOutcome | ItemError]:
        body = [job.payload() for job in batch]

        def once() -> list[MapOutcome | ItemError]:
            answer = self._http.call(
                "POST", "/v3/mapping", body, self._http.mapping, jobs=len(batch)
            )
            if not isinstance(answer, list) or len(answer) != len(batch):
                got = len(answer) if isinstance(answer, list) else type(answer).__name__
                raise ResponseShapeError(
                    f"OpenFIGI answered {got} results for {len(batch)} jobs; not trusted"
                )
            now = datetime.now(timezone.utc)
            try:
                return [parse_item(j, item, now) for j, item in zip(batch, answer, strict=True)]
            except (ValueError, KeyError, TypeError) as exc:
                raise ResponseShapeError(f"malformed mapping result: {exc}") from exc

        return self._http.retrying(once)

    def _process(
        self, batch: list[Job], attempts: dict[str, int]
    ) -> tuple[list[MapOutcome], list[Job], list[Job]]:
        """Send one batch; return (final outcomes, jobs to retry, jobs to re-split)."""
        try:
            results = self._post_mapping(batch)
        except RequestTooLarge as exc:
            cap = exc.max_jobs if exc.max_jobs and exc.max_jobs < len(batch) else len(batch) // 2
            if cap < 1:
                return [_failed(j, str(exc)) for j in batch], [], []
            with self._lock:
                self._jobs_per_request = min(self._jobs_per_request, cap)
            log.warning("OpenFIGI accepts at most %d jobs per request; re-splitting", cap)
            return [], [], batch
        except OpenFigiError as exc:
            if isinstance(exc, HTTPStatusError) and exc.status in FATAL_STATUSES:
                raise
            return [_failed(j, f"gave up: {exc}") for j in batch], [], []
        final: list[MapOutcome] = []
        again: list[Job] = []
        for job, result in zip(batch, results, strict=True):
            if isinstance(result, MapOutcome):
                final.append(result)
                continue
            key = job.key()
            attempts[key] = attempts.get(key, 1) + 1
            if attempts[key] > self._settings.max_attempts:
                final.append(_failed(job, f"OpenFIGI kept answering error {result.message!r}"))
            else:
                again.append(job)
        return final, again, []

    def map_jobs(
        self, jobs: Sequence[Job], *, progress: Progress | None = None
    ) -> list[MapOutcome]:
        """Map every job; return one outcome per input job, in the same order.

        Identical jobs are sent once. Runs sharing a cache file share their work: before
        sending a batch, a client claims its jobs in the cache (claims expire after
        ``request_budget + 60`` s), reuses answers another run stored meanwhile, and waits for
        jobs another run has claimed (``stats.shared`` counts them; ``progress.waiting`` says
        so). The cache is consulted first and written after every
        answered batch, so a killed run loses at most the batches in flight.

        Raises:
            AuthError: the API key was refused (nothing else can succeed).
            HTTPStatusError: 404/405/406/415, i.e. a wrong URL or a client bug.
            CacheError: the cache cannot be used.
        """
        prog = ensure(progress)
        unique: dict[str, Job] = {}
        for job in jobs:
            unique.setdefault(job.key(), job)
        results: dict[str, MapOutcome] = {}
        prog.start("OpenFIGI mapping", total=len(unique))
        if self._cache is not None and unique:
            results.update(self._cache.get_many(unique))
            with self._lock:
                self.stats.from_cache += len(results)
            prog.advance(len(results), **self._progress_stats(len(unique) - len(results)))
        missing = [job for key, job in unique.items() if key not in results]
        if self._offline:
            for job in missing:
                results[job.key()] = _failed(job, "not in cache (offline)")
            prog.advance(len(missing), **self._progress_stats(0))
        elif missing:
            self._run(missing, results, prog)
        prog.finish()
        return [results[job.key()] for job in jobs]

    def _progress_stats(self, remaining: int) -> dict[str, object]:
        s = self.stats
        return {
            "from_cache": s.from_cache,
            "requests": s.requests,
            "429s": s.http_429,
            "remaining": remaining,
        }

    def _run(self, missing: list[Job], results: dict[str, MapOutcome], prog: Progress) -> None:
        queue: deque[list[Job]] = deque()
        cond = threading.Condition()
        attempts: dict[str, int] = {}
        state = {"active": 0, "left": len(missing), "dead_streak": 0}
        fatal: list[BaseException] = []

        def enqueue(more: list[Job], *, front: bool = False) -> None:
            size = self._jobs_per_request
            chunks = [more[i : i + size] for i in range(0, len(more), size)]
            if front:
                queue.extendleft(reversed(chunks))
                return
            for chunk in chunks:
                if queue and len(queue[-1]) + len(chunk) <= size:
                    queue[-1].extend(chunk)
                else:
                    queue.append(chunk)

        def worker() -> None:
            while True:
                with cond:
                    while not queue and state["active"] > 0 and not fatal:
                        cond.wait(0.05)
                    if fatal or not queue:
                        cond.notify_all()
                        return
                    batch = queue.popleft()
                    if len(batch) > self._jobs_per_request:
                        enqueue(batch[self._jobs_per_request :], front=True)
                        batch = batch[: self._jobs_per_request]
                    state["active"] += 1
                try:
                    shared, batch, deferred = self._share(batch)
                    final: list[MapOutcome] = []
                    again: list[Job] = []
                    resplit: list[Job] = []
                    try:
                        if batch:
                            final, again, resplit = self._process(batch, attempts)
                        if self._cache is not None:
                            self._cache.put_many(final)
                    finally:
                        if self._cache is not None and batch:
                            self._cache.release([j.key() for j in batch], owner=self._owner)
                    if deferred and not batch and not shared:
                        prog.waiting(
                            _SHARE_POLL, f"answers of another tickermap run ({len(deferred)} jobs)"
                        )
                        time.sleep(_SHARE_POLL)
                except BaseException as exc:
                    with cond:
                        fatal.append(exc)
                        state["active"] -= 1
                        cond.notify_all()
                    return
                with cond:
                    for outcome in [*shared, *final]:
                        results[outcome.job.key()] = outcome
                    dead = bool(final) and all(o.status == "failed" for o in final)
                    state["dead_streak"] = state["dead_streak"] + 1 if dead else 0
                    if state["dead_streak"] >= _DEAD_BATCHES and not fatal:
                        # Nothing answers (wrong URL, no network): stop instead of grinding
                        # through every batch; the answers so far are already cached.
                        fatal.append(
                            TransportError(
                                f"OpenFIGI at {self._http.base} gave no usable answer to "
                                f"{_DEAD_BATCHES} requests in a row, each after retries "
                                f"({final[-1].message}); check --openfigi-url / "
                                "TICKERMAP_OPENFIGI_URL and the network, then run again "
                                "(answers already received are cached)"
                            )
                        )
                    with self._lock:
                        self.stats.failed_jobs += sum(o.status == "failed" for o in final)
                    state["left"] -= len(final) + len(shared)
                    if resplit:
                        enqueue(resplit, front=True)
                    if again or deferred:
                        enqueue([*again, *deferred])
                    state["active"] -= 1
                    done = len(final) + len(shared)
                    prog.advance(done, **self._progress_stats(state["left"]))
                    cond.notify_all()

        enqueue(list(missing))
        self._http.mapping.on_wait = lambda seconds: prog.waiting(seconds, "rate limit")
        try:
            self._pool(worker)
        finally:
            self._http.mapping.on_wait = None
        if fatal:
            raise fatal[0]

    def _pool(self, worker: Callable[[], None]) -> None:
        with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="openfigi") as pool:
            for future in [pool.submit(worker) for _ in range(self._workers)]:
                future.result()

    def _share(self, batch: list[Job]) -> tuple[list[MapOutcome], list[Job], list[Job]]:
        """Split a batch by what other runs on the same cache do: ``(answered meanwhile,
        claimed for us to send, in flight elsewhere)``."""
        if self._cache is None:
            return [], batch, []
        keys = {job.key(): job for job in batch}
        # Claim first, then read: an answer stored before another run released its claim is
        # seen here, so a job is never fetched twice.
        mine = self._cache.claim(
            list(keys), owner=self._owner, ttl=self._settings.request_budget + 60
        )
        answered = self._cache.get_many(keys)
        if answered:
            self._cache.release([k for k in answered if k in mine], owner=self._owner)
            with self._lock:
                self.stats.shared += len(answered)
                self.stats.from_cache += len(answered)
        todo = [job for key, job in keys.items() if key in mine and key not in answered]
        later = [job for key, job in keys.items() if key not in mine and key not in answered]
        return list(answered.values()), todo, later

    # ------------------------------------------------------------------ values, search, filter
    def values(self, key: str) -> list[str]:
        """``GET /v3/mapping/values/{key}``: the allowed values of a job field.

        Raises:
            OpenFigiError: after retries, or for an unknown key (400).
        """
        answer = self._http.retrying(
            lambda: self._http.call("GET", f"/v3/mapping/values/{key}", None, self._http.mapping)
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("values"), list):
            raise ResponseShapeError(f"unexpected values answer for {key!r}: {answer!r:.120}")
        return [str(v) for v in answer["values"]]

    def search(
        self, query: str, *, max_results: int | None = None, **filters: Any
    ) -> list[FigiRecord]:
        """``POST /v3/search`` following ``next``; filters use API or snake_case names.

        Raises:
            OpenFigiError: the first page could not be fetched.
        """
        return list(
            sweep(self._http, "/v3/search", {"query": query, **filters}, None, max_results).records
        )

    def filter(
        self,
        query: str | None = None,
        *,
        start: str | None = None,
        max_results: int | None = None,
        **filters: Any,
    ) -> SearchResult:
        """``POST /v3/filter`` following ``next`` to the end, resumable from ``start``.

        A failure after the first page returns what was fetched with ``complete=False`` and
        the cursor to resume from; it is never reported as complete.
        """
        body = dict(filters) if query is None else {"query": query, **filters}
        return sweep(self._http, "/v3/filter", body, start, max_results)
