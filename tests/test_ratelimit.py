"""The header-driven limiter against an independent fixed-window server model (doc §1.10)."""

from __future__ import annotations

import math
import random
import threading
import time

import pytest

from tickermap.openfigi.ratelimit import TIME_SCALE_HEADER, BucketLimiter, parse_rate_headers


class WindowServer:
    """A fixed-window counter written from the doc: window starts at the first request."""

    def __init__(self, limit: int, window: float, scale: float, clock=time.monotonic) -> None:
        self.limit, self.window, self.scale, self.clock = limit, window, scale, clock
        self.start: float | None = None
        self.count = 0
        self.hits: list[float] = []
        self.rejected = 0
        self.lock = threading.Lock()

    def hit(self) -> tuple[int, dict[str, str]]:
        with self.lock:
            now = self.clock()
            if self.start is None or now >= self.start + self.window * self.scale:
                self.start, self.count = now, 0
            self.count += 1
            reset = math.ceil((self.start + self.window * self.scale - now) / self.scale)
            headers = {
                "ratelimit-limit": str(self.limit),
                "ratelimit-remaining": str(max(self.limit - self.count, 0)),
                "ratelimit-reset": str(reset),
                "ratelimit-policy": f"{self.limit};w={int(self.window)}",
            }
            if self.scale != 1.0:  # what a time-scaled tickermap emulator adds
                headers[TIME_SCALE_HEADER] = repr(self.scale)
            if self.count > self.limit:
                self.rejected += 1
                headers["retry-after"] = str(reset)
                return 429, headers
            self.hits.append(now)
            return 200, headers


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"ratelimit-policy": "25;w=60"}, (25, None, None, 60.0, None)),
        (
            {"ratelimit-limit": "5", "ratelimit-remaining": "0", "ratelimit-reset": "32"},
            (5, 0, 32.0, None, None),
        ),
        ({"retry-after": "58", "ratelimit-reset": "x"}, (None, None, None, None, 58.0)),
        ({"ratelimit-remaining": "-3", "ratelimit-policy": "junk"}, (None, None, None, None, None)),
        ({}, (None, None, None, None, None)),
    ],
    ids=["policy", "counts", "retry-after-and-junk", "negative-and-bad-policy", "empty"],
)
def test_parse_rate_headers(headers, expected):
    h = parse_rate_headers(headers)
    assert (h.limit, h.remaining, h.reset, h.window, h.retry_after) == expected


@pytest.mark.parametrize("limit,window,n", [(25, 60.0, 260), (5, 60.0, 37), (25, 6.0, 101)])
def test_sequential_client_never_exceeds_window_and_uses_it_fully(limit, window, n):
    clock = FakeClock()
    server = WindowServer(limit, window, 1.0, clock=clock)
    limiter = BucketLimiter("mapping", clock=clock, sleep=clock.sleep, margin=0.0)
    t0 = clock.now
    for _ in range(n):
        ticket = limiter.acquire()
        clock.now += 0.01  # request latency
        status, headers = server.hit()
        limiter.release(ticket, headers)
        assert status == 200
    windows_needed = math.ceil(n / limit)
    # ceil() of the reset header costs < 1 s per window, latency 0.01 s per request.
    assert clock.now - t0 <= (windows_needed - 1) * (window + 1.0) + n * 0.011 + 1.0
    assert server.rejected == 0


def test_threads_share_one_budget_without_429():
    scale = 0.06 / 60.0  # a 60 s window lasts 60 ms
    server = WindowServer(5, 60.0, scale)
    limiter = BucketLimiter("mapping")  # learns the scale from the server's headers
    statuses: list[int] = []
    lock = threading.Lock()
    rng = random.Random(3)
    delays = [rng.uniform(0.0005, 0.003) for _ in range(60)]

    def work(i: int) -> None:
        for d in delays[i::4]:
            ticket = limiter.acquire()
            time.sleep(d)
            status, headers = server.hit()
            limiter.release(ticket, headers)
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert len(statuses) == 60
    assert statuses.count(429) == 0
    # 60 requests at 5 per 60 ms window need 11 full windows after the first.
    assert elapsed >= 11 * 0.06 * 0.95
    # ... and not much more (each window loses at most the ceil of one emulated second).
    assert elapsed <= 12 * 0.06 * (61 / 60) + 0.5


