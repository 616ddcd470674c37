"""A fixed-window rate limiter for one OpenFIGI bucket, driven by the server's live headers.

OpenFIGI counts requests per bucket (mapping; search/filter) in fixed windows and reports
``ratelimit-limit``, ``ratelimit-remaining``, ``ratelimit-reset`` (seconds, not an epoch) and
``ratelimit-policy`` (``25;w=60``) on every answer (docs/openfigi-api.md §1.10). The limiter
lets requests through while the window has tokens, then holds every caller until the window
the server described has ended, so a lone client never provokes a 429. After a 429 it holds
until ``max(retry-after, ratelimit-reset)`` plus jitter.

A time-scaled ``tickermap emulator`` keeps those headers in emulated seconds and adds
:data:`TIME_SCALE_HEADER` (e.g. ``tickermap-time-scale: 0.01``); the limiter learns the factor from
it and multiplies every server-given duration by it, so no caller has to be told the scale. The
real OpenFIGI never sends it, and only factors in ``(0, 1]`` are accepted (a server can speed the
client up for itself, never make it wait longer).

This module knows nothing about HTTP or JSON: it takes header mappings and returns tickets.
It is thread-safe; ``clock`` and ``sleep`` are injectable for tests (the ``sleep`` attribute may
also be replaced after construction).
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["TIME_SCALE_HEADER", "BucketLimiter", "RateHeaders", "parse_rate_headers"]

log = logging.getLogger(__name__)

_POLICY = re.compile(r"^\s*(\d+)\s*;\s*w\s*=\s*(\d+(?:\.\d+)?)")

TIME_SCALE_HEADER = "tickermap-time-scale"
"""Sent by a time-scaled emulator only: real seconds per emulated second (``0.01``)."""


@dataclass(frozen=True, slots=True)
class RateHeaders:
    """The rate-limit headers of one answer (``None`` when absent or unparseable)."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None
    window: float | None = None
    retry_after: float | None = None
    time_scale: float | None = None


