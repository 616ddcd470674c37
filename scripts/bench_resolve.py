"""Benchmark ``resolve`` against the emulator at real (time-scaled) limits; print ratios.

Runs, on a generated world of N distinct tickers (default 5,000):

1. tickermap's client without a key (10 jobs/request, 25 requests per 60 s) and with a key
   (100 jobs/request, 25 per 6 s): achieved jobs/s against what the limit allows, 429 count;
2. a naive reference client in the same run (sequential, fixed sleep of window/limit between
   requests, fixed 60 s sleep after a 429, no header pacing);
3. 5% injected faults: every ticker must still end with the correct outcome;
4. a warm-cache re-run: zero requests, wall time.

Usage: python scripts/bench_resolve.py [--tickers 5000] [--scale 0.005] [--keyed-scale 0.05]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import tempfile
import time
from pathlib import Path

import requests

from tickermap.config import Settings
from tickermap.emulator.server import KEYED_LIMITS, UNKEYED_LIMITS, Emulator, Faults
from tickermap.emulator.world import World
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.client import OpenFigiClient
from tickermap.openfigi.resolve import resolve_tickers
from tickermap.testing.synthetic import random_figi

# With Nagle on, the client's delayed ACK would add ~40 ms to every keep-alive request and
# measure the socket, not the client; the emulator's handler disables it itself.
assert Emulator.handler_class.disable_nagle_algorithm

KEY = "bench-key"


def make_world(n: int, seed: int = 7) -> tuple[World, list[str], dict[str, str]]:
    """N tickers: 95% listed in the world (composite + venue row), 5% unknown."""
    rng = random.Random(seed)
    records, tickers, expected = [], [], {}
    for i in range(n):
        root = f"T{i:05d}"
        tickers.append(f"{root} US")
        if i % 20 == 19:
            expected[f"{root} US"] = "not_found"
            continue
        comp, venue, share = random_figi(rng), random_figi(rng), random_figi(rng)
        base = {"name": f"SYNTHETIC {i}", "ticker": root, "compositeFIGI": comp,
                "shareClassFIGI": share, "securityType": "Common Stock",
                "securityType2": "Common Stock", "marketSector": "Equity",
                "securityDescription": root}  # fmt: skip
        records.append({**base, "figi": comp, "exchCode": "US"})
        records.append({**base, "figi": venue, "exchCode": "UN"})
        expected[f"{root} US"] = "matched"
    return World.from_records(records), tickers, expected


def _serve(conn, n: int, kwargs: dict) -> None:
    world, _, _ = make_world(n)
    with Emulator(world, **kwargs) as emu:
        conn.send(emu.url)
        while (cmd := conn.recv()) != "stop":
            s = emu.stats
            conn.send({"requests": s.requests, "http_429": s.http_429,
                       "faults": s.faults_injected})  # fmt: skip
            if cmd == "reset":
                emu.reset()


class EmulatorProcess:
    """The emulator in its own process, like the real API on another machine (no shared GIL)."""

    def __init__(self, n: int, **kwargs: object) -> None:
        self._conn, child = mp.Pipe()
        self._proc = mp.get_context("fork").Process(target=_serve, args=(child, n, kwargs))

    def __enter__(self) -> EmulatorProcess:
        self._proc.start()
        self.url = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._proc.join(10)

    def stats(self, reset: bool = False) -> dict:
        self._conn.send("reset" if reset else "stats")
        return self._conn.recv()


def run_client(url: str, tickers: list[str], *, key: str | None, scale: float, cache: Path,
               offline: bool = False) -> tuple[float, list, OpenFigiClient]:  # fmt: skip
    settings = Settings(api_key=key, openfigi_url=url, cache_dir=cache, timeout=10.0)
    with (
        OutcomeCache.in_dir(cache) as c,
        OpenFigiClient(settings, cache=c, offline=offline) as client,  # scale: from headers
    ):
        t0 = time.perf_counter()
        rs = resolve_tickers(tickers, settings=settings, client=client, venues="none")
        return time.perf_counter() - t0, rs, client


def run_naive(url: str, tickers: list[str], *, key: str | None, scale: float, jpr: int,
              limit: int, window: float) -> tuple[float, int]:  # fmt: skip
    """Sequential, fixed sleep between requests, fixed 60 s after a 429, no header pacing."""
    session = requests.Session()
    if key:
        session.headers["X-OPENFIGI-APIKEY"] = key
    jobs = [{"idType": "TICKER", "idValue": t.split()[0], "exchCode": "US",
             "marketSecDes": "Equity"} for t in tickers]  # fmt: skip
    answered, n429 = 0, 0
    t0 = time.perf_counter()
    i = 0
    while i < len(jobs):
        resp = session.post(f"{url}/v3/mapping", json=jobs[i : i + jpr], timeout=10)
        if resp.status_code == 429:
            n429 += 1
            time.sleep(60 * scale)
            continue
        answered += len(resp.json())
        i += jpr
        time.sleep(window / limit * scale)
    return time.perf_counter() - t0, n429


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickers", type=int, default=5000)
    ap.add_argument("--scale", type=float, default=0.01, help="time scale without a key")
    ap.add_argument("--keyed-scale", type=float, default=0.25, help="time scale with a key")
    args = ap.parse_args()
    n = args.tickers
    world, tickers, expected = make_world(n)
    print(f"world: {len(world)} records, {len(tickers)} distinct tickers")
    for label, key, scale, limits in (
        ("no key", None, args.scale, UNKEYED_LIMITS),
        ("with key", KEY, args.keyed_scale, KEYED_LIMITS),
    ):
        jpr, lim, win = limits.jobs_per_request, limits.mapping_requests, limits.mapping_window
        allowed = lim * jpr / (win * scale)  # jobs per real second the limit allows
        n_req = -(-len(tickers) // jpr)
        ideal = (-(-n_req // lim) - 1) * win * scale  # full windows before the last burst
        with EmulatorProcess(n, api_keys=[KEY], time_scale=scale) as emu, \
                tempfile.TemporaryDirectory() as tmp:  # fmt: skip
            secs, rs, client = run_client(emu.url, tickers, key=key, scale=scale, cache=Path(tmp))
            wrong = sum(r.outcome != expected[r.bloomberg_ticker] for r in rs)
            rate = len(tickers) / secs
            server = emu.stats(reset=True)
            print(f"\n[{label}] tickermap: {secs:.2f}s, {rate:,.0f} jobs/s; the limit allows "
                  f"{allowed:,.0f} jobs/s -> ratio {rate / allowed:.3f}; lower bound "
                  f"{ideal:.2f}s + last burst -> bound/actual {ideal / secs:.3f}; requests "
                  f"{client.stats.requests}, 429s {client.stats.http_429} (server "
                  f"{server['http_429']}), wrong outcomes {wrong}")  # fmt: skip
            t0 = time.perf_counter()
            _, rs2, _ = run_client(emu.url, tickers, key=key, scale=scale, cache=Path(tmp))
            print(f"[{label}] warm cache: {time.perf_counter() - t0:.2f}s, requests sent "
                  f"{emu.stats(reset=True)['requests']}, from cache "
                  f"{sum(r.from_cache for r in rs2)}")  # fmt: skip
            nsecs, n429 = run_naive(emu.url, tickers, key=key, scale=scale, jpr=jpr, limit=lim,
                                    window=win)  # fmt: skip
            nrate = len(tickers) / nsecs
            print(f"[{label}] naive reference: {nsecs:.2f}s, {nrate:,.0f} jobs/s "
                  f"(ratio to limit {nrate / allowed:.3f}), 429s {n429}; "
                  f"tickermap/naive speed {rate / nrate:.2f}x")  # fmt: skip
    faults = Faults(rate=0.05, seed=11)
    with EmulatorProcess(n, time_scale=args.scale, faults=faults) as emu, \
            tempfile.TemporaryDirectory() as tmp:  # fmt: skip
        secs, rs, client = run_client(emu.url, tickers, key=None, scale=args.scale, cache=Path(tmp))
        wrong = [r for r in rs if r.outcome != expected[r.bloomberg_ticker]]
        print(f"\n[5% faults] {secs:.2f}s, faults injected {emu.stats()['faults']}, retries "
              f"{client.stats.retries}, 429s {client.stats.http_429}, wrong outcomes {len(wrong)}"
              f" of {len(rs)}")  # fmt: skip
        for r in wrong[:5]:
            print("   ", json.dumps([r.bloomberg_ticker, r.outcome, r.message]))


if __name__ == "__main__":
    main()
