"""A faithful local emulator of the OpenFIGI v3 API, served over HTTP on 127.0.0.1.

:class:`Emulator` runs a stdlib ``ThreadingHTTPServer`` (HTTP/1.1 keep-alive) in a daemon thread
over a :class:`~tickermap.emulator.world.World`. It reproduces what openfigi-api.md Part 1
records: routes
and plain-text error bodies (404, 405, 401, 406, 415, 400, 413, 429, 500, 503), the helmet/envoy
header set, ``ratelimit-*`` headers on every 200 and 429 with fixed windows per API key or client
address on an emulated, time-scaled clock, chunked JSON, gzip, and seeded fault injection.
Endpoint answers come from :mod:`tickermap.emulator.endpoints`; windows, faults and counters from
:mod:`tickermap.emulator.faults`. It never logs or stores an API key.

Request pipeline: route (404/405) -> key (401) -> rate window (429) -> Accept (406) ->
Content-Type (415) -> JSON (400) -> endpoint (413, 200) -> fault (on 200 answers only).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Collection
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from tickermap.emulator.endpoints import TEXT, answer_mapping, answer_search, answer_values
from tickermap.emulator.faults import (
    KEYED_LIMITS,
    UNKEYED_LIMITS,
    Bucket,
    EmulatorStats,
    FaultPlan,
    Faults,
    Limits,
    RateDecision,
    RateWindows,
)
from tickermap.emulator.world import World
from tickermap.openfigi.ratelimit import TIME_SCALE_HEADER

__all__ = [
    "KEYED_LIMITS",
    "UNKEYED_LIMITS",
    "Emulator",
    "EmulatorHandler",
    "EmulatorStats",
    "Faults",
    "Limits",
]

log = logging.getLogger(__name__)

_FIXED_HEADERS = (
    ("cache-control", "private, no-cache, no-store, must-revalidate"),
    (
        "content-security-policy",
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';"
        "frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';"
        "script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
    ),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("expires", "0"),
    ("origin-agent-cluster", "?1"),
    ("pragma", "no-cache"),
    ("referrer-policy", "no-referrer"),
    ("server", "istio-envoy"),
    ("strict-transport-security", "max-age=31536000; includeSubDomains"),
    ("x-content-type-options", "nosniff"),
    ("x-dns-prefetch-control", "off"),
    ("x-download-options", "noopen"),
    ("x-frame-options", "SAMEORIGIN"),
    ("x-permitted-cross-domain-policies", "none"),
    ("x-xss-protection", "0"),
)
_JSON_TYPE = "application/json; charset=utf-8"
_TEXT_TYPE = "text/html; charset=utf-8"
_GZIP_THRESHOLD = 1024  # express "compression" skips smaller bodies
_ACCEPTABLE = {"*/*", "application/*", "application/json", "text/*", "text/json", "text/html"}
_ITEM_ERROR = {"error": "Unexpected error. Please try again later."}


def _route(path: str) -> tuple[str, Bucket | None, str | None]:
    """``(endpoint, bucket, allowed method)``; endpoint "" for an unknown path."""
    if path == "/v3/mapping":
        return "mapping", "mapping", "POST"
    if path.startswith("/v3/mapping/values/") and path.count("/") == 4:
        return "values", "mapping", "GET"
    if path in ("/v3/search", "/v3/filter"):
        return path.rsplit("/", 1)[1], "search", "POST"
    return "", None, None


class Emulator:
    """The OpenFIGI v3 emulator; ``with Emulator(world) as emu: ... emu.url ...``.

    Args:
        world: the records to serve.
        api_keys: keys accepted in ``X-OPENFIGI-APIKEY``; any other (or empty) key gets 401.
        unkeyed: limits without a key (per client address).
        keyed: limits with a key (per key).
        time_scale: emulated time runs ``1 / time_scale`` times faster (0.01: a 60 s window
            lasts 0.6 real seconds); header values stay in emulated seconds, and every answer
            carrying ``ratelimit-*`` headers also carries ``tickermap-time-scale: <factor>``
            (only when the factor is not 1), from which the client learns to scale its waits.
        faults: seeded fault injection, or None for none.
        retry_after_mode: ``reset`` (2026 behaviour: equals ``ratelimit-reset``) or ``window``
            (2023: the full window).
        policy_header: send ``ratelimit-policy`` (absent in 2023 recordings).
        host: address to bind (loopback unless the caller insists otherwise).
        port: port to bind, 0 for any free one.
    """

    def __init__(
        self,
        world: World,
        *,
        api_keys: Collection[str] = (),
        unkeyed: Limits = UNKEYED_LIMITS,
        keyed: Limits = KEYED_LIMITS,
        time_scale: float = 1.0,
        faults: Faults | None = None,
        retry_after_mode: Literal["reset", "window"] = "reset",
        policy_header: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.world = world
        self._keys = frozenset(hashlib.sha256(k.encode()).hexdigest() for k in api_keys)
        self.unkeyed = unkeyed
        self.keyed = keyed
        self.time_scale = time_scale
        self.faults = faults or Faults()
        self.retry_after_mode = retry_after_mode
        self.policy_header = policy_header
        self.host = host
        self.port = port
        self.url = ""
        self.stats = EmulatorStats()
        self.windows = RateWindows(time_scale)
        self.plan = FaultPlan(self.faults)
        self.secret = os.urandom(16)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    handler_class: type[EmulatorHandler]
    """The request handler class :meth:`start` binds to this emulator (subclass it to tweak)."""

    def __repr__(self) -> str:
        return f"Emulator(url={self.url!r}, records={len(self.world)}, keys={len(self._keys)})"

    def start(self) -> Emulator:
        """Bind and serve in a daemon thread; sets :attr:`url`."""
        if self._server is not None:
            return self
        handler = type("_BoundHandler", (self.handler_class,), {"emulator": self})
        server = _Server((self.host, self.port), handler)
        self._server = server
        self.port = server.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.reset()
        log.info("OpenFIGI emulator serving %d records at %s", len(self.world), self.url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Clear counters, rate windows and the fault plan's numbering (for reusing a server)."""
        self.stats.clear()
        self.windows.reset()
        self.plan.reset()

    # -- used by the handler ------------------------------------------------------------------

    def identity(self, key: str | None, address: str) -> tuple[str, Limits] | None:
        """``(identity, limits)`` for a request, or None when the key is not accepted."""
        if key is None:
            return "addr:" + address, self.unkeyed
        digest = hashlib.sha256(key.encode()).hexdigest()
        if not key or digest not in self._keys:
            return None
        return "key:" + digest, self.keyed

    def rate_headers(self, d: RateDecision) -> list[tuple[str, str]]:
        """The ``ratelimit-*`` (and on 429 ``retry-after``) headers for one decision."""
        headers = [
            ("ratelimit-limit", str(d.limit)),
            ("ratelimit-remaining", str(d.remaining)),
            ("ratelimit-reset", str(d.reset)),
        ]
        if self.policy_header:
            headers.append(("ratelimit-policy", f"{d.limit};w={d.window}"))
        if not d.allowed:
            retry = d.reset if self.retry_after_mode == "reset" else d.window
            headers.append(("retry-after", str(retry)))
        if self.time_scale != 1.0:
            headers.append((TIME_SCALE_HEADER, repr(float(self.time_scale))))
        return headers


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many concurrent clients in benchmarks


