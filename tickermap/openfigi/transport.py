"""One HTTP exchange with OpenFIGI, its error translation, and the tenacity retry policy.

:class:`Transport` owns the pooled ``requests.Session`` (User-Agent, gzip, JSON content type,
and the API key in the ``X-OPENFIGI-APIKEY`` header only), one
:class:`~tickermap.openfigi.ratelimit.BucketLimiter` per bucket, and the client's counters. It
reads the
status before any JSON (error bodies are plain text), turns every ``requests`` failure into a
:mod:`tickermap.errors` exception, and retries 429/5xx/transport/shape failures with backoff,
never 400/401/404/405/406/415. It knows nothing about jobs, batching or the cache, and never
logs or formats the API key.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
import tenacity

from tickermap import __version__
from tickermap.config import Settings
from tickermap.errors import (
    AuthError,
    HTTPStatusError,
    RateLimited,
    RequestTooLarge,
    ResponseShapeError,
    TransportError,
)
from tickermap.openfigi.ratelimit import BucketLimiter
from tickermap.openfigi.records import ClientStats

__all__ = ["FATAL_STATUSES", "RETRY_STATUSES", "USER_AGENT", "Transport", "is_retryable"]

log = logging.getLogger(__name__)
T = TypeVar("T")

USER_AGENT = f"tickermap/{__version__} (+https://github.com/tickermap/tickermap)"
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Statuses that mean "this request or configuration is wrong": retrying cannot help, and going
# on with other batches would only repeat the mistake (docs/openfigi-api.md §1.9).
FATAL_STATUSES = frozenset({401, 403, 404, 405, 406, 415})
_TOO_MANY_JOBS = re.compile(r"may only contain (\d+) mapping jobs", re.IGNORECASE)


def is_retryable(exc: BaseException) -> bool:
    """Whether another attempt may succeed (429, 5xx, transport and shape failures)."""
    if isinstance(exc, TransportError | ResponseShapeError | RateLimited):
        return True
    return isinstance(exc, HTTPStatusError) and exc.status in RETRY_STATUSES


class _OverBudget(tenacity.stop.stop_base):
    """Stop once the network time of the current request (a thread-local sum) hits a budget."""

    def __init__(self, net: threading.local, budget: float) -> None:
        self._net = net
        self._budget = budget

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return float(getattr(self._net, "seconds", 0.0)) >= self._budget


class Transport:
    """HTTP to one OpenFIGI base URL, paced per bucket and retried.

    Args:
        settings: URL, API key, timeout and attempts.
        sleep: how to wait (tests may inject a fake).

    Waits (pacing, 429 holds, retry backoff) are in the server's seconds times
    :attr:`time_scale`, which the limiters learn from a time-scaled emulator's headers.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._rng = random.Random()
        self._net = threading.local()  # network seconds of the current retried request
        base = settings.openfigi_url.rstrip("/")
        self.base = base[: -len("/v3")] if base.endswith("/v3") else base
        self.lock = threading.Lock()
        self.stats = ClientStats()
        self.mapping = BucketLimiter("mapping", sleep=sleep)
        self.search = BucketLimiter("search", sleep=sleep)
        self._session = requests.Session()
        self._session.headers.update(
            {
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": "gzip",
                "Content-Type": "application/json",
            }
        )
        if settings.api_key:
            self._session.headers["X-OPENFIGI-APIKEY"] = settings.api_key

    def __repr__(self) -> str:
        return f"Transport(base={self.base!r}, keyed={self._settings.has_key})"

    @property
    def time_scale(self) -> float:
        """Real seconds per server second (1 for OpenFIGI; learned from a scaled emulator)."""
        return min(self.mapping.time_scale, self.search.time_scale)

    def close(self) -> None:
        """Close the connection pool."""
        self._session.close()

    def call(self, method: str, path: str, body: Any, limiter: BucketLimiter, jobs: int = 0) -> Any:
        """One attempt: wait for the limiter, send, translate failures, return the JSON.

        Raises:
            TransportError, ResponseShapeError, RateLimited, RequestTooLarge, AuthError,
            HTTPStatusError: see :mod:`tickermap.errors`.
        """
        url = f"{self.base}{path}"
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        ticket = limiter.acquire()
        headers = None
        try:
            with self.lock:
                self.stats.requests += 1
                self.stats.sent_jobs += jobs
            timeouts = (self._settings.connect_timeout, self._settings.timeout)
            started = time.monotonic()
            try:
                resp = self._session.request(method, url, data=data, timeout=timeouts)
            except requests.ConnectTimeout as exc:
                raise TransportError(
                    f"cannot connect to OpenFIGI at {url} within {timeouts[0]}s "
                    "(TICKERMAP_CONNECT_TIMEOUT)"
                ) from exc
            except requests.Timeout as exc:
                raise TransportError(
                    f"OpenFIGI did not answer {method} {url} within {timeouts[1]}s "
                    "(TICKERMAP_TIMEOUT)"
                ) from exc
            except requests.ConnectionError as exc:
                raise TransportError(
                    f"cannot reach OpenFIGI at {url}: {type(exc).__name__}"
                ) from exc
            except (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
            ) as exc:
                raise TransportError(
                    f"the OpenFIGI URL {url!r} is invalid; check --openfigi-url or "
                    "TICKERMAP_OPENFIGI_URL"
                ) from exc
            except requests.RequestException as exc:  # ChunkedEncodingError, ContentDecodingError
                raise TransportError(
                    f"the answer of {method} {url} was cut off or undecodable: {type(exc).__name__}"
                ) from exc
            finally:
                self._net.seconds = getattr(self._net, "seconds", 0.0) + (
                    time.monotonic() - started
                )
            headers = resp.headers
            with self.lock:
                self.stats.by_status[resp.status_code] = (
                    self.stats.by_status.get(resp.status_code, 0) + 1
                )
            return self._read(resp, method, url, limiter)
        finally:
            limiter.release(ticket, headers)

    def _read(self, resp: requests.Response, method: str, url: str, limiter: BucketLimiter) -> Any:
        status = resp.status_code
        # Error bodies are plain text: branch on the status before touching JSON (§1.9).
        if status == 200:
            try:
                return json.loads(resp.content)
            except ValueError as exc:
                raise ResponseShapeError(
                    f"{method} {url} returned undecodable JSON ({len(resp.content)} bytes; "
                    "truncated?)"
                ) from exc
        text = resp.text[:200]
        if status == 429:
            with self.lock:
                self.stats.http_429 += 1
            hold = limiter.penalize(resp.headers)
            raise RateLimited(
                f"OpenFIGI rate limit reached on {url} ({text!r}); waited {hold:.2f}s",
                status=status,
                url=url,
                body=text,
                retry_after=hold,
            )
        if status == 413:
            match = _TOO_MANY_JOBS.search(text)
            raise RequestTooLarge(
                f"OpenFIGI refused the batch size ({text!r})",
                status=status,
                url=url,
                body=text,
                max_jobs=int(match.group(1)) if match else None,
            )
        if status in (401, 403):
            hint = (
                "check OPENFIGI_API_KEY or unset it"
                if self._settings.has_key
                else ("this endpoint needs an API key; set OPENFIGI_API_KEY")
            )
            raise AuthError(
                f"OpenFIGI answered {status} {text!r} for {url}; {hint}",
                status=status,
                url=url,
                body=text,
            )
        raise HTTPStatusError(
            f"OpenFIGI answered {status} for {method} {url}: {text!r}",
            status=status,
            url=url,
            body=text,
        )

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited):
            return 0.0  # the limiter already holds every caller until the window resets
        base = min(30.0, 0.5 * 2 ** (state.attempt_number - 1))
        return base * (0.5 + self._rng.random()) * self.time_scale

    def _count_retry(self, state: tenacity.RetryCallState) -> None:
        with self.lock:
            self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        log.info("retrying after attempt %d: %s", state.attempt_number, exc)

    def retrying(self, fn: Callable[[], T]) -> T:
        """Call ``fn`` until it succeeds, a non-retryable error, ``max_attempts`` attempts, or
        ``request_budget`` seconds spent on the network (rate-limit waits do not count)."""
        self._net.seconds = 0.0
        retryer = tenacity.Retrying(
            stop=tenacity.stop_any(
                tenacity.stop_after_attempt(self._settings.max_attempts),
                _OverBudget(self._net, self._settings.request_budget),
            ),
            retry=tenacity.retry_if_exception(is_retryable),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._count_retry,
            reraise=True,
        )
        return retryer(fn)
