"""Measure ``tickermap refresh`` on a stand-in built from the shared files and hand labels.

No 2021 and 2025 Signals universe maps are in ``../shared/data``; the shared Signals map and
dsignals' EODHD map hold the same tickers. The Signals map is a *historical* universe, though: it
holds both the old and the new ticker of many renames. The stand-in therefore splits it in two:

- previous map ("2021"): the Signals map's rows without the new tickers of the labelled pairs;
- new universe ("2025"): the previous tickers without the old tickers of the labelled pairs, plus
  every labelled new ticker (from the Signals map or FinanceDatabase);
- distractors: a fixed sample of non-US tickers removed without a successor, a fixed sample of
  FinanceDatabase listings added (not in the Signals map), and a sample of unchanged tickers.

Labels: ``tests/data/labels/refresh_renames.csv`` (by hand, with evidence; ``rename`` and hard
``not_rename`` pairs: share-class siblings, identifiers a witness gives to another company, a
spin-off). Witnesses: FinanceDatabase (the shared folder) and dsignals' EODHD map, offline; the
dsignals overrides are NOT a witness here (7 labels came from them). Three previous-map formats:
``full`` (the Signals map's own columns: name, ISIN, FIGIs) and ``names`` (ticker and name only,
as many community maps are), whose universe is a ``bloomberg_ticker`` list; and ``official``:
both the previous map and the universe in Numerai's ``signals_ticker_map_w_bbg.csv`` format
(``ticker,bloomberg_ticker,yahoo``), the held-out measurement's shape. There the ``ticker``
column is the exchange-level code (``7203 JT``, ``SAP GY``, ``ABX.``), each row's ``yahoo`` is
what the witnesses give it as a Numerai map would (dsignals' Yahoo column, which keeps some
symbols from before a rename such as ``RED SM`` -> ``REE.MC``; else its EODHD symbol in Yahoo
form; else the FinanceDatabase listing of the ticker; else the string rule), and the witnesses
are the Signals map (a historical universe: it holds old and new tickers of many renames),
FinanceDatabase and dsignals' EODHD map, as the held-out run has them.

Reports, per format: renames named, precision (a named pair is right only when labelled
``rename``; a labelled ``not_rename`` or an unlabelled pair is wrong), recall on the labelled
renames (overall and per candidate source), ``possible_rename`` rows, and the run time. The
reference in the same run is the exact-key linker alone (``--fuzzy off``): the ratio of the two
runs' times is printed.

``--removed N --added N`` scale the distractors (a precision check: every named pair that is
not a labelled rename counts as wrong, so more distractors give more chances to be wrong).

Usage: python scripts/bench_refresh.py [--data ../shared/data] [--json out.json]
    [--formats full names official] [--removed 150] [--added 150] [--exact-only]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from tickermap.config import Settings
from tickermap.maps.load import load_map
from tickermap.maps.options import MapSpec
from tickermap.refresh.facts import eodhd_to_yahoo
from tickermap.refresh.run import refresh_files
from tickermap.tickers.symbols import bloomberg_to_yahoo

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "labels" / "refresh_renames.csv"
FORMATS = ("full", "names", "official")
SEED, N_REMOVED, N_ADDED, N_KEPT = 7, 150, 150, 1500


def _code(ticker: str) -> str:
    return ticker.rsplit(" ", 1)[-1] if " " in ticker else ""


# Bloomberg composite code -> the exchange-level code Numerai's ``ticker`` column shows.
_EXCHANGE_LEVEL = {"JP": "JT", "GR": "GY", "BZ": "BS", "MF": "MM", "AU": "AT"}


def exchange_level(ticker: str) -> str:
    """The official map's ``ticker`` value for a composite (``7203 JP`` -> ``7203 JT``)."""
    root, _, code = ticker.rpartition(" ")
    if code == "US":
        return root.replace("/", ".")
    if code == "CN":
        return root.replace("/", ".").replace("-U", ".UN") + ("" if "/" in root else ".")
    return f"{root} {_EXCHANGE_LEVEL.get(code, code)}"


