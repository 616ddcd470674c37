"""resolve: tickers -> composite FIGIs against the emulator, checked against a naive world scan."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.config import Settings
from tickermap.emulator.world import World
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.client import OpenFigiClient
from tickermap.openfigi.resolve import OUT_COLUMNS, resolutions_frame, resolve_file, resolve_tickers
from tickermap.progress import RecordingProgress
from tickermap.resources import sample_path
from tickermap.tickers.parse import bloomberg_to_numerai

SECRET = "sk-resolve-SECRET-77aa"
SCALE = 0.001  # the shared emulator fixture's time scale


def settings_for(url: str, tmp_path: Path, **kw) -> Settings:
    return Settings(openfigi_url=url, cache_dir=tmp_path / "cache", timeout=5.0, **kw)


def naive_expectation(world_records: list[dict], ticker: str) -> tuple[str, set[str], set[str]]:
    """(outcome, composite figis, venue codes) by scanning the records; no tickermap code."""
    root, code = ticker.rsplit(" ", 1)
    live = [r for r in world_records if not r.get("delisted")]
    comps = {
        r["figi"]
        for r in live
        if r.get("ticker") == root and r.get("exchCode") == code and r["figi"] == r["compositeFIGI"]
    }
    if not comps:
        return "not_found", set(), set()
    if len(comps) > 1:
        return "ambiguous", comps, set()
    (figi,) = comps
    venues = {r["exchCode"] for r in live if r["compositeFIGI"] == figi and r["figi"] != figi}
    return "matched", comps, venues


@pytest.fixture
def universe() -> list[str]:
    return pd.read_csv(sample_path("universe.csv"))["bloomberg_ticker"].tolist()


@pytest.fixture
def world_records() -> list[dict]:
    return json.loads(sample_path("world.json").read_text())["records"]


def test_every_sample_ticker_matches_a_naive_scan(emulator, tmp_path, universe, world_records):
    rs = resolve_tickers(
        universe, settings=settings_for(emulator.url, tmp_path), venues="all", client=None
    )
    assert [r.bloomberg_ticker for r in rs] == universe
    outcomes = set()
    for r in rs:
        outcome, comps, venues = naive_expectation(world_records, r.bloomberg_ticker)
        outcomes.add(outcome)
        assert r.outcome == outcome, r
        if outcome == "matched":
            assert {r.figi} == comps and r.composite_figi == r.figi
            assert set(r.venue_exch_codes) == venues, r.bloomberg_ticker
            assert r.n_candidates == 1
        if outcome == "ambiguous":
            assert r.n_candidates == len(comps) and r.figi is None
            assert all(f in r.message for f in comps)
    assert {"matched", "not_found", "ambiguous"} <= outcomes


def test_auto_venues_only_for_multi_venue_composites(emulator, tmp_path, universe):
    rs = resolve_tickers(universe, settings=settings_for(emulator.url, tmp_path))
    ks = [r for r in rs if r.bloomberg_ticker.endswith(" KS") and r.outcome == "matched"]
    us = [r for r in rs if r.bloomberg_ticker.endswith(" US") and r.outcome == "matched"]
    assert ks and all(set(r.venue_exch_codes) <= {"KP", "KQ"} and r.venue_exch_codes for r in ks)
    assert us and all(r.venue_exch_codes == () for r in us)


def test_invalid_tickers_are_never_sent(emulator, tmp_path):
    values = ["1538", "", None, "XX ZZ", float("nan"), "AAPLX US"]
    rs = resolve_tickers(values, settings=settings_for(emulator.url, tmp_path))
    assert [r.outcome for r in rs[:5]] == ["invalid_ticker"] * 5
    assert rs[0].message and rs[5].outcome == "not_found"
    assert emulator.stats.jobs == 1


def test_numerai_namespace_gives_the_same_figis(emulator, tmp_path, universe):
    ks = [t for t in universe if t.endswith((" KS", " US", " JP"))]
    numerai = [bloomberg_to_numerai(t) for t in ks]
    assert all(numerai)
    a = resolve_tickers(ks, settings=settings_for(emulator.url, tmp_path))
    b = resolve_tickers(numerai, settings=settings_for(emulator.url, tmp_path), namespace="numerai")
    assert [(r.bloomberg_ticker, r.figi, r.outcome) for r in a] == [
        (r.bloomberg_ticker, r.figi, r.outcome) for r in b
    ]
    assert all(r.from_cache for r in b)


def test_offline_answers_from_cache_and_counts_misses(emulator, tmp_path, universe):
    s = settings_for(emulator.url, tmp_path)
    first = resolve_tickers(universe, settings=s)
    emulator.reset()
    again = resolve_tickers([*universe, "NEWZ US"], settings=s, offline=True)
    assert emulator.stats.requests == 0
    assert [r.figi for r in again[:-1]] == [r.figi for r in first]
    assert all(r.from_cache for r in again[:-1])
    assert again[-1].outcome == "failed" and "offline" in again[-1].message


def test_frame_has_exactly_the_out_columns(emulator, tmp_path, universe):
    rs = resolve_tickers(universe[:10], settings=settings_for(emulator.url, tmp_path))
    frame = resolutions_frame(rs)
    assert tuple(frame.columns) == OUT_COLUMNS
    assert len(frame) == 10 and frame["from_cache"].dtype == bool
    assert frame["n_candidates"].dtype == "int64"


def test_resolve_file_progress_and_parquet(emulator, tmp_path, universe):
    src = tmp_path / "u.csv"
    pd.DataFrame({"numerai_ticker": [bloomberg_to_numerai(t) for t in universe[:20]]}).to_csv(
        src, index=False
    )
    progress = RecordingProgress()
    report = resolve_file(
        src, tmp_path / "o.parquet", settings=settings_for(emulator.url, tmp_path),
        progress=progress,
    )  # fmt: skip
    out = pd.read_parquet(tmp_path / "o.parquet")
    assert tuple(out.columns) == OUT_COLUMNS and len(out) == 20 == report.rows
    assert sum(report.counts.values()) == 20 and report.requests == emulator.stats.requests
    assert progress.done >= 20 and progress.finished >= 1


def test_key_never_reaches_outputs_cache_or_logs(make_emulator, tmp_path, universe, caplog):
    caplog.set_level(logging.DEBUG)
    emu = make_emulator(api_keys=[SECRET], time_scale=SCALE)
    s = settings_for(emu.url, tmp_path, api_key=SECRET)
    src = tmp_path / "u.csv"
    pd.DataFrame({"bloomberg_ticker": universe}).to_csv(src, index=False)
    resolve_file(src, tmp_path / "o.csv", settings=s)
    assert emu.stats.log and all(entry[-1] for entry in emu.stats.log)  # keyed requests
    for path in [tmp_path / "o.csv", *(tmp_path / "cache").iterdir()]:
        assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in caplog.text
    with OpenFigiClient(s) as c:
        assert SECRET not in repr(c) and SECRET not in repr(s)


def test_cli_resolve_then_offline(emulator, tmp_path, universe):
    src = tmp_path / "u.csv"
    pd.DataFrame({"bloomberg_ticker": universe}).to_csv(src, index=False)
    runner = CliRunner()
    # --offline reads the cache of the configured URL, so every call names the emulator
    common = ["--cache-dir", str(tmp_path / "c"), "--openfigi-url", emulator.url]
    res = runner.invoke(app, ["resolve", str(src), "--out", str(tmp_path / "o.csv"), *common])
    assert res.exit_code == 0, res.output
    assert "matched" in res.output
    out = pd.read_csv(tmp_path / "o.csv")
    assert tuple(out.columns) == OUT_COLUMNS and len(out) == len(universe)
    res = runner.invoke(
        app, ["resolve", str(src), "--out", str(tmp_path / "p.csv"), "--offline", *common]
    )
    assert res.exit_code == 0, res.output
    pd.DataFrame({"bloomberg_ticker": [*universe, "QQQQ US"]}).to_csv(src, index=False)
    res = runner.invoke(
        app, ["resolve", str(src), "--out", str(tmp_path / "q.csv"), "--offline", *common]
    )
    assert res.exit_code == 6
    flat = " ".join(res.output.split())  # rich wraps long lines
    assert "1 of" in flat and "not in the cache" in flat
    assert (tmp_path / "q.csv").exists()


def test_cli_missing_column_is_a_clear_error(tmp_path):
    src = tmp_path / "u.csv"
    src.write_text("ticker\nAAPL US\n")
    res = CliRunner().invoke(app, ["resolve", str(src), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 3
    flat = "".join(res.output.split())  # rich wraps long lines, even inside paths
    assert "bloomberg_ticker" in flat and "u.csv" in flat


def generated_world(n: int) -> tuple[World, list[str]]:
    records, tickers = [], []
    for i in range(n):
        figi = f"BBGK{i:07d}X"
        records.append({"figi": figi, "name": f"SYN {i}", "ticker": f"K{i}", "exchCode": "US",
                        "compositeFIGI": figi, "marketSector": "Equity"})  # fmt: skip
        tickers.append(f"K{i} US")
    return World.from_records(records), tickers


RUNNER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tickermap.config import Settings
    from tickermap.openfigi.resolve import resolve_file
    url, cache, src, out = sys.argv[1:5]
    s = Settings(openfigi_url=url, cache_dir=Path(cache), timeout=5.0)
    resolve_file(Path(src), Path(out), settings=s)
    """
)


