"""Measure today's offline behaviour on real witnesses against the hand-labelled sets (baseline).

Runs the project's own library offline on ../shared/data: ``reconcile`` of the labelled tickers
with the Signals map and FinanceDatabase (and dsignals' EODHD map) as maps, and ``symbols`` on the
Yahoo set. Reports, against tests/data/labels/*.csv:

- ISIN pairs: per reason and per witness, precision and recall of "flagged" (any status other
  than ok/unverified) for wrong-ISIN rows; false alarms on same-company rows; renamed companies
  called conflicts; the share of ``unverified`` rows.
- Yahoo symbols: agreement of ``symbols`` and of reconcile's ``yahoo`` column, ambiguous and
  missing shares, per market.
- Renames: whether the string rules round-trip each override's new symbol.
- Timing: loading the FinanceDatabase folder against a bare ``pandas.read_csv`` of the same files
  (the reference, same run, ratio printed), and the reconcile run.

Usage: python scripts/bench_witnesses.py [--data ../shared/data] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas as pd

from tickermap.config import Settings
from tickermap.maps.load import LoadedMap, load_map
from tickermap.maps.options import MapSpec
from tickermap.reconcile.pipeline import reconcile_files
from tickermap.tickers.symbols import (
    bloomberg_to_yahoo,
    convert_column,
    convert_table,
    yahoo_to_bloomberg,
)

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "labels"
WRONG = ("wrong_isin_in_signals_map", "wrong_isin_in_financedatabase")
CALM = ("ok", "corroborated", "unverified")


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _timing(folder: Path) -> dict[str, float]:
    start = time.perf_counter()
    for f in sorted(folder.glob("*.csv")):
        pd.read_csv(f, dtype=str, keep_default_na=False)
    reference = time.perf_counter() - start
    start = time.perf_counter()
    load_map(folder)
    ours = time.perf_counter() - start
    return {"fd_load_s": round(ours, 2), "pandas_read_s": round(reference, 2),
            "ratio": round(ours / reference, 2)}  # fmt: skip


def _reconcile(
    data: Path, pairs: pd.DataFrame, work: Path
) -> tuple[pd.DataFrame, pd.DataFrame, object, float]:
    fd = data / "financedatabase" / "equities"
    fd_map = load_map(fd).frame
    fd_ticker = dict(zip(fd_map["yahoo"], fd_map["bloomberg_ticker"], strict=True))
    pairs["fd_ticker"] = pairs["fd_symbol"].map(fd_ticker)
    tickers = pd.concat([pairs["bloomberg_ticker"], pairs["fd_ticker"]]).dropna().unique()
    universe = work / "universe.csv"
    pd.DataFrame({"bloomberg_ticker": tickers}).to_csv(universe, index=False)
    maps = [
        MapSpec(data / "signals_map_guillem.csv"),
        MapSpec(fd),
        MapSpec(data / "dsignals" / "eodhd-map.csv"),
    ]
    start = time.perf_counter()
    done = reconcile_files(universe, maps, work / "out.csv", settings=Settings(
        cache_dir=work / "cache"), offline=True)  # fmt: skip
    seconds = time.perf_counter() - start
    blamed = done.result.stats.get("blamed_listings")
    return done.result.universe, done.result.review, blamed, seconds


def _claim_status(
    review: pd.DataFrame, source: str, key: str = "bloomberg_ticker"
) -> dict[str, tuple[str, str]]:
    # A FinanceDatabase folder names each file ``equities/FILE.csv``: one witness, many files,
    # so its claims are keyed by Yahoo symbol (one ticker has several FinanceDatabase lines).
    src = review["source"].astype(str)
    sub = review[(src == source) | src.str.startswith(source + "/")]
    return {str(t): (s, str(r)) for t, s, r in zip(sub[key], sub["status"], sub["reasons"],
                                                   strict=True) if isinstance(t, str)}  # fmt: skip


def _fd_claims(review: pd.DataFrame, blamed: object) -> dict[str, tuple[str, str]]:
    """FinanceDatabase claims by Yahoo symbol, plus its blamed rows that are no claim of the
    universe (``stats["blamed_listings"]``: rows known only by their Yahoo symbol)."""
    out = _claim_status(review, "equities", key="yahoo")
    for row in blamed if isinstance(blamed, list) else []:
        if isinstance(row, dict) and isinstance(row.get("yahoo"), str):
            out.setdefault(row["yahoo"], ("isin_conflict", "isin_conflict"))
    return out


def _isin_metrics(
    pairs: pd.DataFrame,
    universe: pd.DataFrame,
    review: pd.DataFrame,
    blamed: object = None,
    fd_claims: dict[str, tuple[str, str]] | None = None,
) -> dict[str, object]:
    """Row-, reason-, witness- and which-file metrics; ``fd_claims`` (Yahoo symbol -> status,
    reasons) replaces the FinanceDatabase folder's claims when the listings came in another
    format (scripts/bench_witness_formats.py)."""
    status = dict(zip(universe["bloomberg_ticker"], universe["status"], strict=True))
    reasons = dict(zip(universe["bloomberg_ticker"], universe["reasons"].astype(str), strict=True))
    rows = pairs[pairs["label"] != "cannot_tell"].copy()
    rows["status"] = rows["bloomberg_ticker"].map(status)
    rows["reasons"] = rows["bloomberg_ticker"].map(reasons).fillna("")
    rows["flagged"] = ~rows["status"].isin(CALM)
    wrong = rows["label"].isin(WRONG)
    out: dict[str, object] = {
        "rows": len(rows),
        "labels": dict(Counter(rows["label"])),
        "unverified_share": _ratio(int((rows["status"] == "unverified").sum()), len(rows)),
        "wrong_isin_recall": _ratio(int((rows["flagged"] & wrong).sum()), int(wrong.sum())),
        "false_alarms_same_company": _ratio(
            int((rows["flagged"] & (rows["label"] == "same_company")).sum()),
            int((rows["label"] == "same_company").sum()),
        ),
        "renamed_called_conflict": _ratio(
            int((rows["flagged"] & (rows["label"] == "renamed")).sum()),
            int((rows["label"] == "renamed").sum()),
        ),
    }
    per_reason = {}
    for reason in sorted({r for cell in rows["reasons"] for r in cell.split(";") if r}):
        hit = rows["reasons"].str.split(";").map(lambda rs, x=reason: x in rs)
        per_reason[reason] = {
            "rows": int(hit.sum()),
            "precision": _ratio(int((hit & wrong).sum()), int(hit.sum())),
            "recall": _ratio(int((hit & wrong).sum()), int(wrong.sum())),
        }
    out["per_reason"] = per_reason
    sig = _claim_status(review, "signals_map_guillem.csv")
    fdc = _fd_claims(review, blamed) if fd_claims is None else fd_claims
    per_witness = {}
    for name, claims, key, label in (
        ("signals_map_guillem.csv", sig, "bloomberg_ticker", "wrong_isin_in_signals_map"),
        ("financedatabase", fdc, "fd_symbol", "wrong_isin_in_financedatabase"),
    ):
        got = rows[key].map(lambda t, c=claims: c.get(t, ("absent", ""))[0])
        present = got != "absent"
        flagged = present & ~got.isin(CALM)
        bad = rows["label"] == label
        per_witness[name] = {
            "claims_judged": int(present.sum()),
            "flagged": int(flagged.sum()),
            "precision": _ratio(int((flagged & bad).sum()), int(flagged.sum())),
            "recall": _ratio(int((flagged & bad).sum()), int((bad & present).sum())),
            "wrong_rows_without_claim": int((bad & ~present).sum()),
        }
    out["per_witness"] = per_witness
    out["which_file"] = _which_file(rows, sig, fdc, status)
    return out


def _which_file(
    rows: pd.DataFrame,
    sig: dict[str, tuple[str, str]],
    fdc: dict[str, tuple[str, str]],
    status: dict[str, str],
) -> dict[str, object]:
    """Claim- and row-level: is the wrong file's claim (and its ticker's row) flagged, and are
    the right claims left alone? (The row-level metrics above flag the Signals ticker's row
    even when FinanceDatabase is the wrong file.)"""

    def bad(claims: dict[str, tuple[str, str]], t: object) -> bool:
        return isinstance(t, str) and claims.get(t, ("absent", ""))[0] not in (*CALM, "absent")

    def row_bad(t: object) -> bool:
        return isinstance(t, str) and status.get(t, "ok") not in CALM

    sig_bad = rows["bloomberg_ticker"].map(lambda t: bad(sig, t))
    fd_bad = rows["fd_symbol"].map(lambda t: bad(fdc, t))
    sig_row = rows["bloomberg_ticker"].map(row_bad)
    fd_row = rows["fd_ticker"].map(row_bad)
    in_sig = rows["label"] == "wrong_isin_in_signals_map"
    in_fd = rows["label"] == "wrong_isin_in_financedatabase"
    wrong = in_sig | in_fd
    same = rows["label"] == "same_company"
    renamed = rows["label"] == "renamed"
    caught = (in_sig & sig_bad) | (in_fd & fd_bad)
    caught_row = (in_sig & sig_row) | (in_fd & fd_row)
    right_blamed = (in_sig & fd_bad) | (in_fd & sig_bad)
    either = sig_bad | fd_bad
    either_row = sig_row | fd_row
    return {
        "wrong_claim_recall": _ratio(int(caught.sum()), int(wrong.sum())),
        "wrong_row_recall": _ratio(int(caught_row.sum()), int(wrong.sum())),
        "right_file_blamed": _ratio(int(right_blamed.sum()), int(wrong.sum())),
        "false_alarm_claims_same_company": _ratio(int((either & same).sum()), int(same.sum())),
        "false_alarm_rows_same_company": _ratio(int((either_row & same).sum()), int(same.sum())),
        "renamed_claims_called_conflict": _ratio(int((either & renamed).sum()), int(renamed.sum())),
        "renamed_rows_called_conflict": _ratio(
            int((either_row & renamed).sum()), int(renamed.sum())
        ),
    }


def _yahoo_metrics(
    labels: pd.DataFrame, universe: pd.DataFrame | None, maps: list[LoadedMap] | None = None
) -> dict[str, object]:
    if maps is None:  # the string rules alone (the baseline)
        conv = convert_column(labels["bloomberg_ticker"], namespace="bloomberg", to="yahoo")
    else:  # symbols --map: the witnesses' evidence, rules as fallback
        conv, _ = convert_table(labels[["bloomberg_ticker"]], to="yahoo", maps=maps)
    frame = labels.assign(
        got=conv["yahoo"].to_numpy(), ambiguous=conv["symbol_ambiguous"].to_numpy()
    )
    decided = frame["got"].notna() & ~frame["ambiguous"].astype(bool)
    agree = decided & (frame["got"] == frame["yahoo"])
    per_market = {}
    for market, sub in frame.groupby("market"):
        d = sub["got"].notna() & ~sub["ambiguous"].astype(bool)
        per_market[str(market)] = {
            "rows": len(sub),
            "agree_of_decided": _ratio(int((d & (sub["got"] == sub["yahoo"])).sum()), int(d.sum())),
            "ambiguous": int(sub["ambiguous"].astype(bool).sum()),
            "no_symbol": int(sub["got"].isna().sum()),
        }
    out: dict[str, object] = {
        "rows": len(frame),
        "symbols_agree_of_decided": _ratio(int(agree.sum()), int(decided.sum())),
        "symbols_agree_of_all": _ratio(int(agree.sum()), len(frame)),
        "ambiguous_share": _ratio(int(frame["ambiguous"].astype(bool).sum()), len(frame)),
        "no_symbol_share": _ratio(int(frame["got"].isna().sum()), len(frame)),
        "per_market": per_market,
    }
    if maps is not None:
        out["yahoo_source"] = dict(Counter(conv["yahoo_source"].fillna("none")))
    if universe is not None:
        yahoo = dict(zip(universe["bloomberg_ticker"], universe["yahoo"], strict=True))
        got = frame["bloomberg_ticker"].map(yahoo)
        out["reconcile_yahoo_agree_of_all"] = _ratio(int((got == frame["yahoo"]).sum()), len(frame))
        if "yahoo_source" in universe.columns:
            src = frame["bloomberg_ticker"].map(
                dict(zip(universe["bloomberg_ticker"], universe["yahoo_source"], strict=True))
            )
            out["reconcile_yahoo_source"] = dict(Counter(src.fillna("none")))
    return out


def _breadth_metrics(
    labels: pd.DataFrame, universe: pd.DataFrame | None, maps: list[LoadedMap] | None
) -> dict[str, object]:
    """symbols (rules, or --map witnesses) and reconcile's yahoo on the breadth set: a row agrees
    when it is not marked ambiguous and the symbol is the label or the label's
    ``yahoo_previous`` (the Yahoo map kept a symbol from before a rename), or the
    ``;previous=`` symbol of ``yahoo_source`` is the label."""
    if maps is None:
        conv = convert_column(labels["bloomberg_ticker"], namespace="bloomberg", to="yahoo")
    else:
        conv, _ = convert_table(labels[["bloomberg_ticker"]], to="yahoo", maps=maps)
    frame = labels.assign(
        got=conv["yahoo"].to_numpy(), ambiguous=conv["symbol_ambiguous"].astype(bool).to_numpy()
    )
    if universe is not None:
        frame["got"] = frame["bloomberg_ticker"].map(
            dict(zip(universe["bloomberg_ticker"], universe["yahoo"], strict=True))
        )
        frame["ambiguous"] = (
            frame["bloomberg_ticker"]
            .map(
                dict(
                    zip(
                        universe["bloomberg_ticker"],
                        universe["yahoo_source"].astype(str).str.contains(":ambiguous"),
                        strict=True,
                    )
                )
            )
            .fillna(False)
            .astype(bool)
        )
    if universe is not None:
        source = frame["bloomberg_ticker"].map(
            dict(zip(universe["bloomberg_ticker"], universe["yahoo_source"], strict=True))
        )
    else:
        values = conv["yahoo_source"].to_numpy() if "yahoo_source" in conv else None
        source = pd.Series(values, index=frame.index, dtype="object")
    emitted_previous = source.fillna("").astype(str).str.extract(r";previous=(\S+)")[0]
    hit = (
        (frame["got"] == frame["yahoo"])
        | ((frame["yahoo_previous"] != "") & (frame["got"] == frame["yahoo_previous"]))
        | (emitted_previous == frame["yahoo"])
    )
    frame["agree"] = hit & ~frame["ambiguous"]
    frame["none"] = frame["got"].isna()

    def shares(sub: pd.DataFrame) -> dict[str, object]:
        return {
            "rows": len(sub),
            "agree": _ratio(int(sub["agree"].sum()), len(sub)),
            "ambiguous": int(sub["ambiguous"].sum()),
            "no_symbol": int(sub["none"].sum()),
        }

    out: dict[str, object] = shares(frame)
    out["per_market"] = {str(m): shares(sub) for m, sub in frame.groupby("market")}
    wrong = frame[~frame["agree"]]
    out["misses"] = [
        f"{t}: {g} (label {y})"
        for t, g, y in zip(
            wrong["bloomberg_ticker"], wrong["got"].fillna("-"), wrong["yahoo"], strict=True
        )
    ]
    return out


def _rename_metrics(renames: pd.DataFrame) -> dict[str, object]:
    out = {}
    for kind, sub in renames.groupby("kind"):
        ok = 0
        for symbol in sub["new_yahoo"]:
            bbg = yahoo_to_bloomberg(symbol).symbol
            back = bloomberg_to_yahoo(bbg).symbol if bbg else None
            ok += back == symbol
        out[str(kind)] = {"rows": len(sub), "round_trip": _ratio(ok, len(sub))}
    return out


def _whole_map(data: Path, work: Path) -> dict[str, object]:
    """The whole Signals map reconciled offline with the shared witnesses (status shares, time;
    the FinanceDatabase folder is loaded once before the clock starts: warm)."""
    from tickermap.maps.options import load_map_spec
    from tickermap.reconcile.pipeline import reconcile

    signals = data / "signals_map_guillem.csv"
    maps = [
        load_map_spec(MapSpec(p))
        for p in (
            signals,
            data / "financedatabase" / "equities",
            data / "dsignals" / "eodhd-map.csv",
        )
    ]
    universe = pd.read_csv(signals, dtype=str, keep_default_na=False)[["bloomberg_ticker"]]
    start = time.perf_counter()
    result = reconcile(universe, maps, settings=Settings(cache_dir=work / "whole"), offline=True)
    seconds = time.perf_counter() - start
    shares = result.universe["status"].value_counts(normalize=True).round(4)
    return {"rows": len(universe), "seconds": round(seconds, 1), "status": shares.to_dict(),
            "witnesses": result.stats["witnesses"]}  # fmt: skip


def _print(report: dict[str, object]) -> None:
    isin = report["isin_pairs"]
    assert isinstance(isin, dict)
    print(f"ISIN pairs: {isin['rows']} rows {isin['labels']}")
    print(f"  unverified share {isin['unverified_share']}, wrong-ISIN recall "
          f"{isin['wrong_isin_recall']}, false alarms {isin['false_alarms_same_company']}, "
          f"renamed called conflict {isin['renamed_called_conflict']}")  # fmt: skip
    print(f"  which file is wrong: {isin['which_file']}")
    print(f"  {'reason':<28}{'rows':>6}{'precision':>11}{'recall':>8}")
    for reason, m in isin["per_reason"].items():
        print(f"  {reason:<28}{m['rows']:>6}{m['precision']!s:>11}{m['recall']!s:>8}")
    print(f"  {'witness':<28}{'judged':>7}{'flagged':>8}{'precision':>11}{'recall':>8}")
    for name, m in isin["per_witness"].items():
        print(
            f"  {name:<28}{m['claims_judged']:>7}{m['flagged']:>8}{m['precision']!s:>11}"
            f"{m['recall']!s:>8}  (wrong rows with no claim: {m['wrong_rows_without_claim']})"
        )
    _print_yahoo(report["yahoo_symbols"], "string rules only (baseline)")
    _print_yahoo(report["yahoo_symbols_with_witnesses"], "with witnesses (symbols --map)")
    print(f"Renames (string round trip of the new symbol): {report['renames']}")
    print(f"Timing: {report['timing']}")
    if "whole_map" in report:
        print(f"Whole Signals map offline: {report['whole_map']}")


def _print_yahoo(yahoo: object, label: str) -> None:
    assert isinstance(yahoo, dict)
    print(
        f"Yahoo symbols, {label}: {yahoo['rows']} rows; symbols agrees on "
        f"{yahoo['symbols_agree_of_decided']}"
        f" of decided rows ({yahoo['symbols_agree_of_all']} of all), ambiguous "
        f"{yahoo['ambiguous_share']}, no symbol {yahoo['no_symbol_share']}; reconcile yahoo "
        f"agrees on {yahoo.get('reconcile_yahoo_agree_of_all')} of all"
    )
    for market, m in yahoo["per_market"].items():
        print(
            f"  {market:<4}{m['rows']:>5}  agree {m['agree_of_decided']!s:<7} ambiguous "
            f"{m['ambiguous']:>3}  no symbol {m['no_symbol']:>3}"
        )
    for key in ("yahoo_source", "reconcile_yahoo_source"):
        if key in yahoo:
            print(f"  {key}: {yahoo[key]}")


def _print_breadth(report: dict[str, object]) -> None:
    for label, m in report.items():
        assert isinstance(m, dict)
        print(f"Yahoo breadth set, {label}: {m['rows']} rows; agree {m['agree']}, ambiguous "
              f"{m['ambiguous']}, no symbol {m['no_symbol']}")  # fmt: skip
        per = m["per_market"]
        assert isinstance(per, dict)
        cells = [f"{k} {v['agree']}/{v['ambiguous']}/{v['no_symbol']}" for k, v in per.items()]
        for i in range(0, len(cells), 6):
            print("   " + "  ".join(f"{c:<19}" for c in cells[i : i + 6]))
        misses = m["misses"]
        assert isinstance(misses, list)
        print(f"   misses ({len(misses)}): {'; '.join(misses[:40])}")


def _breadth(data: Path, work: Path) -> dict[str, object]:
    """The breadth set: rules only; symbols --map with FinanceDatabase and the Signals map;
    with dsignals too; reconcile's yahoo column with all three."""
    labels = pd.read_csv(LABELS / "yahoo_breadth.csv", dtype=str, keep_default_na=False)
    sig, fd = load_map(data / "signals_map_guillem.csv"), load_map(data / "financedatabase" /
                                                                   "equities")  # fmt: skip
    ds = load_map(data / "dsignals" / "eodhd-map.csv")
    universe = work / "breadth_universe.csv"
    labels[["bloomberg_ticker"]].to_csv(universe, index=False)
    done = reconcile_files(universe, [MapSpec(data / "signals_map_guillem.csv"),
                                      MapSpec(data / "financedatabase" / "equities"),
                                      MapSpec(data / "dsignals" / "eodhd-map.csv")],
                           work / "breadth_out.csv", settings=Settings(cache_dir=work / "bc"),
                           offline=True)  # fmt: skip
    return {
        "string rules only": _breadth_metrics(labels, None, None),
        "symbols --map signals+financedatabase": _breadth_metrics(labels, None, [sig, fd]),
        "symbols --map signals+financedatabase+dsignals": _breadth_metrics(
            labels, None, [sig, fd, ds]
        ),
        "reconcile yahoo (all three maps)": _breadth_metrics(labels, done.result.universe, None),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--whole", action="store_true", help="also reconcile the whole map")
    parser.add_argument("--breadth-only", action="store_true", help="only the breadth set")
    args = parser.parse_args(argv)
    if args.breadth_only:
        with tempfile.TemporaryDirectory() as tmp:
            breadth = _breadth(args.data, Path(tmp))
        _print_breadth(breadth)
        return 0
    if not (args.data / "financedatabase" / "equities").is_dir():
        print(f"{args.data}: no financedatabase/equities; nothing to measure", file=sys.stderr)
        return 2
    pairs = pd.read_csv(LABELS / "isin_pairs.csv", dtype=str, keep_default_na=False)
    yahoo = pd.read_csv(LABELS / "yahoo_symbols.csv", dtype=str, keep_default_na=False)
    renames = pd.read_csv(LABELS / "renames.csv", dtype=str, keep_default_na=False)
    timing = _timing(args.data / "financedatabase" / "equities")
    with tempfile.TemporaryDirectory() as tmp:
        pairs_u, review, blamed, seconds = _reconcile(args.data, pairs, Path(tmp))  # +fd_ticker
        yahoo_tickers = Path(tmp) / "yahoo_universe.csv"
        yahoo[["bloomberg_ticker"]].to_csv(yahoo_tickers, index=False)
        done = reconcile_files(yahoo_tickers, [MapSpec(args.data / "signals_map_guillem.csv"),
                               MapSpec(args.data / "financedatabase" / "equities")],
                               Path(tmp) / "y.csv", settings=Settings(cache_dir=Path(tmp) / "c"),
                               offline=True)  # fmt: skip
        whole = _whole_map(args.data, Path(tmp)) if args.whole else None
        breadth = _breadth(args.data, Path(tmp))
    timing["reconcile_pairs_s"] = round(seconds, 2)
    witnesses = [
        load_map(args.data / "signals_map_guillem.csv"),
        load_map(args.data / "financedatabase" / "equities"),
        load_map(args.data / "dsignals" / "eodhd-map.csv"),
    ]
    report = {
        "isin_pairs": _isin_metrics(pairs, pairs_u, review, blamed),
        "yahoo_symbols": _yahoo_metrics(yahoo, None),
        "yahoo_symbols_with_witnesses": _yahoo_metrics(yahoo, done.result.universe, witnesses),
        "renames": _rename_metrics(renames),
        "timing": timing,
    }
    report["yahoo_breadth"] = breadth
    if whole is not None:
        report["whole_map"] = whole
    _print(report)
    _print_breadth(breadth)
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
