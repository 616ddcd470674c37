"""The OpenFIGI client over real loopback HTTP: a scripted server for exact statuses and faults."""

from __future__ import annotations

import gzip
import json
import logging
import socket
import threading
import time
from collections import deque
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tickermap.config import Settings
from tickermap.errors import (
    AuthError,
    HTTPStatusError,
    OpenFigiError,
    ResponseShapeError,
    TransportError,
)
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.client import USER_AGENT, OpenFigiClient
from tickermap.openfigi.ratelimit import TIME_SCALE_HEADER
from tickermap.openfigi.records import Job, MapOutcome
from tickermap.progress import RecordingProgress

SECRET = "sk-test-SECRET-4f1c9a"
RATE = {
    "ratelimit-limit": "25",
    "ratelimit-remaining": "20",
    "ratelimit-reset": "30",
    "ratelimit-policy": "25;w=60",
    TIME_SCALE_HEADER: "0.001",  # plays a time-scaled emulator: waits are scaled by 0.001
}


def row(figi: str, exch: str = "US", comp: str | None = None) -> dict:
    return {
        "figi": figi,
        "name": "X CORP",
        "ticker": "X",
        "exchCode": exch,
        "compositeFIGI": comp or figi,
        "securityType": "Common Stock",
        "marketSector": "Equity",
        "shareClassFIGI": "BBG001S5N8V8",
        "securityType2": "Common Stock",
        "securityDescription": "X",
        "metadata": None,
    }


class Scripted:
    """Answers POST /v3/mapping from a queue of scripts; by default echoes a match per job."""

    def __init__(self) -> None:
        self.script: deque = deque()
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                return None

            def _serve(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                parsed = json.loads(body) if body else None
                with outer.lock:
                    outer.requests.append(
                        {
                            "path": self.path,
                            "method": self.command,
                            "headers": dict(self.headers),
                            "body": parsed,
                        }
                    )
                    step = outer.script.popleft() if outer.script else None
                if step is None:
                    step = outer.default(parsed)
                kind, status, headers, payload = step
                if kind == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if kind == "slow":
                    time.sleep(status)
                    step = outer.default(parsed)
                    kind, status, headers, payload = step
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                if kind == "json" and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                    data = gzip.compress(data)
                    headers = {**headers, "Content-Encoding": "gzip"}
                self.send_response(status)
                ctype = (
                    "application/json; charset=utf-8"
                    if kind == "json"
                    else "text/html; charset=utf-8"
                )
                self.send_header("Content-Type", ctype)
                length = len(data) + (50 if kind == "truncate" else 0)
                self.send_header("Content-Length", str(length))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
                if kind == "truncate":
                    self.close_connection = True

            do_POST = _serve
            do_GET = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def default(self, parsed):
        if isinstance(parsed, list):
            return ("json", 200, RATE, [{"data": [row(f"BBG{j['idValue']:0>9}")]} for j in parsed])
        return ("json", 200, RATE, {"data": [row("BBG000000001")]})

    def push(self, kind: str, status: int = 200, headers=None, payload=b"") -> None:
        self.script.append((kind, status, {**RATE, **(headers or {})}, payload))

    def text(self, status: int, body: str, headers=None) -> None:
        self.push("text", status, headers, body.encode())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def jobs_sent(self) -> int:
        return sum(len(r["body"]) for r in self.requests if isinstance(r["body"], list))


@pytest.fixture
def server():
    s = Scripted()
    yield s
    s.close()


def client_for(url: str, **kw) -> OpenFigiClient:
    settings = Settings(
        openfigi_url=url,
        cache_dir=Path("unused"),
        timeout=kw.pop("timeout", 5.0),
        max_attempts=kw.pop("max_attempts", 4),
        api_key=kw.pop("api_key", None),
    )
    kw.setdefault("workers", 1)
    return OpenFigiClient(settings, **kw)


def jobs(n: int, start: int = 0) -> list[Job]:
    return [
        Job("TICKER", f"{i}", exch_code="US", market_sec_des="Equity")
        for i in range(start, start + n)
    ]


def test_alignment_order_dedup_and_headers(server):
    js = jobs(25)
    with client_for(server.url) as c:
        out = c.map_jobs([*js, js[3], js[0]])
    assert len(out) == 27
    assert [o.job for o in out] == [*js, js[3], js[0]]
    assert all(o.records[0].figi == f"BBG{o.job.id_value:0>9}" for o in out)
    assert server.jobs_sent() == 25
    assert [len(r["body"]) for r in server.requests] == [10, 10, 5]
    h = server.requests[0]["headers"]
    assert h["User-Agent"] == USER_AGENT and "gzip" in h["Accept-Encoding"]
    assert h["Content-Type"] == "application/json"
    assert "X-OPENFIGI-APIKEY" not in h


def test_warning_error_and_data_are_never_confused(server):
    server.push(
        "json",
        payload=[
            {"data": [row("BBG000B9XRY4")]},
            {"warning": "No identifier found."},
            {"error": "Invalid idValue format"},
            {"error": "Invalid value for idType."},
        ],
    )
    with client_for(server.url) as c:
        out = c.map_jobs(jobs(4))
    assert [o.status for o in out] == ["matched", "not_found", "rejected", "rejected"]
    assert out[1].message == "No identifier found."


def test_unrecognised_item_error_is_retried_not_cached(server, tmp_path):
    server.push("json", payload=[{"data": [row("BBG000000000")]}, {"error": "Internal glitch"}])
    with OutcomeCache(tmp_path / "c.sqlite") as cache, client_for(server.url, cache=cache) as c:
        out = c.map_jobs(jobs(2))
        assert [o.status for o in out] == ["matched", "matched"]
        assert [len(r["body"]) for r in server.requests] == [2, 1]
        assert cache.count() == 2


@pytest.mark.parametrize(
    "kind",
    ["429", "500", "502", "503", "504", "drop", "truncate", "misalign", "badjson", "malformed"],
)
def test_transient_faults_are_retried_then_succeed(server, kind):
    if kind == "429":
        server.text(
            429,
            "Too many requests, please try again later.",
            {"retry-after": "2", "ratelimit-remaining": "0", "ratelimit-reset": "2"},
        )
    elif kind.isdigit():
        server.text(int(kind), "Internal server error.")
    elif kind == "misalign":
        server.push("json", payload=[{"warning": "No identifier found."}])
    elif kind == "badjson":
        server.push("text", 200, None, b'[{"data": [')
    elif kind == "malformed":
        server.push("json", payload=[{"nothing": 1}, {"warning": "x"}])
    else:
        server.push(kind)
    with client_for(server.url) as c:
        out = c.map_jobs(jobs(2))
        assert [o.status for o in out] == ["matched", "matched"]
        assert c.stats.retries == 1
        assert c.stats.http_429 == (kind == "429")
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "status,body", [(400, "Bad request."), (406, "Unsupported 'Accept' type.")]
)
def test_client_errors_are_not_retried(server, status, body):
    server.text(status, body)
    with client_for(server.url) as c:
        if status == 400:
            out = c.map_jobs(jobs(3))
            assert {o.status for o in out} == {"failed"}
            assert "400" in out[0].message
        else:
            with pytest.raises(HTTPStatusError) as info:
                c.map_jobs(jobs(3))
            assert info.value.status == status
    assert len(server.requests) == 1


