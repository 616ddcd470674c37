"""Benchmark: vectorised diagnostics vs the per-date numerai-tools loop, same data, same run.

Library (default 5,000 tickers x 200 dates x 200 neutralizer columns): tickermap scores every
date (numerai_corr, neutral_correlation, alpha, correlation_contribution, neutral_contribution,
churn, turnover, neutral_churn) from in-memory frames; the reference calls the numerai-tools
0.7.2 functions one date at a time on ``--ref-dates`` dates and is extrapolated linearly (each
date costs the same). Peak memory of the tickermap call (tracemalloc, in a second, untimed run
on fresh sources: tracing slows every allocation) is compared with the inputs' size. ``--cli``
also times both commands end to end as subprocesses (process start included) against the
numerai-tools loop on the same files: ``diagnostics`` on 3,000 x 60 x 50 and ``exposure`` on
2,000 tickers x 120 dates x 20 features (Numerai-shaped Parquet files, so the pandas-free path
of ``tickermap.exposure.fast``; the same run with a Parquet ``--out``, which takes the pandas
run, is timed too).

CLI runs: each command runs once untimed first (a warm-up: the first run of a fresh install
compiles its ``__pycache__`` and fills the OS file cache), then ``REPEATS`` timed runs; the
subprocesses run without ``PYTHONDONTWRITEBYTECODE`` (a user's install writes ``__pycache__``, so
a real start-up reads compiled bytecode).

BLAS threads: both sides run with the same number (``--blas-threads``, default 1: on a shared,
loaded machine OpenBLAS' spinning threads make small batched products many times slower; 0 keeps
the library default); the CLI subprocesses get it through ``OPENBLAS_NUM_THREADS``.

    python scripts/bench_diagnostics.py [--tickers 5000 --dates 200 --neutralizers 200] [--cli]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests._diagnostics_data import ID, reference
from tickermap.diagnostics.inputs import Source
from tickermap.diagnostics.run import score_sources

COLS = [
    "numerai_corr", "neutral_correlation", "alpha", "correlation_contribution",
    "neutral_contribution", "churn", "turnover", "neutral_churn",
]  # fmt: skip


BLAS_THREADS = 1


def make(n_t: int, n_d: int, n_k: int, n_f: int = 0, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2020-01-03", periods=n_d, freq="W-FRI")
    countries = ["US", "JP", "GB", "DE"]
    tickers = np.array([f"T{i:05d} {countries[i % 4]}" for i in range(n_t)])
    base = pd.DataFrame({"date": np.repeat(dates.values, n_t), ID: np.tile(tickers, n_d)})
    m = len(base)
    latent = rng.standard_normal(m)
    out = {
        "signal": base.assign(signal=np.round(rng.random(m), 3)),
        "targets": base.assign(target=np.clip(0.5 + 0.1 * latent, 0, 1)),
        "meta_model": base.assign(meta_model=rng.random(m)),
        "sample_weights": base.assign(sample_weights=rng.random(m) / n_t),
    }
    neu = base.copy()
    block = rng.standard_normal((m, n_k)).astype(np.float32) * 0.01
    neu = pd.concat(
        [neu, pd.DataFrame(block, columns=[f"neutralizer_{j}" for j in range(n_k)])], axis=1
    )
    out["neutralizers"] = neu
    if n_f:
        f = pd.DataFrame(
            rng.standard_normal((m, n_f)), columns=[f"feature_{j}" for j in range(n_f)]
        )
        out["features"] = pd.concat([base, f], axis=1)
    return out


def _source(name: str, frame: pd.DataFrame, values: list[str]) -> Source:
    src = Source(Path(name), name, ID, "date", values, pd.DatetimeIndex(frame["date"].unique()))
    src.frame = (
        frame.rename(columns={values[0]: name})
        if len(values) == 1 and name != "neutralizers"
        else frame
    )
    return src


def library(args: argparse.Namespace) -> None:
    inp = make(args.tickers, args.dates, args.neutralizers)
    in_bytes = sum(int(f.memory_usage(deep=False).sum()) for f in inp.values())

    def sources() -> tuple[Source, dict[str, Source]]:
        """Fresh sources each run (nothing a first run computed is reused)."""
        neutralizers = [c for c in inp["neutralizers"].columns if c.startswith("neu")]
        return _source("signal", inp["signal"], ["signal"]), {
            "targets": _source("targets", inp["targets"], ["target"]),
            "meta_model": _source("meta_model", inp["meta_model"], ["meta_model"]),
            "sample_weights": _source("sample_weights", inp["sample_weights"], ["sample_weights"]),
            "neutralizers": _source("neutralizers", inp["neutralizers"], neutralizers),
        }

    sig, others = sources()
    t0 = time.perf_counter()
    ours, _ = score_sources(sig, others)
    t_ours = time.perf_counter() - t0
    sig, others = sources()
    tracemalloc.start()  # a second run for the peak: tracing slows allocation, so not timed
    score_sources(sig, others)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    dates = sorted(inp["signal"]["date"].unique())
    ref_dates = dates[1 : 1 + args.ref_dates]
    t0 = time.perf_counter()
    ref = reference({**inp, "features": inp["signal"][["date", ID]].iloc[:0]}, ref_dates)
    t_ref = (time.perf_counter() - t0) / len(ref_dates) * len(dates)
    mine = ours.set_index("date").loc[ref_dates]
    diff = max(float(np.nanmax(np.abs(mine[c].to_numpy() - ref[c].to_numpy()))) for c in COLS)
    print(f"library {args.tickers} tickers x {args.dates} dates x {args.neutralizers} neutralizers")
    print(
        f"  tickermap: {t_ours:.1f} s; numerai-tools loop: {t_ref:.1f} s (measured on "
        f"{len(ref_dates)} dates, extrapolated) -> {t_ref / t_ours:.1f}x"
    )
    print(f"  max abs difference on those dates: {diff:.1e}")
    print(
        f"  peak memory {peak / 2**30:.2f} GiB = {peak / in_bytes:.2f}x the inputs "
        f"({in_bytes / 2**30:.2f} GiB)"
    )


def _run(cmd: list[str]) -> float:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed tickermap has its __pycache__
    if BLAS_THREADS:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(BLAS_THREADS)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - t0


REPEATS = 3
"""The CLI runs this many times; the reference loop runs on this many disjoint sets of dates."""

Timing = tuple[float, float, float]
"""median, min, max (seconds)."""


def _spread(runs: list[float]) -> Timing:
    return float(np.median(runs)), min(runs), max(runs)


def _time_cmd(cmd: list[str]) -> Timing:
    _run(cmd)  # warm-up, untimed: bytecode compiled, files in the OS cache
    return _spread([_run(cmd) for _ in range(REPEATS)])


def _date_sets(dates: list[Any], ref_dates: int, start: int) -> list[list[Any]]:
    """``REPEATS`` disjoint runs of ``ref_dates`` dates from ``start`` (fewer if too short)."""
    sets = [dates[start + i * ref_dates : start + (i + 1) * ref_dates] for i in range(REPEATS)]
    return [c for c in sets if len(c) == ref_dates] or [dates[start : start + ref_dates]]


def _per_date(loop: Callable[[list[Any]], object], sets: list[list[Any]], n: int) -> Timing:
    """The loop's time per date on each set, extrapolated to ``n`` dates: median, min, max."""
    runs = []
    for chunk in sets:
        t0 = time.perf_counter()
        loop(chunk)
        runs.append((time.perf_counter() - t0) / len(chunk) * n)
    return _spread(runs)


