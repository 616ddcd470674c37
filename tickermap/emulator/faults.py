"""Rate-limit windows, seeded fault plans and counters for the OpenFIGI emulator.

:class:`Limits` and :class:`Faults` are the emulator's options; :class:`RateWindows` implements the
fixed-window algorithm of openfigi-api.md §1.10 on an emulated clock; :class:`FaultPlan` decides,
per request number, which fault (if any) to inject; :class:`EmulatorStats` counts what happened.
Nothing here touches sockets or HTTP; everything is thread-safe.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = [
    "FAULT_KINDS",
    "KEYED_LIMITS",
    "UNKEYED_LIMITS",
    "Bucket",
    "EmulatorStats",
    "FaultPlan",
    "Faults",
    "Limits",
    "RateDecision",
    "RateWindows",
]

Bucket = Literal["mapping", "search"]
FAULT_KINDS = ("429", "500", "503", "drop", "truncate", "misalign", "item_error", "slow")


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-identity limits (API key if given, else client address); fixed windows in seconds."""

    mapping_requests: int = 25
    mapping_window: float = 60.0
    jobs_per_request: int = 10
    search_requests: int = 5
    search_window: float = 60.0

    def bucket(self, bucket: Bucket) -> tuple[int, float]:
        """``(requests, window seconds)`` of one bucket."""
        if bucket == "mapping":
            return self.mapping_requests, self.mapping_window
        return self.search_requests, self.search_window


KEYED_LIMITS = Limits(25, 6.0, 100, 20, 60.0)
UNKEYED_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Faults:
    """Seeded fault injection.

    Attributes:
        rate: probability that a request gets a fault.
        kinds: the fault kinds drawn from (see :data:`FAULT_KINDS`).
        seed: the random seed; the same seed and request order give the same faults.
        force: request number (1-based, all endpoints) -> fault kind, regardless of ``rate``.
        slow_seconds: how long (real seconds) a ``slow`` response is held back.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 0
    force: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    slow_seconds: float = 0.5

    def __post_init__(self) -> None:
        unknown = [k for k in (*self.kinds, *self.force.values()) if k not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kind(s) {unknown!r}; choose from {FAULT_KINDS}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be within [0, 1], got {self.rate!r}")


class FaultPlan:
    """Numbers requests and decides which ones get a fault (thread-safe, reproducible)."""

    def __init__(self, faults: Faults | None) -> None:
        self.faults = faults or Faults()
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Restart numbering at 1 and reseed."""
        with self._lock:
            self._count = 0
            self._rng = random.Random(self.faults.seed)

    def next(self) -> tuple[int, str | None]:
        """Number the next request and return ``(number, fault kind or None)``."""
        with self._lock:
            self._count += 1
            n = self._count
            draw = self._rng.random()
            pick = self._rng.choice(self.faults.kinds) if self.faults.kinds else None
        if n in self.faults.force:
            return n, self.faults.force[n]
        if pick is not None and draw < self.faults.rate:
            return n, pick
        return n, None


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The outcome of counting one request: allowed or not, and the header values."""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    window: int


class RateWindows:
    """Fixed windows per (bucket, identity) on an emulated clock (openfigi-api.md §1.10).

    Emulated time runs ``1 / time_scale`` times faster than real time.
    """

    def __init__(self, time_scale: float = 1.0) -> None:
        if time_scale <= 0:
            raise ValueError(f"time_scale must be positive, got {time_scale!r}")
        self.time_scale = time_scale
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], list[float]] = {}  # -> [end, count]

    def now(self) -> float:
        """Emulated seconds."""
        return time.monotonic() / self.time_scale

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._windows.clear()

    def hit(self, bucket: Bucket, identity: str, limits: Limits) -> RateDecision:
        """Count one request and say whether it is within the limit."""
        limit, window = limits.bucket(bucket)
        now = self.now()
        with self._lock:
            state = self._windows.get((bucket, identity))
            if state is None or now >= state[0]:
                state = [now + window, 0.0]
                self._windows[(bucket, identity)] = state
            state[1] += 1
            count, end = int(state[1]), state[0]
        return RateDecision(
            allowed=count <= limit,
            limit=limit,
            remaining=max(limit - count, 0),
            reset=max(math.ceil(end - now), 0),
            window=math.ceil(window),
        )

    def exhaust(self, bucket: Bucket, identity: str, limits: Limits) -> RateDecision:
        """Use up the current window (a 429 burst fault) and return the resulting decision."""
        limit, window = limits.bucket(bucket)
        now = self.now()
        with self._lock:
            state = self._windows.get((bucket, identity))
            if state is None or now >= state[0]:
                state = [now + window, 0.0]
                self._windows[(bucket, identity)] = state
            state[1] = max(state[1], float(limit + 1))
            end = state[0]
        return RateDecision(False, limit, 0, max(math.ceil(end - now), 0), math.ceil(window))


@dataclass(slots=True)
class EmulatorStats:
    """Thread-safe counters of what the emulator served (never the API key).

    ``jobs`` counts mapping jobs answered with 200. ``log`` holds ``(t, method, path, n_jobs,
    status, keyed)`` per request, ``t`` in real seconds since the emulator started (or was reset),
    ``n_jobs`` the jobs in the request body; status 0 means the connection was dropped.
    """

    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    jobs: int = 0
    http_429: int = 0
    faults_injected: int = 0
    log: list[tuple[float, str, str, int, int, bool]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(
        self, method: str, path: str, n_jobs: int, status: int, keyed: bool, fault: bool
    ) -> None:
        """Count one answered (or dropped) request."""
        with self._lock:
            self.requests += 1
            self.by_status[status] = self.by_status.get(status, 0) + 1
            self.jobs += n_jobs if status == 200 else 0
            self.http_429 += status == 429
            self.faults_injected += fault
            t = time.monotonic() - self.started
            self.log.append((t, method, path, n_jobs, status, keyed))

    def clear(self) -> None:
        """Zero every counter and restart the clock."""
        with self._lock:
            self.requests = self.jobs = self.http_429 = self.faults_injected = 0
            self.by_status = {}
            self.log = []
            self.started = time.monotonic()