def test_killed_run_resumes_without_resending_answered_jobs(make_emulator, tmp_path):
    world, tickers = generated_world(400)
    emu = make_emulator(world, time_scale=0.004)  # 40 requests: 2 windows of 0.24 s
    src, out = tmp_path / "u.csv", tmp_path / "o.csv"
    pd.DataFrame({"bloomberg_ticker": tickers}).to_csv(src, index=False)
    cache = tmp_path / "cache"
    args = [sys.executable, "-c", RUNNER, emu.url, str(cache), str(src), str(out)]
    proc = subprocess.Popen(args, env={**os.environ, "PYTHONHASHSEED": "0"})
    deadline = time.monotonic() + 30
    while emu.stats.requests < 30 and time.monotonic() < deadline:
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    answered_first = sum(e[3] for e in emu.stats.log if e[4] == 200)
    assert 0 < answered_first < 400
    with OutcomeCache.in_dir(cache, base_url=emu.url) as c:
        cached = c.count()
    # At most the batches in flight when killed (2 workers x 10 jobs) were answered, not stored.
    assert answered_first - cached <= 20
    emu.reset()
    report = resolve_file(src, out, settings=settings_for(emu.url, tmp_path))
    sent_second = emu.stats.jobs
    assert report.counts == {"matched": 400}
    assert sent_second == 400 - cached
    assert answered_first + sent_second <= 400 + 20