def _ratio_line(what: str, ours: Timing, ref: Timing, ref_dates: int, n_sets: int) -> str:
    return (
        f"{what}: {ours[0]:.1f} s (median of {REPEATS} runs, {ours[1]:.1f}-{ours[2]:.1f}) vs "
        f"numerai-tools loop {ref[0]:.1f} s (median of {n_sets} x {ref_dates} dates, "
        f"extrapolated, {ref[1]:.1f}-{ref[2]:.1f}) -> {ref[0] / ours[0]:.1f}x "
        f"(range {ref[1] / ours[2]:.1f}-{ref[2] / ours[1]:.1f}x)"
    )


def cli(ref_dates: int) -> None:
    exe = str(Path(sys.executable).with_name("tickermap"))
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        inp = make(3000, 60, 50)
        for k, f in inp.items():
            f.to_parquet(d / f"{k}.parquet", index=False)
        t_ours = _time_cmd(
            [
                exe,
                "diagnostics",
                "--signal",
                str(d / "signal.parquet"),
                "--targets",
                str(d / "targets.parquet"),
                "--neutralizers",
                str(d / "neutralizers.parquet"),
                "--sample-weights",
                str(d / "sample_weights.parquet"),
                "--meta-model",
                str(d / "meta_model.parquet"),
                "--out",
                str(d / "diag.csv"),
            ]
        )
        dates = sorted(inp["signal"]["date"].unique())
        loaded = {k: pd.read_parquet(d / f"{k}.parquet") for k in inp}
        loaded["features"] = loaded["signal"][["date", ID]].iloc[:0]
        sets = _date_sets(dates, ref_dates, 1)
        t_ref = _per_date(lambda chunk: reference(loaded, chunk), sets, len(dates))
        print(_ratio_line("cli diagnostics 3000 x 60 x 50", t_ours, t_ref, ref_dates, len(sets)))
        from numerai_tools import scoring

        ex = make(2000, 120, 0, n_f=20, seed=1)
        ex["signal"].to_parquet(d / "s.parquet", index=False)
        ex["features"].to_parquet(d / "f.parquet", index=False)

        def exposure(out: str) -> list[str]:
            return [
                exe,
                "exposure",
                "--signal",
                str(d / "s.parquet"),
                "--features",
                str(d / "f.parquet"),
                "--out",
                str(d / out),
                "--method",
                "numerai",
                "--top-n",
                "0",
            ]

        t_ours = _time_cmd(exposure("exp.csv"))  # Numerai-shaped Parquet: the pandas-free path
        t_pandas = _time_cmd(exposure("exp.parquet"))  # a Parquet --out takes the pandas run
        exd = sorted(ex["signal"]["date"].unique())
        s_idx = pd.read_parquet(d / "s.parquet").set_index(["date", ID])
        f_idx = pd.read_parquet(d / "f.parquet").set_index(["date", ID])

        def loop(chunk: list[Any]) -> None:
            for day in chunk:
                s, f = s_idx.loc[day][["signal"]], f_idx.loc[day]
                for col in f.columns:
                    scoring.numerai_corr(s, f[col], target_pow15=False)

        sets = _date_sets(exd, ref_dates, 0)
        t_ref = _per_date(loop, sets, len(exd))
        print(_ratio_line("cli exposure 2000 x 120 x 20", t_ours, t_ref, ref_dates, len(sets)))
        print(
            _ratio_line(
                "  the same through the pandas run (--out .parquet)",
                t_pandas,
                t_ref,
                ref_dates,
                len(sets),
            )
        )


