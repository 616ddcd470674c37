"""Reconcile at full FinanceDatabase size: the five venues the shared copy lacks, synthesised.

Users fetch the full FinanceDatabase set, with the US (``NMS``, ``NYQ``, ``PNK``) and German
(``FRA``, ``STU``) files the shared copy lacks. This script writes FinanceDatabase-format files
for those five venues at about their real sizes (NMS 5k, NYQ 3k, PNK 15k, FRA 20k, STU 20k rows;
``--scale`` multiplies) from :mod:`tickermap.testing.synthetic` (valid ISINs, CUSIPs and FIGIs
that belong to nobody; names, symbols and summaries drawn from a seeded generator, nothing
copied from the shared files), and a synthetic Signals-like map of about 7k US tickers taken from
them (names written the Bloomberg way, ISIN on half, FIGIs on most), so the ticker+name,
identifier and Germany-line paths all work at US scale.

It then times, warm (maps loaded before the clock starts), in the same run:

- the reference: the whole Signals map + the shared FinanceDatabase folder + dsignals' EODHD
  map (today's workload), universe = the Signals map;
- full size, same universe: the same with the five synthetic files added to the folder (the
  case of a user with the full set: the Signals map's tickers do not change);
- full size + synthetic map: also the synthetic map, the universe grown by its tickers;

and prints both times and their ratio, rows loaded, and the status shares of the synthetic
tickers (a check that the added paths did work). Without ../shared/data the reference is the
synthetic map alone and the full run adds the five files.

Usage: python scripts/bench_fd_scale.py [--data ../shared/data] [--scale 1.0] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import string
import tempfile
import time
from pathlib import Path

import pandas as pd

from tickermap.config import Settings
from tickermap.maps.load import LoadedMap
from tickermap.maps.options import MapSpec, load_map_spec
from tickermap.reconcile.pipeline import reconcile
from tickermap.testing.synthetic import SyntheticIds

ROOT = Path(__file__).resolve().parents[1]
VENUES = {  # file: (rows, Yahoo suffix, exchange, MIC, country)
    "NMS.csv": (5_000, "", "NMS", "XNAS", "United States"),
    "NYQ.csv": (3_000, "", "NYQ", "XNYS", "United States"),
    "PNK.csv": (15_000, "", "PNK", "OTCM", "United States"),
    "FRA.csv": (20_000, ".F", "FRA", "XFRA", "Germany"),
    "STU.csv": (20_000, ".SG", "STU", "XSTU", "Germany"),
}
COLUMNS = (
    "symbol", "name", "summary", "currency", "sector", "industry_group", "industry", "exchange",
    "mic", "market", "country", "state", "city", "zipcode", "website", "market_cap", "isin",
    "cusip", "figi", "composite_figi", "shareclass_figi", "delisted",
)  # fmt: skip
_WORDS = (
    "ALPHA", "BETA", "GAMMA", "DELTA", "NORTH", "SOUTH", "PACIFIC", "ATLANTIC", "RIVER", "STONE",
    "CEDAR", "MAPLE", "SILVER", "GOLDEN", "BRIGHT", "SUMMIT", "PIONEER", "FRONTIER", "HARBOR",
    "LIBERTY", "UNION", "CAPITAL", "ENERGY", "THERAPEUTICS", "BIOSCIENCES", "SYSTEMS", "NETWORKS",
    "FOODS", "MOTORS", "MINING", "BANCORP", "REALTY", "SOFTWARE", "MEDICAL", "LOGISTICS",
    "AEROSPACE", "SEMICONDUCTOR", "HOLDINGS",
)  # fmt: skip
_FORMS = ("Inc.", "Corp.", "Corporation", "Holdings, Inc.", "Ltd.", "plc", "Co.")


def _company(rng: random.Random, used: set[str]) -> str:
    while True:
        words = rng.sample(_WORDS, rng.randint(2, 3))
        name = " ".join(w.title() for w in words) + " " + rng.choice(_FORMS)
        if name not in used:
            used.add(name)
            return name


def _symbol(rng: random.Random, taken: set[str], suffix: str) -> str:
    while True:
        root = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(1, 5)))
        if rng.random() < 0.03:
            root += "-" + rng.choice("AB")  # share classes: BRK-B is BRK/B US
        if root + suffix not in taken:
            taken.add(root + suffix)
            return root + suffix


def synth_folder(
    folder: Path, rng: random.Random, scale: float, taken: set[str]
) -> list[dict[str, str]]:
    """Write the five venue files into ``folder``; return the US companies (for the map)."""
    ids = SyntheticIds(rng)
    names: set[str] = set()
    us: list[dict[str, str]] = []
    for fname, (rows, suffix, exchange, mic, country) in VENUES.items():
        records = []
        german = suffix != ""
        for _ in range(int(rows * scale)):
            if german and us and rng.random() < 0.6:  # a German line of a US company
                co = rng.choice(us)
                name, isin, share = co["name"].upper()[:20] + " DL-,01", co["isin"], co["share"]
                comp = figi = None
            else:
                name = _company(rng, names)
                isin = ids.isin("DE" if german else "US") if rng.random() < 0.5 else None
                share = ids.figi() if rng.random() < 0.8 else None
                comp = ids.figi() if rng.random() < 0.8 else None
                figi = comp
            symbol = _symbol(rng, taken, suffix)
            rec = dict.fromkeys(COLUMNS, "")
            rec.update(symbol=symbol, name=name, summary=f"{name} makes things. " * 8,
                       currency="EUR" if german else "USD", exchange=exchange, mic=mic,
                       market=exchange, country=country, isin=isin or "", figi=figi or "",
                       composite_figi=comp or "", shareclass_figi=share or "",
                       delisted="False")  # fmt: skip
            records.append(rec)
            if not german and rng.random() < 0.3:
                us.append({"symbol": symbol, "name": name, "isin": isin or ids.isin("US"),
                           "share": share or ids.figi(), "comp": comp or ids.figi()})  # fmt: skip
        pd.DataFrame(records, columns=list(COLUMNS)).to_csv(folder / fname, index=False)
    return us


def synth_map(path: Path, us: list[dict[str, str]], rng: random.Random) -> list[str]:
    """A Signals-like map of the US companies (Bloomberg-style names); returns its tickers."""
    rows = []
    for co in us:
        ticker = co["symbol"].replace("-", "/") + " US"
        name = co["name"].upper().replace(",", "").replace(".", "")
        rows.append({"bloomberg_ticker": ticker, "name_ticker": name[:28],
                     "isin": co["isin"] if rng.random() < 0.5 else "",
                     "figi": co["comp"], "share_class_figi": co["share"],
                     "composite_figi": co["comp"]})  # fmt: skip
    pd.DataFrame(rows).to_csv(path, index=False)
    return [r["bloomberg_ticker"] for r in rows]


def _timed(universe: list[str], maps: list[LoadedMap], cache: Path) -> tuple[float, pd.DataFrame]:
    frame = pd.DataFrame({"bloomberg_ticker": universe})
    start = time.perf_counter()
    result = reconcile(frame, maps, settings=Settings(cache_dir=cache), offline=True)
    return time.perf_counter() - start, result.universe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    shared_fd = args.data / "financedatabase" / "equities"
    real = shared_fd.is_dir()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = work / "equities"
        folder.mkdir()
        taken: set[str] = set()
        if real:  # link the shared files in (never copied); keep US symbols from colliding
            for f in sorted(shared_fd.glob("*.csv")):
                (folder / f.name).symlink_to(f)
                taken |= set(pd.read_csv(f, usecols=["symbol"], dtype=str)["symbol"].dropna())
        start = time.perf_counter()
        us = synth_folder(folder, rng, args.scale, taken)
        synth_tickers = synth_map(work / "synthetic_map.csv", us, rng)
        made = time.perf_counter() - start
        base_maps: list[LoadedMap] = []
        universe: list[str] = []
        if real:
            signals = args.data / "signals_map_guillem.csv"
            universe = pd.read_csv(signals, dtype=str)["bloomberg_ticker"].dropna().tolist()
            eodhd = args.data / "dsignals" / "eodhd-map.csv"
            base_maps = [load_map_spec(MapSpec(p)) for p in (signals, shared_fd, eodhd)]
        synth = load_map_spec(MapSpec(work / "synthetic_map.csv"))
        start = time.perf_counter()
        full_fd = load_map_spec(MapSpec(folder))
        load_s = time.perf_counter() - start
        ref_maps = base_maps or [synth]
        ref_s, _ = _timed(universe or synth_tickers, ref_maps, work / "c1")
        full_maps = [m for m in base_maps if m.preset != "financedatabase"] + [full_fd]
        same_s = _timed(universe, full_maps, work / "c2")[0] if real else None
        full_s, got = _timed(universe + synth_tickers, [*full_maps, synth], work / "c3")
    shares = got[got["bloomberg_ticker"].isin(set(synth_tickers))]["status"].value_counts(
        normalize=True
    )
    print(f"synthetic files written in {made:.1f} s; FinanceDatabase folder with them: "
          f"{len(full_fd.frame):,} rows loaded in {load_s:.1f} s")  # fmt: skip
    print(f"reference ({'shared witnesses' if real else 'synthetic map'}, "
          f"{len(universe or synth_tickers):,} tickers): {ref_s:.1f} s warm")  # fmt: skip
    if same_s is not None:
        print(f"full FinanceDatabase size, same universe: {same_s:.1f} s warm; ratio "
              f"{same_s / ref_s:.2f}")  # fmt: skip
    print(f"full size + synthetic map ({len(universe) + len(synth_tickers):,} tickers): "
          f"{full_s:.1f} s warm; ratio {full_s / ref_s:.2f}")  # fmt: skip
    print("synthetic US tickers by status: "
          + ", ".join(f"{k} {v:.1%}" for k, v in shares.items()))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
