"""Benchmark reconciliation: quality on the labelled test bed, and speed with a warm cache.

1. Quality: a seeded synthetic world with injected errors of every kind
(``tickermap.testing.testbed``),
   served by the emulator; precision/recall per reason code and the number of ``ok`` rows that
   are wrong.
2. Speed: a 14,350-ticker test bed reconciled against two maps, first cold (to fill the cache
   through the emulator, time-scaled) and then warm; the warm run is what is timed. The name
   matcher's pairs/s are reported against a naive per-pair rapidfuzz loop.

Run: ``python scripts/bench_reconcile.py [--tickers 3000] [--big 14350]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from tickermap.config import Settings
from tickermap.emulator.server import KEYED_LIMITS, Emulator
from tickermap.emulator.world import World
from tickermap.maps.load import load_map
from tickermap.names.match import score_name_pairs
from tickermap.reconcile.pipeline import reconcile
from tickermap.testing.evaluation import score_reasons, wrong_ok_rows
from tickermap.testing.testbed import make_testbed, write_testbed


def _run(n: int, seed: int, folder: Path, *, warm_repeat: bool) -> tuple[pd.DataFrame, dict]:
    tb = make_testbed(n, seed=seed)
    paths = write_testbed(tb, folder)
    world = World.from_records(tb.world["records"])  # type: ignore[arg-type]
    maps = [load_map(paths["map_a"], source="map_a"), load_map(paths["map_b"], source="map_b")]
    timings: dict[str, float] = {}
    with Emulator(world, api_keys=["bench-key"], time_scale=0.001, keyed=KEYED_LIMITS) as emu:
        settings = Settings(api_key="bench-key", openfigi_url=emu.url, cache_dir=folder / "cache")
        for run in ("cold", "warm") if warm_repeat else ("cold",):
            emu.reset()
            t0 = time.perf_counter()
            result = reconcile(tb.universe, maps, settings=settings)
            timings[f"{run}_s"] = time.perf_counter() - t0
            timings[f"{run}_requests"] = emu.stats.requests
    scores = score_reasons(result.universe, tb.labels)
    timings["wrong_ok"] = len(wrong_ok_rows(result.universe, tb.labels))
    timings["tickers"] = len(tb.universe)
    return scores, timings


def _name_speed(n: int = 20000) -> None:
    tb = make_testbed(2000, seed=7)
    names = pd.concat([tb.maps["map_a"]["name_ticker"]] * (n // 2000 + 1)).head(n)
    left = names.reset_index(drop=True)
    right = left.sample(frac=1.0, random_state=1).reset_index(drop=True)
    t0 = time.perf_counter()
    score_name_pairs(left, right)
    fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    for a, b in zip(left, right, strict=True):
        fuzz.token_sort_ratio(str(a), str(b))
    naive = time.perf_counter() - t0
    print(
        f"name matcher: {n / fast:,.0f} pairs/s (normalise + 3 features + evidence); "
        f"naive token_sort_ratio loop on raw names: {n / naive:,.0f} pairs/s; "
        f"ratio {naive / fast:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickers", type=int, default=3000)
    parser.add_argument("--big", type=int, default=14350)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scores, t = _run(args.tickers, args.seed, Path(tmp) / "q", warm_repeat=False)
        print(f"== quality: {t['tickers']} tickers, seed {args.seed}")
        print(scores.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        print(f"ok rows that are wrong: {t['wrong_ok']}")
        if args.big:
            _, t = _run(args.big, args.seed + 1, Path(tmp) / "s", warm_repeat=True)
            print(
                f"== speed: {t['tickers']} tickers x 2 maps: cold {t['cold_s']:.1f} s "
                f"({t['cold_requests']} requests, emulator time-scaled), warm {t['warm_s']:.1f} s "
                f"({t['warm_requests']} requests); target warm < 30 s: "
                f"{'PASS' if t['warm_s'] < 30 else 'FAIL'}"
            )
    _name_speed()


if __name__ == "__main__":
    main()