def _number(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def parse_rate_headers(headers: Mapping[str, str]) -> RateHeaders:
    """Read the ``ratelimit-*`` and ``retry-after`` headers (case-insensitive mapping).

    >>> parse_rate_headers({"ratelimit-policy": "25;w=60", "ratelimit-remaining": "3"}).window
    60.0
    """
    limit = _number(headers, "ratelimit-limit")
    window = None
    policy = headers.get("ratelimit-policy")
    if policy:
        match = _POLICY.match(policy)
        if match:
            limit = limit if limit is not None else float(match.group(1))
            window = float(match.group(2))
    remaining = _number(headers, "ratelimit-remaining")
    scale = _number(headers, TIME_SCALE_HEADER)
    return RateHeaders(
        limit=None if limit is None else int(limit),
        remaining=None if remaining is None else int(remaining),
        reset=_number(headers, "ratelimit-reset"),
        window=window,
        retry_after=_number(headers, "retry-after"),
        time_scale=scale if scale is not None and 0.0 < scale <= 1.0 else None,
    )


class BucketLimiter:
    """Paces the requests of one bucket across threads.

    Args:
        name: bucket name for logs (``mapping``, ``search``).
        clock: monotonic clock in seconds.
        sleep: how to wait (tests inject a fake); also the public attribute :attr:`sleep`.
        margin: extra seconds (emulated) waited after a window ends, for clock skew.
        jitter: upper bound of the random seconds (emulated) added after a 429.
    """

    def __init__(
        self,
        name: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        margin: float = 0.05,
        jitter: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.time_scale = 1.0
        """Real seconds per server second, learned from :data:`TIME_SCALE_HEADER` (1: OpenFIGI)."""
        self._clock = clock
        self.sleep = sleep
        """How :meth:`acquire` waits; replaceable (tests, a progress-reporting wrapper)."""
        self.on_wait: Callable[[float], None] | None = None
        """Told the seconds before :meth:`acquire` waits a second or more (progress notices)."""
        self._margin = margin
        self._jitter = jitter
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._limit: int | None = None
        self._window: float | None = None
        self._tokens: int | None = None  # requests we may still start in this window
        self._reset_at: float | None = None  # when (our clock) the current window ends
        self._hold_until = 0.0  # after a 429: nobody starts before this
        self._issued = 0  # tickets handed out so far (ticket = sequence number)
        self._open: set[int] = set()  # tickets sent and not yet answered
        self._window_start = 0  # first ticket of the current window (older answers are stale)
        self.waited = 0.0  # total seconds callers were held (for stats)

    def __repr__(self) -> str:
        return (
            f"BucketLimiter({self.name!r}, limit={self._limit}, tokens={self._tokens}, "
            f"inflight={len(self._open)})"
        )

    def _try_take(self, now: float) -> float:
        """Take a token and return 0.0, or return how long to wait first (lock held)."""
        if now < self._hold_until:
            return self._hold_until - now
        if self._reset_at is not None and now >= self._reset_at:
            # The window the server described is over; a fresh one starts at our next request.
            # Requests still unanswered may reach the server only now: count them as ours.
            self._reset_at = None
            self._tokens = None if self._limit is None else max(0, self._limit - len(self._open))
            self._window_start = self._issued
        if self._tokens is None:
            # Nothing known yet: probe with one request at a time until headers arrive.
            return 0.0 if not self._open else 0.005
        if self._tokens > 0:
            self._tokens -= 1
            return 0.0
        if self._reset_at is None:
            if self._open:
                return 0.005  # tokens spent, answers still in flight: their headers will say
            # Spent, and no answer carried headers (failures): assume a full window.
            self._reset_at = now + ((self._window or 60.0) + self._margin) * self.time_scale
        return self._reset_at - now

    def acquire(self) -> int:
        """Block until a request may start; return its ticket for :meth:`release`."""
        while True:
            with self._lock:
                delay = self._try_take(self._clock())
                if delay <= 0:
                    ticket = self._issued
                    self._open.add(ticket)
                    self._issued += 1
                    return ticket
            self.waited += delay
            notify = self.on_wait
            if notify is not None and delay >= 1.0:
                notify(delay)
            self.sleep(delay)

    def release(
        self, ticket: int, headers: Mapping[str, str] | None, *, received: float | None = None
    ) -> None:
        """Record the answer of request ``ticket`` (``headers`` None when nothing came back)."""
        with self._lock:
            self._open.discard(ticket)
            if headers is None:
                return
            rate = parse_rate_headers(headers)
            now = self._clock() if received is None else received
            self._learn(ticket, rate, now)

    def _learn(self, ticket: int, rate: RateHeaders, now: float) -> None:
        if rate.time_scale is not None:
            self.time_scale = rate.time_scale
        if rate.limit is not None:
            self._limit = rate.limit
        if rate.window is not None:
            self._window = rate.window
        if self._tokens is None and self._limit is not None:
            # A known limit: from now on count our own requests in this window.
            self._tokens = max(0, self._limit - (self._issued - self._window_start))
        if rate.remaining is None or rate.reset is None:
            return
        tolerance = (1.0 + self._margin) * self.time_scale + 0.01
        if ticket < self._window_start and rate.reset * self.time_scale <= tolerance:
            # Sent before our window rolled over and counted in the old window (its reset is
            # over): give back the token reserved for it at rollover. Otherwise the server
            # counted it in the current window, and it informs like any other answer.
            if self._tokens is not None:
                self._tokens += 1
            return
        # Every answer gives a safe upper bound of the window's end (the server rounds the reset
        # up and computed it before we received it): keep the smallest.
        reset_at = now + (rate.reset + self._margin) * self.time_scale
        # Our own count (tokens) is exact while we are alone. A lower server count is evidence
        # of another client; then also assume our requests still in flight after this one are
        # not counted yet.
        later = sum(1 for t in self._open if t > ticket)
        estimate = max(0, rate.remaining - later)
        if self._reset_at is None:
            self._reset_at = reset_at
            if self._tokens is None or rate.remaining < self._tokens:
                self._tokens = estimate if self._tokens is None else min(self._tokens, estimate)
        elif reset_at > self._reset_at + tolerance:
            # A later end than a bound we already hold: either a slow answer or a window that
            # started without us. Wait for the later end, and never raise our token count.
            self._reset_at = reset_at
            self._tokens = estimate if self._tokens is None else min(self._tokens, estimate)
        elif reset_at >= self._reset_at - tolerance:
            self._reset_at = min(self._reset_at, reset_at)
            if self._tokens is None or rate.remaining < self._tokens:
                self._tokens = estimate if self._tokens is None else min(self._tokens, estimate)
        # else: a straggler from an older window; its numbers are stale.

    def penalize(self, headers: Mapping[str, str] | None) -> float:
        """After a 429: hold everyone for ``max(retry-after, ratelimit-reset)`` + jitter.

        Returns:
            The hold in real seconds.
        """
        rate = parse_rate_headers(headers or {})
        if rate.time_scale is not None:
            self.time_scale = rate.time_scale
        base = max(rate.retry_after or 0.0, rate.reset or 0.0)
        if base == 0.0:
            base = self._window or 60.0
        hold = (base + self._margin + self._rng.uniform(0.0, self._jitter)) * self.time_scale
        with self._lock:
            now = self._clock()
            self._hold_until = max(self._hold_until, now + hold)
            self._tokens = 0
            self._reset_at = max(self._reset_at or 0.0, now + hold)
            if rate.limit is not None:
                self._limit = rate.limit
        log.info("%s bucket: 429, holding %.3fs", self.name, hold)
        return hold