def test_401_raises_auth_error_without_leaking_key(server, caplog):
    caplog.set_level(logging.DEBUG)
    server.text(401, "Invalid API key.")
    with client_for(server.url, api_key=SECRET) as c:
        assert SECRET not in repr(c)
        with pytest.raises(AuthError) as info:
            c.map_jobs(jobs(3))
    assert info.value.exit_code == 4
    assert server.requests[0]["headers"]["X-OPENFIGI-APIKEY"] == SECRET
    assert SECRET not in str(info.value) and SECRET not in caplog.text
    assert len(server.requests) == 1


def test_413_is_parsed_and_resplit_without_losing_jobs(server):
    server.text(413, "Request may only contain 4 mapping jobs.")
    with client_for(server.url, jobs_per_request=10) as c:
        out = c.map_jobs(jobs(10))
        assert c.jobs_per_request == 4
    assert all(o.status == "matched" for o in out)
    assert [len(r["body"]) for r in server.requests] == [10, 4, 4, 2]


def test_gives_up_after_max_attempts_with_reason(server):
    for _ in range(3):
        server.text(503, "Service Unavailable.")
    with client_for(server.url, max_attempts=3) as c:
        out = c.map_jobs(jobs(2))
        assert c.stats.retries == 2
    assert [o.status for o in out] == ["failed", "failed"]
    assert "503" in out[0].message
    assert len(server.requests) == 3


def test_timeout_becomes_failed_transport(server):
    server.push("slow", 1.0)
    server.push("slow", 1.0)
    with client_for(server.url, timeout=0.2, max_attempts=2) as c:
        out = c.map_jobs(jobs(1))
    assert out[0].status == "failed" and "did not answer" in out[0].message


