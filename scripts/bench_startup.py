"""Benchmark CLI start-up against importing its three base libraries; print the ratios.

Reference: ``python -c "import typer, rich, requests"`` (what any typer CLI of ours must pay).
Measured, each as the median wall time of N fresh processes (default 7), interleaved so that
machine load hits every case alike:

- ``tickermap --help`` and ``tickermap COMMAND --help`` for every command (targets: <= 1.5x);
- ``tickermap symbols`` on a 5-row CSV (target: <= 2x).

Usage: python scripts/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = ("demo", "emulator", "exposure", "features", "reconcile", "resolve", "symbols",
            "validate", "mappings", "audit")  # fmt: skip
UNIVERSE = "bloomberg_ticker\nAAPL US\n7203 JP\n005930 KS\nVOD LN\nSHOP CN\n"


def _tickermap() -> list[str]:
    exe = shutil.which("tickermap")
    return [exe] if exe else [sys.executable, "-m", "tickermap"]


def _once(argv: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr[-400:]!r}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    cli = _tickermap()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "u.csv", Path(tmp) / "y.csv"
        src.write_text(UNIVERSE, encoding="utf-8")
        cases: dict[str, list[str]] = {
            "reference: import typer, rich, requests": [
                sys.executable, "-c", "import typer, rich, requests",
            ],
            "tickermap --help": [*cli, "--help"],
            **{f"tickermap {c} --help": [*cli, c, "--help"] for c in COMMANDS},
            "tickermap symbols (5 rows)": [*cli, "symbols", str(src), "--out", str(dst)],
        }  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in cases}
        for argv in cases.values():  # warm the OS file cache once
            _once(argv)
        for _ in range(args.runs):
            for name, argv in cases.items():
                times[name].append(_once(argv))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    ref = medians.pop("reference: import typer, rich, requests")
    print(f"reference (import typer, rich, requests): {ref * 1000:.0f} ms, median of {args.runs}")
    worst_help = 0.0
    for name, secs in medians.items():
        ratio = secs / ref
        if name.endswith("--help"):
            worst_help = max(worst_help, ratio)
        print(f"{name:<32} {secs * 1000:6.0f} ms  ratio {ratio:.2f}")
    symbols = medians["tickermap symbols (5 rows)"] / ref
    print(f"\nworst --help ratio {worst_help:.2f} (target <= 1.5); "
          f"symbols ratio {symbols:.2f} (target <= 2.0)")  # fmt: skip


if __name__ == "__main__":
    main()
