"""Write the bundled SYNTHETIC dated universe ``tickermap/data/sample/history_universe.parquet``.

A small Numerai v2.x-shaped file (``date``, ``numerai_ticker``, ``composite_figi``, three
``feature_*`` columns and a ``target``; one row per ticker and Friday from 2022-09-02 to
2024-03-22) over the sample universe (``universe.csv``), with the composite FIGIs of the sample
OpenFIGI world (``world.json``). It holds three corporate events, the same as the world's:

* ``RUSE US`` is reused: RUSSELL ENGINES (``BBGHV938S6C1``) until 2023-06-30, then, after four
  weeks out of the universe, RUSTIC SEED FOODS (``BBGM2V2XMRH4``) from 2023-08-04;
* ``OLDN US`` is renamed ``NEWN US`` (same FIGI ``BBGH3NC4B7R0``) on 2023-02-03;
* ``GONE US`` (``BBG5QCLMW0C3``) exits after 2023-10-27.

``ZZZQ US`` (unknown to the world) is left out; ``DUAL US`` keeps its first composite. Everything
is made up. Run: ``python scripts/make_sample_history.py`` (seeded, deterministic).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from tickermap.resources import sample_dir
from tickermap.tickers.parse import bloomberg_to_numerai

SEED = 20240105
START, END = dt.date(2022, 9, 2), dt.date(2024, 3, 22)
REUSE = ("RUSE US", "BBGHV938S6C1", "BBGM2V2XMRH4", dt.date(2023, 6, 30), dt.date(2023, 8, 4))
RENAME = ("OLDN US", "NEWN US", "BBGH3NC4B7R0", dt.date(2023, 2, 3))
EXIT = ("GONE US", "BBG5QCLMW0C3", dt.date(2023, 10, 27))


def _composites() -> dict[str, str]:
    world = json.loads((sample_dir() / "world.json").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for rec in world["records"]:
        if rec.get("figi") == rec.get("compositeFIGI") and rec.get("ticker"):
            out.setdefault(f"{rec['ticker']} {rec['exchCode']}", rec["figi"])
    return out


def _entity(ticker: str, day: dt.date, composites: dict[str, str]) -> str | None:
    if ticker == REUSE[0]:
        if day <= REUSE[3]:
            return REUSE[1]
        return REUSE[2] if day >= REUSE[4] else None
    if ticker == RENAME[0]:
        return RENAME[2] if day < RENAME[3] else None
    if ticker == RENAME[1]:
        return RENAME[2] if day >= RENAME[3] else None
    if ticker == EXIT[0]:
        return EXIT[1] if day <= EXIT[2] else None
    return composites.get(ticker)


def main() -> None:
    """Write the file and print a one-line summary."""
    rng = np.random.default_rng(SEED)
    universe = pd.read_csv(sample_dir() / "universe.csv")["bloomberg_ticker"].tolist()
    composites = _composites()
    fridays = [START + dt.timedelta(weeks=i) for i in range((END - START).days // 7 + 1)]
    rows = []
    for day in fridays:
        for ticker in universe:
            entity = _entity(ticker, day, composites)
            if entity is not None:
                rows.append((day.isoformat(), bloomberg_to_numerai(ticker), entity))
    frame = pd.DataFrame(rows, columns=["date", "numerai_ticker", "composite_figi"])
    for i in range(3):
        frame[f"feature_{i}"] = rng.integers(0, 5, len(frame)).astype(np.float32) / 4
    frame["target"] = rng.random(len(frame)).round(4)
    frame = frame.sort_values(["date", "numerai_ticker"], kind="stable").reset_index(drop=True)
    path = sample_dir() / "history_universe.parquet"
    frame.to_parquet(path, index=False, row_group_size=2000)
    print(f"wrote {path}: {len(frame)} rows, {frame['date'].nunique()} dates")


if __name__ == "__main__":
    main()