def yahoo_symbols(data: Path, fd_symbols: dict[str, str]) -> dict[str, str]:
    """Bloomberg ticker -> the Yahoo symbol a Numerai map would give it, from the witnesses."""
    ds = pd.read_csv(data / "dsignals" / "eodhd-map.csv", dtype=str, keep_default_na=False)
    out = dict(fd_symbols)
    for t, eodhd in zip(ds["bloomberg_ticker"], ds["signals_ticker"], strict=True):
        if eodhd and (y := eodhd_to_yahoo(eodhd)):
            out[t] = y
    out.update({t: y for t, y in zip(ds["bloomberg_ticker"], ds["yahoo"], strict=True) if y})
    return out


def _official(tickers: list[str], yahoo: dict[str, str]) -> pd.DataFrame:
    rows = []
    for t in tickers:
        y = yahoo.get(t) or bloomberg_to_yahoo(t).symbol or ""
        rows.append((exchange_level(t), t, y))
    return pd.DataFrame(rows, columns=["ticker", "bloomberg_ticker", "yahoo"])


def build(
    data: Path,
    labels: pd.DataFrame,
    work: Path,
    n_removed: int = N_REMOVED,
    n_added: int = N_ADDED,
) -> dict[str, Path]:
    """Write the stand-in previous maps (``full``, ``names``, ``official``) and the universes."""
    signals = pd.read_csv(data / "signals_map_guillem.csv", dtype=str, keep_default_na=False)
    signals = signals.drop_duplicates("bloomberg_ticker")
    fd = load_map(data / "financedatabase" / "equities")
    assert fd.extra is not None
    live = ~fd.extra["delisted"].fillna(False).astype(bool)
    fd_tickers = set(fd.frame["bloomberg_ticker"][live].dropna())
    listed = fd.frame[live & fd.frame["bloomberg_ticker"].notna() & fd.frame["yahoo"].notna()]
    fd_symbols = dict(zip(listed["bloomberg_ticker"], listed["yahoo"], strict=True))
    olds, news = set(labels["old_ticker"]), set(labels["new_ticker"])
    rng = random.Random(SEED)
    non_us = sorted(t for t in signals["bloomberg_ticker"]
                    if _code(t) not in ("US", "") and t not in olds | news)  # fmt: skip
    picked = rng.sample(non_us, n_removed + N_KEPT)
    removed, kept = set(picked[:n_removed]), set(picked[n_removed:])
    codes = {_code(t) for t in non_us}
    known = set(signals["bloomberg_ticker"])
    pool = sorted(t for t in fd_tickers if _code(t) in codes and t not in known | news)
    added = rng.sample(pool, n_added)
    previous = signals[signals["bloomberg_ticker"].isin(olds | removed | kept)]
    universe = sorted(kept | news | set(added))
    paths = {"full": work / "previous_full.csv", "names": work / "previous_names.csv",
             "universe": work / "universe.csv", "official": work / "previous_official.csv",
             "universe_official": work / "universe_official.csv"}  # fmt: skip
    yahoo = yahoo_symbols(data, fd_symbols)
    _official(sorted(previous["bloomberg_ticker"]), yahoo).to_csv(paths["official"], index=False)
    _official(universe, yahoo).to_csv(paths["universe_official"], index=False)
    previous.to_csv(paths["full"], index=False)
    previous[["bloomberg_ticker", "name_ticker"]].to_csv(paths["names"], index=False)
    pd.DataFrame({"bloomberg_ticker": universe}).to_csv(paths["universe"], index=False)
    return paths