def write_sample(folder: Path) -> None:
    """Small Numerai-style files for the README: 400 tickers x 8 dates x 10 neutralizers."""
    folder.mkdir(parents=True, exist_ok=True)
    inp = make(400, 8, 10, n_f=3, seed=7)
    rng = np.random.default_rng(7)
    sticky = np.tile(rng.random(400), 8)  # a ticker-level view kept from week to week
    noise = rng.random(len(inp["signal"]))
    inp["signal"]["signal"] = 0.2 * inp["targets"]["target"].to_numpy() + 0.7 * sticky + 0.1 * noise
    inp["signal"].rename(columns={"signal": "prediction"}).to_parquet(folder / "signal.parquet")
    for name in ("targets", "meta_model", "sample_weights", "neutralizers", "features"):
        inp[name].to_parquet(folder / f"{name}.parquet", index=False)
    tickers = np.array(
        [f"T{i:05d} {c}" for i, c in zip(range(400), ["US", "JP", "GB", "DE"] * 100, strict=True)]
    )
    pd.DataFrame({ID: tickers}).to_csv(folder / "live_universe.csv", index=False)
    sub = pd.DataFrame({ID: tickers[:380], "prediction": rng.random(380) * 1.1})
    sub.loc[3, ID] = "NOTLIVE US"
    sub.to_csv(folder / "submission.csv", index=False)
    print(f"wrote the sample files to {folder}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickers", type=int, default=5000)
    ap.add_argument("--dates", type=int, default=200)
    ap.add_argument("--neutralizers", type=int, default=200)
    ap.add_argument("--ref-dates", type=int, default=5)
    ap.add_argument("--blas-threads", type=int, default=1, help="0: the library default")
    ap.add_argument("--cli", action="store_true")
    ap.add_argument("--skip-library", action="store_true")
    ap.add_argument("--sample", type=Path, help="Only write small README sample files here.")
    args = ap.parse_args()
    if args.sample is not None:
        write_sample(args.sample)
        return
    from threadpoolctl import threadpool_info, threadpool_limits

    global BLAS_THREADS
    BLAS_THREADS = args.blas_threads
    limits = threadpool_limits(limits=args.blas_threads) if args.blas_threads else None
    blas = ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info())
    print(f"BLAS (both sides): {blas}; load average {os.getloadavg()[0]:.1f}")
    if not args.skip_library:
        library(args)
    if args.cli:
        cli(args.ref_dates)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    del limits


if __name__ == "__main__":
    main()