def test_penalize_holds_for_max_of_retry_after_and_reset():
    clock = FakeClock()
    limiter = BucketLimiter("mapping", clock=clock, sleep=clock.sleep, jitter=0.0, margin=0.0)
    hold = limiter.penalize({"retry-after": "60", "ratelimit-reset": "42"})
    assert hold == pytest.approx(60.0)
    t0 = clock.now
    limiter.release(limiter.acquire(), None)
    assert clock.now - t0 == pytest.approx(60.0)
    hold = limiter.penalize({"retry-after": "3", "ratelimit-reset": "7"})
    assert hold == pytest.approx(7.0)


def test_penalize_adds_bounded_jitter_scaled():
    limiter = BucketLimiter("mapping", jitter=2.0, margin=0.0)
    holds = [limiter.penalize({"retry-after": "10", TIME_SCALE_HEADER: "0.5"}) for _ in range(50)]
    assert all(5.0 <= h <= 6.0 for h in holds)
    assert len(set(holds)) > 1


def test_unknown_limits_probe_one_request_at_a_time():
    clock = FakeClock()
    limiter = BucketLimiter("search", clock=clock, sleep=clock.sleep)
    first = limiter.acquire()
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        limiter.release(first, {"ratelimit-remaining": "4", "ratelimit-reset": "60"})

    limiter.sleep = sleep
    limiter.acquire()
    assert waits, "the second request must wait for the first answer's headers"


def test_other_client_in_same_bucket_is_respected():
    clock = FakeClock()
    limiter = BucketLimiter("mapping", clock=clock, sleep=clock.sleep, margin=0.0)
    ticket = limiter.acquire()
    # Another process already used the window: the server says 0 left, 30 s to go.
    limiter.release(ticket, {"ratelimit-remaining": "0", "ratelimit-reset": "30"})
    t0 = clock.now
    limiter.acquire()
    assert clock.now - t0 == pytest.approx(30.0)


def test_failures_without_headers_never_deadlock():
    """Spent tokens with no headers coming back (server down) wait one window, then go on."""
    clock = FakeClock()
    limiter = BucketLimiter("mapping", clock=clock, sleep=clock.sleep, margin=0.0)
    limiter.release(limiter.acquire(), {"ratelimit-policy": "3;w=60"})  # limit known, no counts
    t0 = clock.now
    for _ in range(7):
        limiter.release(limiter.acquire(), None)
    assert 60.0 <= clock.now - t0 <= 125.0


def test_request_straddling_rollover_is_counted_once():
    clock = FakeClock()
    server = WindowServer(4, 60.0, 1.0, clock=clock)
    limiter = BucketLimiter("mapping", clock=clock, sleep=clock.sleep, margin=0.0)
    statuses = []
    # Fill the first window, holding the last request's answer back past the window's end.
    for _ in range(3):
        t = limiter.acquire()
        status, headers = server.hit()
        limiter.release(t, headers)
        statuses.append(status)
    late = limiter.acquire()
    clock.now += 61.0  # the late request reaches the server in the next window
    for _ in range(5):
        t = limiter.acquire()
        status, headers = server.hit()
        limiter.release(t, headers)
        statuses.append(status)
    status, headers = server.hit()
    limiter.release(late, headers)
    statuses.append(status)
    assert statuses.count(429) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.01", 0.01), ("1", 1.0), ("2", None), ("0", None), ("-1", None), ("x", None)],
)
def test_time_scale_header_accepts_only_speed_ups(value, expected):
    assert parse_rate_headers({TIME_SCALE_HEADER: value}).time_scale == expected


def test_limiter_learns_time_scale_from_headers_and_scales_waits():
    clock = FakeClock()
    limiter = BucketLimiter("mapping", clock=clock, sleep=clock.sleep, margin=0.0)
    assert limiter.time_scale == 1.0
    ticket = limiter.acquire()
    headers = {"ratelimit-remaining": "0", "ratelimit-reset": "30", TIME_SCALE_HEADER: "0.01"}
    limiter.release(ticket, headers)
    assert limiter.time_scale == 0.01
    t0 = clock.now
    limiter.acquire()
    assert clock.now - t0 == pytest.approx(0.3)  # 30 emulated seconds at 0.01
