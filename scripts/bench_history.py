"""Benchmark ``tickermap history`` on a v2.x-shaped Parquet file against pandas.

Generates (in a temporary folder, removed afterwards) a SYNTHETIC Numerai v2.x-shaped file:
``date``, ``numerai_ticker``, ``composite_figi`` and ``--features`` float32 feature columns (200 by
default) plus a target, about ``--size`` GB on disk (2 by default), weekly dates, 5,000 tickers,
with reuses, renames, exits and glitches (:func:`tickermap.history.synthetic.synthetic_universe`).

Then, each in its own subprocess (so peak memory is measured separately):

* **tickermap**: :func:`tickermap.history.build_history` (column-pruned, streamed by row group;
  spells, events and findings);
* **reference**: ``pd.read_parquet`` of the whole file, then a pandas groupby cutting the same
  spells (runs of one entity per ticker, gaps counted on the universe's dates).

It checks that both give the same spells and prints the wall time, peak RSS of both and the
ratio. Run: ``python scripts/bench_history.py`` (``--size 0.2`` for a quick run).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tickermap.history.synthetic import synthetic_universe

N_TICKERS = 5000
ROWS_PER_GROUP = 100_000
IDENTITY = ["date", "numerai_ticker", "composite_figi"]

STREAM = """
import json, resource, sys, time
t0 = time.perf_counter()
from tickermap.history import build_history
r = build_history([sys.argv[1]])
r.spells.to_parquet(sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t0, "events": len(r.events),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

REFERENCE = """
import json, resource, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd
df = pd.read_parquet(sys.argv[1])
df = df[["date", "numerai_ticker", "composite_figi"]].drop_duplicates()
df = df.sort_values(["numerai_ticker", "date"], kind="stable")
dates = np.sort(df["date"].unique())
df["r"] = np.searchsorted(dates, df["date"].to_numpy())
ent = df["composite_figi"].fillna("")
brk = (df["numerai_ticker"] != df["numerai_ticker"].shift()) | (ent != ent.shift())
g = df.assign(e=ent).groupby(brk.cumsum()).agg(
    numerai_ticker=("numerai_ticker", "first"), composite_figi=("e", "first"),
    first_date=("date", "min"), last_date=("date", "max"), n_dates=("date", "size"),
    r0=("r", "min"), r1=("r", "max"))
g["gaps"] = g["r1"] - g["r0"] + 1 - g["n_dates"]
g.drop(columns=["r0", "r1"]).reset_index(drop=True).to_parquet(sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t0,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_file(path: Path, size_gb: float, n_features: int, seed: int) -> int:
    """Write the synthetic file; return its row count."""
    rows = int(size_gb * 1e9 / (4 * n_features + 8))
    n_dates = max(20, rows // N_TICKERS)
    frame, _ = synthetic_universe(
        n_tickers=N_TICKERS,
        n_dates=n_dates,
        reuses=200,
        renames=100,
        exits=200,
        glitches=100,
        missing_share=0.001,
        absent_share=0.05,
        seed=seed,
    )
    rng = np.random.default_rng(seed)
    names = [f"feature_{i:03d}" for i in range(n_features)]
    writer = None
    for start in range(0, len(frame), ROWS_PER_GROUP):
        part = frame.iloc[start : start + ROWS_PER_GROUP]
        cols = {c: pa.array(part[c], type=pa.string(), from_pandas=True) for c in part.columns}
        block = rng.random((len(part), n_features), dtype=np.float32)
        for i, name in enumerate(names):
            cols[name] = pa.array(block[:, i])
        cols["target"] = pa.array(rng.random(len(part), dtype=np.float32))
        table = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, use_dictionary=IDENTITY)
        writer.write_table(table)
    assert writer is not None
    writer.close()
    return len(frame)


def run(code: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"subprocess failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def same_spells(a_path: Path, b_path: Path) -> bool:
    a = pd.read_parquet(a_path)
    b = pd.read_parquet(b_path)
    keys = ["numerai_ticker", "composite_figi", "first_date", "last_date", "n_dates", "gaps"]
    a = a[keys].assign(composite_figi=a["composite_figi"].fillna(""))
    b = b[keys].assign(first_date=b["first_date"].astype(str), last_date=b["last_date"].astype(str))
    a = a.sort_values(keys).reset_index(drop=True).astype(str)
    b = b.sort_values(keys).reset_index(drop=True).astype(str)
    return a.equals(b)


def main() -> None:
    """Generate, run both, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=2.0, help="GB on disk (default 2)")
    parser.add_argument("--features", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_history_"))
    try:
        path = tmp / "train.parquet"
        t0 = time.perf_counter()
        rows = make_file(path, args.size, args.features, args.seed)
        size = path.stat().st_size / 1e9
        print(
            f"generated {path.name}: {size:.2f} GB, {rows} rows, {args.features} feature "
            f"columns, {pq.ParquetFile(path).num_row_groups} row groups "
            f"({time.perf_counter() - t0:.0f} s)"
        )
        ref = run(REFERENCE, str(path), str(tmp / "ref.parquet"))
        ours = run(STREAM, str(path), str(tmp / "ours.parquet"))
        same = same_spells(tmp / "ours.parquet", tmp / "ref.parquet")
        print(f"pd.read_parquet + groupby: {ref['seconds']:.2f} s, peak RSS {ref['rss_mb']:.0f} MB")
        print(
            f"tickermap history (streamed): {ours['seconds']:.2f} s, peak RSS "
            f"{ours['rss_mb']:.0f} MB, {int(ours['events'])} events"
        )
        print(
            f"speed-up {ref['seconds'] / ours['seconds']:.1f}x; memory "
            f"{ref['rss_mb'] / ours['rss_mb']:.1f}x less; same spells: {same}"
        )
        if not same:
            raise SystemExit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