@pytest.mark.parametrize(
    ("scenario", "cause"),
    [
        ("slow", requests.ReadTimeout),
        ("drop", requests.ConnectionError),
        ("truncate", requests.exceptions.ChunkedEncodingError),
        ("badgzip", requests.exceptions.ContentDecodingError),
        ("refused", requests.ConnectionError),
        ("badurl", requests.exceptions.InvalidURL),
        ("noschema", requests.exceptions.InvalidSchema),
    ],
)
def test_every_requests_error_is_translated(server, scenario, cause):
    """Real failures on loopback: each requests exception leaves as a TransportError."""
    url = server.url
    if scenario == "slow":
        server.push("slow", 1.0)
    elif scenario == "badgzip":
        server.push("text", 200, {"Content-Encoding": "gzip"}, b"not gzip at all")
    elif scenario == "refused":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{s.getsockname()[1]}"
    elif scenario == "badurl":
        url = "http://[::1"
    elif scenario == "noschema":
        url = "127.0.0.1:1"  # no scheme: requests finds no adapter
    else:
        server.push(scenario)
    with (
        client_for(url, max_attempts=1, timeout=0.3) as c,
        pytest.raises(TransportError) as info,
    ):
        c.transport.call("POST", "/v3/mapping", [], c.transport.mapping)
    assert isinstance(info.value.__cause__, cause)


def test_connection_refused_gives_failed_outcomes():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with client_for(f"http://127.0.0.1:{port}", max_attempts=2) as c:
        out = c.map_jobs(jobs(2))
    assert {o.status for o in out} == {"failed"}
    assert "cannot reach" in out[0].message


def test_cache_first_then_written_and_offline(server, tmp_path):
    with OutcomeCache(tmp_path / "c.sqlite") as cache:
        with client_for(server.url, cache=cache) as c:
            c.map_jobs(jobs(15))
        n = len(server.requests)
        progress = RecordingProgress()
        with client_for(server.url, cache=cache) as c:
            out = c.map_jobs(jobs(20), progress=progress)
            assert c.stats.from_cache == 15 and c.stats.sent_jobs == 5
        assert sum(o.from_cache for o in out) == 15
        assert progress.done == 20 and progress.finished == 1
        assert len(server.requests) == n + 1
        with client_for(server.url, cache=cache, offline=True) as c:
            out = c.map_jobs(jobs(22))
        assert len(server.requests) == n + 1
        assert [o.status for o in out[20:]] == ["failed", "failed"]
        assert out[21].message == "not in cache (offline)"
        keys = cache.keys()
        assert all(SECRET not in k for k in keys)


