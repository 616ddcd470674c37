"""``resolve`` when OpenFIGI is unreachable, hangs, or is shared; API keys; absurd tickers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.test_resolve import generated_world
from tickermap.cli import app
from tickermap.config import Settings
from tickermap.errors import ConfigError
from tickermap.openfigi.client import Job, OpenFigiClient
from tickermap.openfigi.resolve import MAX_TICKER_LENGTH, resolve_file, resolve_tickers
from tickermap.progress import RecordingProgress

TICKERS = ["DUAL US", "OLDN US", "157065 KS", "MPLX US"]


def _universe(tmp_path: Path, tickers: list[str]) -> Path:
    src = tmp_path / "u.csv"
    pd.DataFrame({"bloomberg_ticker": tickers}).to_csv(src, index=False)
    return src


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers (holds them open until the test ends)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    listener.close()


def test_unreachable_openfigi_exits_5_even_for_one_batch(tmp_path: Path) -> None:
    src, out = _universe(tmp_path, TICKERS), tmp_path / "o.csv"
    url = f"http://127.0.0.1:{_closed_port()}"
    res = CliRunner().invoke(app, ["resolve", str(src), "--out", str(out), "--openfigi-url", url])
    assert res.exit_code == 5, res.output
    assert "Error:" in res.output and "not one of 4 tickers could be resolved" in res.output
    assert url in res.output.replace("\n", "")  # the whole URL, on one line
    assert not out.exists()


def test_invalid_tickers_alone_are_not_an_outage(tmp_path: Path) -> None:
    src, out = _universe(tmp_path, ["not a ticker at all", "X" * 100]), tmp_path / "o.csv"
    url = f"http://127.0.0.1:{_closed_port()}"
    report = resolve_file(src, out, settings=Settings(openfigi_url=url, cache_dir=tmp_path))
    assert report.counts == {"invalid_ticker": 2} and out.exists()


def test_server_that_never_answers_gives_up_within_the_budget(
    tmp_path: Path, silent_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TICKERMAP_TIMEOUT", "0.4")
    monkeypatch.setenv("TICKERMAP_CONNECT_TIMEOUT", "0.4")
    monkeypatch.setenv("TICKERMAP_REQUEST_BUDGET", "0.8")
    src, out = _universe(tmp_path, TICKERS), tmp_path / "o.csv"
    t0 = time.monotonic()
    res = CliRunner().invoke(
        app, ["resolve", str(src), "--out", str(out), "--openfigi-url", silent_server]
    )
    elapsed = time.monotonic() - t0
    assert res.exit_code == 5, res.output
    assert "did not answer" in res.output and "TICKERMAP_TIMEOUT" in res.output
    assert elapsed < 15, elapsed  # two attempts of 0.4 s, not six of 30 s per batch
    assert not out.exists()


def test_request_budget_stops_retries_but_not_attempts_before_it(silent_server: str) -> None:
    settings = Settings(
        openfigi_url=silent_server, cache_dir=Path("unused"), timeout=0.3, request_budget=0.5
    )
    with OpenFigiClient(settings, workers=1) as client:
        out = client.map_jobs([Job("TICKER", "DUAL", exch_code="US")])
        assert client.stats.requests == 2  # 0.3 s + 0.3 s >= 0.5 s of network time
    assert out[0].status == "failed" and "did not answer" in out[0].message


@pytest.mark.parametrize("raw", ["sk-abc\n", "  sk-abc  ", "\tsk-abc\r\n"])
def test_api_key_whitespace_is_stripped(raw: str) -> None:
    assert Settings.from_env({"OPENFIGI_API_KEY": raw}).api_key == "sk-abc"


@pytest.mark.parametrize("raw", ["sk-a bc", "sk-a\nbc", "sk-\x01abc", "sk-ábc"])
def test_api_key_with_illegal_characters_is_refused_without_echoing_it(raw: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"OPENFIGI_API_KEY": raw})
    assert "OPENFIGI_API_KEY" in str(info.value) and raw.strip() not in str(info.value)


def test_cli_sends_a_stripped_key_and_refuses_a_broken_one(
    tmp_path: Path, make_emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = make_emulator(api_keys=["sk-SECRET-42"], time_scale=0.001)
    src = _universe(tmp_path, TICKERS)
    args = ["resolve", str(src), "--out", str(tmp_path / "o.csv"), "--openfigi-url", emu.url]
    monkeypatch.setenv("OPENFIGI_API_KEY", "sk-SECRET-42\n")
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert emu.stats.log and all(entry[-1] for entry in emu.stats.log)  # keyed, accepted
    monkeypatch.setenv("OPENFIGI_API_KEY", "sk-SECRET\n-42")
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "OPENFIGI_API_KEY" in res.output
    assert "SECRET" not in res.output


def test_absurdly_long_ticker_is_rejected_locally(emulator) -> None:
    long = "A" * 100_000 + " US"
    settings = Settings(openfigi_url=emulator.url, cache_dir=Path("unused"))
    with OpenFigiClient(settings) as client:
        out = resolve_tickers([long, "DUAL US"], settings=settings, client=client)
    assert out[0].outcome == "invalid_ticker"
    assert f"longer than {MAX_TICKER_LENGTH} characters" in out[0].message
    assert out[1].outcome == "ambiguous"
    assert emulator.stats.jobs == 1  # only DUAL US was sent


def test_rate_limit_waits_are_announced(make_emulator) -> None:
    emu = make_emulator(time_scale=0.03)  # a 60 s window lasts 1.8 real seconds
    settings = Settings(openfigi_url=emu.url, cache_dir=Path("unused"))
    progress = RecordingProgress()
    with OpenFigiClient(settings, workers=1) as client:
        jobs = [Job("TICKER", f"W{i}", exch_code="US") for i in range(10 * 30)]
        client.map_jobs(jobs, progress=progress)
    assert progress.waits, "30 requests at 25 per window must wait once"
    seconds, reason = progress.waits[0]
    assert reason == "rate limit" and 1.0 <= seconds <= 1.9


RUNNER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tickermap.config import Settings
    from tickermap.openfigi.resolve import resolve_file
    url, cache, src, out = sys.argv[1:5]
    s = Settings(openfigi_url=url, cache_dir=Path(cache), timeout=5.0)
    r = resolve_file(Path(src), Path(out), settings=s)
    print(r.counts.get("matched", 0), r.shared, r.from_cache)
    """
)


def test_two_concurrent_runs_on_one_cache_fetch_each_job_once(make_emulator, tmp_path) -> None:
    world, tickers = generated_world(1000)
    emu = make_emulator(world, time_scale=0.02)  # 100 requests: ~4 windows of 1.2 s
    src = _universe(tmp_path, tickers)
    cache = tmp_path / "cache"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                RUNNER,
                emu.url,
                str(cache),
                str(src),
                str(tmp_path / f"{i}.csv"),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        for i in range(2)
    ]
    results = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert [int(r[0]) for r in results] == [1000, 1000]
    answered = sum(e[3] for e in emu.stats.log if e[4] == 200)
    assert answered == 1000, answered  # without sharing, the overlap is fetched twice
    for i in range(2):
        assert len(pd.read_csv(tmp_path / f"{i}.csv")) == 1000