def score(diff: pd.DataFrame, labels: pd.DataFrame) -> dict[str, object]:
    """Precision and recall of the named renames against the labels."""
    cols = [labels[c].tolist() for c in ("old_ticker", "new_ticker", "label")]
    truth = {(o, n): lab for o, n, lab in zip(*cols, strict=True)}
    renamed = diff[diff["change"] == "renamed"]
    named = list(zip(renamed["old_ticker"], renamed["new_ticker"], renamed["key"], strict=True))
    right = [p for p in named if truth.get(p[:2]) == "rename"]
    wrong = [p for p in named if truth.get(p[:2]) != "rename"]
    positives = labels[labels["label"] == "rename"]
    found = {p[:2] for p in right}
    per_source = {}
    for src, grp in positives.groupby("candidate_source"):
        hit = sum(
            (o, n) in found for o, n in zip(grp["old_ticker"], grp["new_ticker"], strict=True)
        )
        per_source[src] = f"{hit}/{len(grp)}"
    possible = diff[diff["change"] == "possible_rename"] if "change" in diff else diff.iloc[:0]
    by_key: dict[str, int] = {}
    for *_, key in right:
        k = str(key).split("=", 1)[0]
        by_key[k] = by_key.get(k, 0) + 1
    missed = sorted(set(zip(positives["old_ticker"], positives["new_ticker"], strict=True)) - found)
    return {
        "named": len(named), "right": len(right), "wrong": [list(p) for p in wrong],
        "precision": round(len(right) / len(named), 3) if named else None,
        "recall": round(len(right) / len(positives), 3), "positives": len(positives),
        "recall_per_source": per_source, "right_by_key": by_key,
        "possible_rename": len(possible), "missed": [list(p) for p in missed],
    }  # fmt: skip


def run(
    data: Path, paths: dict[str, Path], fmt: str, work: Path, fuzzy: bool
) -> tuple[pd.DataFrame, float]:
    maps = [MapSpec(data / "financedatabase" / "equities"),
            MapSpec(data / "dsignals" / "eodhd-map.csv")]  # fmt: skip
    universe = paths["universe"]
    if fmt == "official":
        maps.insert(0, MapSpec(data / "signals_map_guillem.csv"))
        universe = paths["universe_official"]
    tag = f"{fmt}_{'fuzzy' if fuzzy else 'exact'}"
    start = time.perf_counter()
    done = refresh_files(
        MapSpec(paths[fmt]), universe, maps, work / f"map_{tag}.csv",
        work / f"diff_{tag}.csv", settings=Settings(cache_dir=work / "cache"), offline=True,
        fuzzy=fuzzy,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if fmt == "official":  # both files load with the official preset, detected, not forced
        for path in (paths[fmt], universe):
            loaded = load_map(path)
            assert loaded.preset == "numerai" and loaded.detected, (path, loaded.preset)
        header = list(pd.read_csv(paths[fmt], nrows=0).columns)
        written = list(pd.read_csv(done.map_path, nrows=0, dtype=str).columns)
        assert written[: len(header)] == header, (header, written)
    return done.result.diff, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--exact-only", action="store_true", help="skip the fuzzy runs")
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--removed", type=int, default=N_REMOVED, help="distractors removed")
    parser.add_argument("--added", type=int, default=N_ADDED, help="distractors added")
    args = parser.parse_args(argv)
    if not (args.data / "financedatabase" / "equities").is_dir():
        print(f"{args.data}: no financedatabase/equities; nothing to measure", file=sys.stderr)
        return 2
    labels = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
    report: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = build(args.data, labels, work, args.removed, args.added)
        for fmt in args.formats:
            for fuzzy in (False, True) if not args.exact_only else (False,):
                diff, seconds = run(args.data, paths, fmt, work, fuzzy)
                got = score(diff, labels)
                got["seconds"] = round(seconds, 1)
                report[f"{fmt}/{'all rules' if fuzzy else 'exact keys'}"] = got
    for name, entry in report.items():
        assert isinstance(entry, dict)
        got = entry
        print(f"{name}: named {got['named']}, precision {got['precision']}, recall "
              f"{got['recall']} ({got['right']}/{got['positives']}), possible_rename "
              f"{got['possible_rename']}, {got['seconds']} s")  # fmt: skip
        print(f"  per source {got['recall_per_source']}; right by key {got['right_by_key']}")
        if got["wrong"]:
            print(f"  wrong: {got['wrong']}")
        print(f"  missed: {got['missed']}")
    for fmt in args.formats:
        before, after = report.get(f"{fmt}/exact keys"), report.get(f"{fmt}/all rules")
        if isinstance(before, dict) and isinstance(after, dict) and before["seconds"]:
            ratio = round(float(str(after["seconds"])) / float(str(before["seconds"])), 2)
            print(f"{fmt}: time all rules / exact keys (reference) = {ratio}")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
