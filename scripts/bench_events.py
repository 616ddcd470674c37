"""Benchmark the corporate-event verdicts on an independent event world.

The world (``tickermap.testing.event_world``, seeded, separate from the labelled test bed) has
delisted lines that answer nothing (observed OpenFIGI behaviour) and ones that answer with a
placeholder ticker (assumed), ticker-only and full renames (map rows with and without ISIN),
reused tickers and clean rows, with two stale community maps as witnesses. It is served by the
emulator and reconciled; the script prints recall per kind and variant, precision per kind, how
many events were reported as map errors, and the share of clean rows flagged, against the targets
(each event named for >= 90% of its tickers, <= 2% of clean rows flagged).

Run: ``python scripts/bench_events.py [--tickers 2000] [--seed 3]``
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from tickermap.config import Settings
from tickermap.emulator.server import KEYED_LIMITS, Emulator
from tickermap.emulator.world import World
from tickermap.maps.load import load_map
from tickermap.reconcile.pipeline import reconcile
from tickermap.tables import write_table
from tickermap.testing.event_world import make_event_world, score_events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    ew = make_event_world(args.tickers, seed=args.seed)
    world = World.from_records(ew.world["records"], events=ew.world["events"])
    with tempfile.TemporaryDirectory() as tmp:
        maps = [
            load_map(write_table(frame, Path(tmp) / f"{name}.csv"), source=name)
            for name, frame in ew.maps.items()
        ]
        with Emulator(world, api_keys=["k"], time_scale=0.001, keyed=KEYED_LIMITS) as emu:
            settings = Settings(api_key="k", openfigi_url=emu.url, cache_dir=Path(tmp) / "c")
            result = reconcile(ew.universe, maps, settings=settings)
    scores = score_events(result.universe, ew.labels)
    print(f"== events: {len(ew.universe)} tickers, seed {args.seed}, 2 witnesses")
    print(scores.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    for kind in ("delisted", "renamed", "ticker_reused"):
        sub = scores[scores["kind"] == kind]
        recall = sub["named"].sum() / sub["tickers"].sum()
        precision = sub["precision"].iloc[0]
        ok = "PASS" if recall >= 0.9 else "FAIL"
        print(f"{kind}: recall {recall:.3f} precision {precision:.3f} (target recall >= 0.9: {ok})")
    clean = scores[scores["kind"] == "ok"].iloc[0]
    share = clean["named"] / clean["tickers"]
    print(
        f"clean rows flagged: {int(clean['named'])} of {int(clean['tickers'])} ({share:.1%}; "
        f"target <= 2%: {'PASS' if share <= 0.02 else 'FAIL'}); events reported as map errors: "
        f"{int(scores.loc[~scores['kind'].isin(['ok', 'error']), 'as_error'].sum())}"
    )
    err = scores[scores["kind"] == "error"]
    print(
        f"damaged map rows called an event: {int(err['named'].sum())} of "
        f"{int(err['tickers'].sum())}"
        f"; given a map error: {int(err['as_error'].sum())}"
    )
    u = result.universe.merge(ew.labels, on="bloomberg_ticker")
    named = [k in r.split(";") for k, r in zip(u["kind"], u["reasons"], strict=True)]
    event = u["kind"].isin(["delisted", "renamed", "ticker_reused"])
    wrong = u[((u["kind"] == "ok") & (u["status"] != "ok")) | (event & ~pd.Series(named))]
    if len(wrong):
        print("misses (first 10):")
        print(
            wrong[["bloomberg_ticker", "kind", "variant", "reasons"]]
            .head(10)
            .to_string(index=False)
        )


if __name__ == "__main__":
    main()