def test_key_never_reaches_cache_logs_or_errors(server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    server.text(503, "Service Unavailable.")
    server.text(429, "Too many requests, please try again later.", {"retry-after": "1"})
    with (
        OutcomeCache(tmp_path / "c.sqlite") as cache,
        client_for(server.url, cache=cache, api_key=SECRET) as c,
    ):
        out = c.map_jobs(jobs(30))
        assert SECRET not in repr(c) and SECRET not in repr(c.stats)
    raw = (tmp_path / "c.sqlite").read_bytes()
    assert SECRET.encode() not in raw
    assert SECRET not in caplog.text
    assert all(SECRET not in o.to_json() for o in out)
    assert all(r["headers"]["X-OPENFIGI-APIKEY"] == SECRET for r in server.requests)
    assert all(SECRET not in json.dumps(r["body"]) for r in server.requests)


def test_concurrent_workers_keep_alignment(server):
    js = jobs(300)
    with client_for(server.url, workers=4) as c:
        out = c.map_jobs(js)
    assert [o.job for o in out] == js
    assert all(o.records[0].figi == f"BBG{o.job.id_value:0>9}" for o in out)
    assert server.jobs_sent() == 300


def test_values_search_and_filter_follow_next(server):
    server.push("json", payload={"values": ["TICKER", "ID_ISIN"]})
    server.push("json", payload={"data": [row("BBG000000001")], "next": "c1", "total": 3})
    server.push("json", payload={"data": [row("BBG000000002")], "next": "c2", "total": 3})
    server.push("json", payload={"data": [row("BBG000000003")], "total": 3})
    with client_for(server.url) as c:
        assert c.values("idType") == ["TICKER", "ID_ISIN"]
        res = c.filter(exch_code="US", security_type2="Common Stock")
    assert res.complete and res.total == 3 and res.next_cursor is None
    assert [r.figi for r in res.records] == ["BBG000000001", "BBG000000002", "BBG000000003"]
    assert server.requests[0]["path"] == "/v3/mapping/values/idType"
    assert server.requests[1]["body"] == {"exchCode": "US", "securityType2": "Common Stock"}
    assert server.requests[2]["body"]["start"] == "c1"


def test_filter_failure_midway_is_resumable_never_complete(server):
    server.push("json", payload={"data": [row("BBG000000001")], "next": "c1", "total": 2})
    server.text(429, "Too many requests, please try again later.", {"retry-after": "1"})
    server.text(429, "Too many requests, please try again later.", {"retry-after": "1"})
    server.push("json", payload={"data": [row("BBG000000002")], "total": 2})
    with client_for(server.url, max_attempts=2) as c:
        part = c.filter("x")
        assert not part.complete and part.next_cursor == "c1" and len(part.records) == 1
        rest = c.filter("x", start=part.next_cursor)
    assert rest.complete and [r.figi for r in rest.records] == ["BBG000000002"]
    assert server.requests[-1]["body"] == {"query": "x", "start": "c1"}


def test_search_200_with_error(server):
    server.push("json", payload={"error": "Invalid key 'includeEntitlements'."})
    with client_for(server.url) as c, pytest.raises(OpenFigiError, match="includeEntitlements"):
        c.search("ibm", include_entitlements=True)
    assert len(server.requests) == 1
    server.push("json", payload={"error": "Temporary failure."})
    with client_for(server.url) as c:
        assert [r.figi for r in c.search("ibm")] == ["BBG000000001"]


def test_records_ignore_unknown_fields_and_accept_nulls(server):
    server.push(
        "json", payload=[{"data": [{"figi": "BBG000000009", "metadata": "m", "name": None}]}]
    )
    with client_for(server.url) as c:
        (o,) = c.map_jobs(jobs(1))
    assert o.records[0].figi == "BBG000000009" and o.records[0].exch_code is None


def test_outcome_json_round_trip():
    o = MapOutcome(jobs(1)[0], "not_found", (), "No identifier found.", datetime.now(timezone.utc))
    back = MapOutcome.from_json(o.to_json())
    assert (back.job, back.status, back.message, back.fetched_at) == (
        o.job,
        o.status,
        o.message,
        o.fetched_at,
    )
    assert back.from_cache


def test_shape_error_class_for_misaligned():
    assert issubclass(ResponseShapeError, OpenFigiError)


def _replay(server, path: Path) -> dict:
    rec = json.loads(path.read_text())
    resp = rec["response"]
    skip = {"transfer-encoding", "content-length", "content-encoding", "content-type"}
    headers = {k: v for k, v in resp["headers"].items() if k not in skip}
    if "bodyJson" in resp:
        server.push("json", resp["status"], headers, resp["bodyJson"])
    else:
        server.push("text", resp["status"], headers, resp["bodyText"].encode())
    return rec


@pytest.mark.shared_data
def test_recorded_real_answers_are_read_faithfully(server, shared_data):
    """Real OpenFIGI exchanges (recorded 2025), replayed over loopback with their headers."""
    rec_dir = shared_data / "openfigi_recorded"
    aapl = _replay(server, rec_dir / "v3_mapping_he9ee9fe_bd5cd759.json")
    invalid = _replay(server, rec_dir / "v3_mapping_he9ee9fe_b5faeea8.json")
    values = _replay(server, rec_dir / "v3_mapping_values_idType_he9ee9fe.json")
    with client_for(server.url) as c:
        (o,) = c.map_jobs([Job.from_payload(aapl["request"]["bodyJson"][0])])
        (bad,) = c.map_jobs([Job.from_payload(invalid["request"]["bodyJson"][0])])
        got_values = c.values("idType")
    row = aapl["response"]["bodyJson"][0]["data"][0]
    assert o.status == "matched" and o.records[0].to_api() == row
    assert bad.status == "rejected" and bad.message == "Invalid value for idType."
    assert got_values == values["response"]["bodyJson"]["values"]
    assert server.requests[0]["body"] == aapl["request"]["bodyJson"]
    _replay(server, rec_dir / "v3_mapping_h6e11d78_bd5cd759.json")
    with (
        client_for(server.url, api_key="INVALID") as c,
        pytest.raises(AuthError, match="Invalid API"),
    ):
        c.map_jobs([Job.from_payload(aapl["request"]["bodyJson"][0])])


def test_client_learns_time_scale_from_a_scaled_emulator(make_emulator):
    emu = make_emulator(time_scale=0.002)  # a 60 s window lasts 0.12 real seconds
    settings = Settings(openfigi_url=emu.url, cache_dir=Path("unused"), timeout=5.0)
    with OpenFigiClient(settings, workers=1) as client:
        t0 = time.monotonic()
        outcomes = client.map_jobs(jobs(10 * 60))  # 60 requests: 2 full windows of 25 first
        elapsed = time.monotonic() - t0
        assert client.stats.http_429 == 0 and emu.stats.http_429 == 0
    assert len(outcomes) == 600
    assert 2 * 0.12 <= elapsed < 10.0  # paced in scaled time, not 2 real minutes
    r = requests.post(
        emu.url + "/v3/mapping", json=[{"idType": "TICKER", "idValue": "X"}], timeout=5
    )
    assert r.headers[TIME_SCALE_HEADER] == "0.002"


def test_unscaled_emulator_sends_no_time_scale_header(make_emulator):
    emu = make_emulator()
    r = requests.post(
        emu.url + "/v3/mapping", json=[{"idType": "TICKER", "idValue": "X"}], timeout=5
    )
    assert r.status_code == 200 and TIME_SCALE_HEADER not in r.headers