class EmulatorHandler(BaseHTTPRequestHandler):
    """Serves one connection of an :class:`Emulator` (see the module docstring's pipeline)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # head and body go out in one write; no delayed-ACK stall
    emulator: Emulator

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.client_address[0], *args)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    # -- pipeline -----------------------------------------------------------------------------

    def _handle(self) -> None:
        emu = self.emulator
        self._t0 = time.monotonic()
        self._rate: list[tuple[str, str]] = []
        self._n_jobs = 0
        self._fault_done = False
        raw = self._read_body()
        number, fault = emu.plan.next()
        path = self.path.split("?", 1)[0]
        endpoint, bucket, method = _route(path)
        if not endpoint or bucket is None:
            return self._text(404)
        if self.command != method:
            return self._text(405)
        who = emu.identity(self.headers.get("X-OPENFIGI-APIKEY"), self.client_address[0])
        if who is None:
            return self._text(401)
        identity, limits = who
        decision = emu.windows.hit(bucket, identity, limits)
        self._rate = emu.rate_headers(decision)
        if not decision.allowed:
            return self._text(429)
        if not self._accept_ok():
            return self._text(406)
        if endpoint == "values":
            status, body = answer_values(emu.world, path.rsplit("/", 1)[1])
        else:
            if not self._content_type_ok():
                return self._text(415)
            try:
                payload = json.loads(raw.decode("utf-8")) if raw else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                return self._text(400)
            if endpoint == "mapping":
                self._n_jobs = len(payload) if isinstance(payload, list) else 0
                status, body = answer_mapping(emu.world, payload, limits.jobs_per_request)
            else:
                status, body = answer_search(emu.world, payload, kind=endpoint, secret=emu.secret)
        if status != 200:
            return self._text(status, body)
        if fault is not None and self._inject(fault, endpoint, body, bucket, identity, limits):
            log.debug("request %d: injected fault %s", number, fault)
            return None
        return self._json(body)

    def _inject(
        self, fault: str, endpoint: str, body: Any, bucket: Bucket, identity: str, limits: Limits
    ) -> bool:
        """Apply one fault to a 200 answer; False when the kind does not apply to this endpoint."""
        emu = self.emulator
        self._fault_done = True
        if fault == "429":
            self._rate = emu.rate_headers(emu.windows.exhaust(bucket, identity, limits))
            self._text(429)
        elif fault in ("500", "503"):
            self._text(int(fault))
        elif fault == "drop":
            self.close_connection = True
            self._record(0)
        elif fault == "truncate":
            self._json(body, truncate=True)
        elif fault == "slow":
            time.sleep(emu.faults.slow_seconds)
            self._json(body)
        elif endpoint == "mapping" and fault == "misalign":
            n = len(body)
            self._json(body[:-1] if n > 1 else [*body, {"warning": "No identifier found."}])
        elif endpoint == "mapping" and fault == "item_error" and body:
            self._json([dict(_ITEM_ERROR), *body[1:]])
        elif endpoint in ("search", "filter") and fault in ("misalign", "item_error"):
            self._json(dict(_ITEM_ERROR))
        else:
            self._fault_done = False
            return False
        return True

    # -- I/O ----------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _accept_ok(self) -> bool:
        accept = self.headers.get("Accept")
        if not accept:
            return True
        types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
        return bool(types & _ACCEPTABLE)

    def _content_type_ok(self) -> bool:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return ctype in ("application/json", "text/json")

    def _start(self, status: int, ctype: str, extra: list[tuple[str, str]]) -> None:
        """Prepare the status line and headers; :meth:`_send` writes them with the body."""
        elapsed = max(int((time.monotonic() - self._t0) * 1000), 1)
        headers = [
            *_FIXED_HEADERS,
            ("content-type", ctype),
            ("date", formatdate(usegmt=True)),
            ("x-envoy-upstream-service-time", str(elapsed)),
            ("x-request-id", str(uuid.uuid4())),
            *self._rate,
            *extra,
        ]
        lines = [f"HTTP/1.1 {status} {self.responses[status][0]}"]
        lines += [f"{name}: {value}" for name, value in sorted(headers)]
        self._head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.log_request(status)

    def _send(self, data: bytes) -> None:
        """Write head and body in one go (no Nagle/delayed-ACK stall on keep-alive)."""
        self.wfile.write(self._head + data)

    def _text(self, status: int, text: str | None = None) -> None:
        data = (text if text is not None else TEXT[status]).encode()
        vary = "Origin, Accept-Encoding" if status != 404 else "Accept-Encoding"
        self._record(status)  # before answering: a client may read stats right after
        self._start(status, _TEXT_TYPE, [("content-length", str(len(data))), ("vary", vary)])
        self._send(data)

    def _json(self, body: Any, *, truncate: bool = False) -> None:
        data = json.dumps(body, separators=(",", ":")).encode()
        extra = [("vary", "Origin, Accept-Encoding")]
        if len(data) >= _GZIP_THRESHOLD and "gzip" in self.headers.get("Accept-Encoding", ""):
            data = gzip.compress(data, compresslevel=5)
            extra.append(("content-encoding", "gzip"))
        self._record(200)
        if truncate:
            extra.append(("content-length", str(len(data) + 64)))
            self._start(200, _JSON_TYPE, extra)
            self._send(data[: len(data) // 2])
            self.close_connection = True
        else:
            extra.append(("transfer-encoding", "chunked"))
            self._start(200, _JSON_TYPE, extra)
            self._send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))

    def _record(self, status: int) -> None:
        path = self.path.split("?", 1)[0]
        keyed = self.headers.get("X-OPENFIGI-APIKEY") is not None
        self.emulator.stats.record(
            self.command, path, self._n_jobs, status, keyed, self._fault_done
        )


Emulator.handler_class = EmulatorHandler
