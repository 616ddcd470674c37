"""The community-file registry and the checksum-verified download, against a loopback server."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tickermap import __version__, errors
from tickermap.cli import app
from tickermap.config import Settings
from tickermap.maps.load import load_map
from tickermap.maps.sources import Source, fetch_source, load_registry, source_cache_path
from tickermap.progress import RecordingProgress

DATA = Path(__file__).parent / "data"
BODY = (DATA / "map_signals.csv").read_bytes()
BODY_SHA = hashlib.sha256(BODY).hexdigest()


@dataclass
class Recorder:
    """What the loopback server saw."""

    paths: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    recorder: Recorder

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        return None

    def do_GET(self) -> None:
        self.recorder.paths.append(self.path)
        self.recorder.agents.append(self.headers.get("User-Agent", ""))
        if self.path.startswith("/good"):
            self._send(200, BODY)
        elif self.path.startswith("/cut"):  # promise the whole body, send half, hang up
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY[: len(BODY) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self._send(404, b"not found")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[tuple[str, Recorder]]:
    """A real HTTP server on 127.0.0.1 (random port) in a daemon thread."""
    recorder = Recorder()
    handler = type("Handler", (_Handler,), {"recorder": recorder})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", recorder
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def registry(base: str, *, sha: str = BODY_SHA, path: str = "/good/map.csv") -> dict[str, Source]:
    src = Source(
        name="demo",
        url=f"{base}{path}",
        sha256=sha,
        licence="CC0",
        preset="signals_map",
        description="synthetic",
    )
    return {src.name: src}


def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", timeout=5)


def test_fetch_verifies_caches_and_reuses(tmp_path: Path, server: tuple[str, Recorder]) -> None:
    base, seen = server
    reg = registry(base)
    progress = RecordingProgress()
    path = fetch_source("demo", settings=settings(tmp_path), registry=reg, progress=progress)
    assert path == tmp_path / "cache" / "sources" / "demo" / f"{BODY_SHA}.csv"
    assert path.read_bytes() == BODY
    assert progress.done == len(BODY) and progress.tasks == [("download", len(BODY))]
    assert seen.agents == [f"tickermap/{__version__}"]
    again = fetch_source("demo", settings=settings(tmp_path), registry=reg)
    assert again == path and len(seen.paths) == 1  # zero requests the second time
    assert load_map(path).preset == "signals_map"
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_corrupt_cached_copy_is_downloaded_again(
    tmp_path: Path, server: tuple[str, Recorder]
) -> None:
    base, seen = server
    reg = registry(base)
    target = source_cache_path(reg["demo"], settings(tmp_path))
    target.parent.mkdir(parents=True)
    target.write_bytes(b"truncated")
    assert fetch_source("demo", settings=settings(tmp_path), registry=reg).read_bytes() == BODY
    assert len(seen.paths) == 1


def test_checksum_mismatch_keeps_nothing(tmp_path: Path, server: tuple[str, Recorder]) -> None:
    base, _ = server
    wrong = hashlib.sha256(b"other bytes").hexdigest()
    with pytest.raises(errors.ChecksumMismatch, match=BODY_SHA) as info:
        fetch_source("demo", settings=settings(tmp_path), registry=registry(base, sha=wrong))
    assert info.value.exit_code == 8
    folder = tmp_path / "cache" / "sources" / "demo"
    assert not folder.exists() or not list(folder.iterdir())


@pytest.mark.parametrize(
    ("path", "match"),
    [
        pytest.param("/missing.csv", "HTTP 404", id="404"),
        pytest.param("/cut/map.csv", "ChunkedEncodingError|failed", id="closed-mid-body"),
    ],
)
def test_http_failures_become_download_errors(
    tmp_path: Path, server: tuple[str, Recorder], path: str, match: str
) -> None:
    base, _ = server
    with pytest.raises(errors.DownloadError, match=match) as info:
        fetch_source("demo", settings=settings(tmp_path), registry=registry(base, path=path))
    assert type(info.value) is errors.DownloadError
    folder = tmp_path / "cache" / "sources" / "demo"
    assert not folder.exists() or not list(folder.iterdir())


def test_connection_refused_is_a_download_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    reg = registry(f"http://127.0.0.1:{port}")
    with pytest.raises(errors.DownloadError, match="ConnectionError"):
        fetch_source("demo", settings=settings(tmp_path), registry=reg)


def test_unpinned_source_needs_explicit_sha(tmp_path: Path, server: tuple[str, Recorder]) -> None:
    base, seen = server
    reg = registry(base, sha="")
    with pytest.raises(errors.DownloadError, match="--sha256"):
        fetch_source("demo", settings=settings(tmp_path), registry=reg)
    assert seen.paths == []
    path = fetch_source("demo", settings=settings(tmp_path), registry=reg, sha256=BODY_SHA.upper())
    assert path.name == f"{BODY_SHA}.csv"
    with pytest.raises(errors.ConfigError, match="64 hex"):
        fetch_source("demo", settings=settings(tmp_path), registry=reg, sha256="abc")


def test_url_override_and_unknown_name(tmp_path: Path, server: tuple[str, Recorder]) -> None:
    base, seen = server
    reg = registry("https://example.invalid")
    got = fetch_source(
        "demo", settings=settings(tmp_path), registry=reg, url_override=f"{base}/good/mirror.csv"
    )
    assert got.read_bytes() == BODY and seen.paths == ["/good/mirror.csv"]
    with pytest.raises(errors.ConfigError, match="known sources: demo"):
        fetch_source("nope", settings=settings(tmp_path), registry=reg)


def test_bundled_registry_pins_the_guillem_map(shared_data: Path) -> None:
    sources = load_registry()
    guillem = sources["guillem"]
    real = (shared_data / "signals_map_guillem.csv").read_bytes()
    assert guillem.sha256 == hashlib.sha256(real).hexdigest()
    assert guillem.preset == "signals_map" and guillem.licence == "Apache-2.0"
    assert "4e425933ec6dc54f2238546e710efb8c5f7626d0" in guillem.url
    for src in sources.values():
        assert src.url.startswith("https://") and src.description


@pytest.mark.parametrize(
    ("text", "match", "line"),
    [
        pytest.param("[sources.a\nurl = 1\n", "invalid TOML", 1, id="syntax"),
        pytest.param("title = 'x'\n", "no \\[sources.NAME\\]", None, id="no-sources"),
        pytest.param(
            "[sources.a]\nurl='https://x/a.csv'\nlicence='MIT'\n", "no preset", None, id="field"
        ),
        pytest.param(
            "[sources.a]\nurl='https://x/a.csv'\nlicence='MIT'\npreset='weird'\n",
            "unknown preset",
            None,
            id="preset",
        ),
        pytest.param(
            "[sources.a]\nurl='ftp://x/a.csv'\nlicence='MIT'\npreset='numerai'\n",
            "http",
            None,
            id="scheme",
        ),
        pytest.param(
            "[sources.a]\nurl='https://x'\nlicence='MIT'\npreset='numerai'\nsha256='12'\n",
            "64 hex",
            None,
            id="sha",
        ),
        pytest.param(
            "[sources.A]\nurl='https://x'\nlicence='MIT'\npreset='numerai'\n",
            "lower-case",
            None,
            id="name",
        ),
        pytest.param("[sources.a]\nurl=3\n", "must be a string", None, id="type"),
    ],
)
def test_registry_errors(tmp_path: Path, text: str, match: str, line: int | None) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(errors.InputError, match=match) as info:
        load_registry(path)
    assert info.value.path == path and info.value.line == line


def test_cli_list_fetch_show(tmp_path: Path, server: tuple[str, Recorder]) -> None:
    base, _ = server
    runner = CliRunner()
    listed = runner.invoke(app, ["mappings", "list"])
    assert listed.exit_code == 0, listed.output
    for name in load_registry():
        assert name in listed.output
    cache = ["--cache-dir", str(tmp_path / "c")]
    fetched = runner.invoke(
        app,
        [
            "mappings",
            "fetch",
            "guillem",
            "--url",
            f"{base}/good/x.csv",
            "--sha256",
            BODY_SHA,
            *cache,
        ],
    )
    assert fetched.exit_code == 0, fetched.output
    assert f"{BODY_SHA}.csv" in fetched.stdout
    refused = runner.invoke(
        app, ["mappings", "fetch", "guillem", "--url", f"{base}/good/x.csv", *cache]
    )
    assert refused.exit_code == 8 and "expected" in refused.output
    shown = runner.invoke(app, ["mappings", "show", str(DATA / "map_bya.csv"), "--rows", "2"])
    assert shown.exit_code == 0, shown.output
    assert "bloomberg_yahoo_av" in shown.output and "detected" in shown.output
    assert "4 rows" in shown.output and "BRK/B US" in shown.output
    bad = runner.invoke(app, ["mappings", "show", str(DATA / "map_generic.csv"), "--columns", "x"])
    assert bad.exit_code == 2 and "key=column" in bad.output


def test_cli_show_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    generic = str(DATA / "map_generic.csv")
    unknown = runner.invoke(app, ["mappings", "show", generic])
    assert unknown.exit_code == 3 and "--columns" in unknown.output
    assert "Traceback" not in unknown.output
    bad_preset = runner.invoke(app, ["mappings", "show", generic, "--preset", "guillem"])
    assert bad_preset.exit_code == 2 and "unknown preset" in bad_preset.output
    spec = "name=company,isin=ISIN,ticker=sym,exchange=exch"
    ok = runner.invoke(app, ["mappings", "show", generic, "--columns", spec, "--rows", "1"])
    assert ok.exit_code == 0 and "generic (given)" in ok.output and "AAPL US" in ok.output
    assert "000660 KS" not in ok.output  # --rows 1
