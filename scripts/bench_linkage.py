"""Pair linkage on real files: today's hand-set Fellegi-Sunter weights against splink.

The question: does this pair of listings (a Signals-map row and a FinanceDatabase listing that
share a key) describe the same company? Evaluated on tests/data/labels/isin_pairs.csv
(``same_company`` + ``renamed`` = match, ``wrong_isin_*`` = non-match, ``cannot_tell`` left out).
The labels are used only here, to evaluate; nothing is fitted on them.

Candidate pairs (both methods score the same set): the Signals map x the FinanceDatabase folder,
blocked on ISIN, composite FIGI, share-class FIGI and ticker root + exchange code.

- ``handset``: :func:`tickermap.reconcile.suspicion.score_claim` as reconcile uses it, the
  Signals row being the claim and the witness listing the reference: ``name`` =
  :func:`tickermap.names.match.name_evidence` (token weights fitted on all names of the run),
  ``isin_country`` = the row's level from :func:`tickermap.reconcile.local_evidence`,
  ``share_class`` when both carry one, ``ticker_figi`` when both are the same ticker with a
  composite. Decision: posterior >= 0.5 (log-odds >= 0).
- ``handset_both``: the same table, plus the witness listing's own ``isin_country`` level (the
  table scored on both sides of the pair).
- ``lenient_name``: the cluster rule of :mod:`tickermap.reconcile.entities` (name groups by
  :func:`tickermap.maps._groups.agree`); a yes/no answer, so AP and AUC are those of two levels.
- ``splink_*`` (``scripts/linkage_splink.py``, DuckDB backend): ``independent`` (name with
  a term-frequency adjustment, ISIN-country fit of both listings, market, root, ISIN, composite
  and share-class FIGI; u from 10 million random pairs, seed 1; m by EM in sessions blocked on
  ISIN, on root + exchange and on the exact name; lambda from the identifier rules with an
  assumed recall of 0.8: the first model run), ``joint`` (the identifiers as one comparison,
  the root only within a market: written after reading the first model's errors on these
  labels) and ``same_features`` (the hand-set table's own features, m and u by EM). Decision:
  match probability >= 0.5.

Reports precision / recall / F1 of "match" and of "non-match" (a wrong ISIN caught) at each
method's threshold, average precision (match class) and ROC AUC of the score, and run time
(features + scoring over all candidate pairs; splink: training + prediction), in one run.
Skips (exit 0) when splink or the data is absent.

Usage: python scripts/bench_linkage.py [--data ../shared/data] [--json out.json]
       [--pairs labelled_scores.csv]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tickermap.maps._groups import agree, name_tokens
from tickermap.maps.load import LoadedMap, load_map
from tickermap.names.match import TokenWeights, name_evidence
from tickermap.names.normalize import normalize_names
from tickermap.reconcile.entities import listing_fit
from tickermap.reconcile.local_evidence import local_evidence
from tickermap.reconcile.suspicion import score_claim
from tickermap.tickers.exchanges import load_exchanges
from tickermap.tickers.parse import parse_column

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linkage_splink import KEYS, MODELS, splink_scores

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "labels" / "isin_pairs.csv"
MATCH = ("same_company", "renamed")
NON_MATCH = ("wrong_isin_in_signals_map", "wrong_isin_in_financedatabase")


# ---------------------------------------------------------------- listings and candidate pairs
def _listings(loaded: LoadedMap, prefix: str) -> pd.DataFrame:
    """One row per map row: the columns both methods compare (``unique_id`` = prefix + position).

    The ``source_row`` of the loaded map is renumbered by position so that every row of a
    FinanceDatabase folder (one ``source`` for 80 files) has its own local-evidence key.
    """
    frame = loaded.frame.reset_index(drop=True)
    parsed = parse_column(frame["bloomberg_ticker"], namespace="bloomberg")
    countries = {code: ex.country for code, ex in load_exchanges().items()}
    norm = normalize_names(frame["name"])["text"].where(lambda s: s.str.len() > 0)
    out = pd.DataFrame(
        {
            "unique_id": [f"{prefix}{i}" for i in range(len(frame))],
            "ticker": frame["bloomberg_ticker"],
            "yahoo": frame["yahoo"],
            "name": frame["name"],
            "name_norm": norm,
            "first_tok": norm.str.split(" ").str[0],
            "isin": frame["isin"],
            "composite": frame["composite_figi"],
            "share": frame["share_class_figi"],
            "root": parsed["root"],
            "code": parsed["code"],
            "country": parsed["code"].map(countries),
        }
    )
    out["fit"] = [
        listing_fit(i if isinstance(i, str) else None, c if isinstance(c, str) else "",
                    r if isinstance(r, str) else "", k if isinstance(k, str) else None)
        for i, c, r, k in zip(out["isin"], out["code"], out["root"], out["country"], strict=True)
    ]  # fmt: skip
    renumbered = dataclasses.replace(
        loaded, frame=loaded.frame.reset_index(drop=True).assign(source_row=range(len(frame)))
    )
    levels = local_evidence([renumbered])
    source = str(frame["source"].iloc[0]) if len(frame) else ""
    out["isin_country"] = [
        levels[(source, i)].country_level if (source, i) in levels else "unknown"
        for i in range(len(frame))
    ]
    out.loc[out["isin"].isna(), "isin_country"] = "unknown"
    return out.astype(object).where(out.notna(), None)


def candidate_pairs(sig: pd.DataFrame, fd: pd.DataFrame) -> pd.DataFrame:
    """``sid, fid`` of every Signals x FinanceDatabase pair sharing one of :data:`KEYS`."""
    found = []
    for key in KEYS:
        left = sig[["unique_id", *key]].dropna()
        right = fd[["unique_id", *key]].dropna()
        found.append(left.merge(right, on=list(key))[["unique_id_x", "unique_id_y"]])
    pairs = pd.concat(found).drop_duplicates().set_axis(["sid", "fid"], axis=1)
    return pairs.reset_index(drop=True)


def labelled_pairs(sig: pd.DataFrame, fd: pd.DataFrame) -> pd.DataFrame:
    """The labelled rows (``cannot_tell`` left out) with their ``sid, fid`` and ``match``."""
    labels = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
    labels = labels[labels["label"].isin((*MATCH, *NON_MATCH))]
    sid = dict(zip(sig["ticker"], sig["unique_id"], strict=True))
    fid = dict(zip(fd["yahoo"], fd["unique_id"], strict=True))
    out = labels.assign(
        sid=labels["bloomberg_ticker"].map(sid), fid=labels["fd_symbol"].map(fid),
        match=labels["label"].isin(MATCH),
    )  # fmt: skip
    missing = out["sid"].isna() | out["fid"].isna()
    if missing.any():
        raise SystemExit(f"{int(missing.sum())} labelled pairs not found in the data")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- (a) hand-set Fellegi-Sunter
def handset_scores(
    sig: pd.DataFrame, fd: pd.DataFrame, pairs: pd.DataFrame, weights: TokenWeights
) -> pd.DataFrame:
    """Log-odds of every candidate pair under the hand-set table, claim side and both sides."""
    s = sig.set_index("unique_id").loc[pairs["sid"]].reset_index(drop=True)
    f = fd.set_index("unique_id").loc[pairs["fid"]].reset_index(drop=True)
    names = name_evidence(s["name"], f["name"], weights=weights).tolist()
    claim, both = [], []
    for name, s_row, f_row in zip(
        names, s.itertuples(index=False), f.itertuples(index=False), strict=True
    ):
        levels = {"name": str(name), "isin_country": str(s_row.isin_country)}
        if s_row.share and f_row.share:
            levels["share_class"] = "agree" if s_row.share == f_row.share else "disagree"
        if s_row.ticker == f_row.ticker and s_row.composite and f_row.composite:
            levels["ticker_figi"] = "agree" if s_row.composite == f_row.composite else "disagree"
        score = score_claim(levels)
        claim.append(score.log_odds)
        witness = score_claim({"isin_country": str(f_row.isin_country)})
        both.append(score.log_odds + witness.contributions["isin_country"][1])
    return pairs.assign(handset=claim, handset_both=both)


def lenient_scores(sig: pd.DataFrame, fd: pd.DataFrame, pairs: pd.DataFrame) -> pd.Series:
    """1.0 when the entity clusters' lenient name rule puts the two names in one group."""
    s = sig.set_index("unique_id")["name"].loc[pairs["sid"]].tolist()
    f = fd.set_index("unique_id")["name"].loc[pairs["fid"]].tolist()
    return pd.Series(
        [float(agree(name_tokens(a), name_tokens(b))) for a, b in zip(s, f, strict=True)]
    )


# ---------------------------------------------------------------- metrics
def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """Sum over distinct thresholds (high to low) of precision x recall gained (sklearn's)."""
    order = np.argsort(-score, kind="stable")
    y, score = y[order].astype(float), score[order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]  # end of each tie block
    tp = np.cumsum(y)[last]
    precision, recall = tp / (last + 1), tp / y.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """P(score of a random positive > a random negative), ties counting one half."""
    pos, neg = score[y], score[~y]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def _prf(truth: np.ndarray, said: np.ndarray) -> tuple[float, float, float]:
    tp = int((truth & said).sum())
    p = tp / said.sum() if said.sum() else 0.0
    r = tp / truth.sum() if truth.sum() else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(y: np.ndarray, score: np.ndarray, threshold: float) -> dict[str, float]:
    """Match and non-match precision/recall/F1 at ``score >= threshold``; AP and ROC AUC."""
    said = score >= threshold
    p, r, f1 = _prf(y, said)
    np_, nr, nf1 = _prf(~y, ~said)
    out = {"precision": p, "recall": r, "f1": f1, "nonmatch_precision": np_,
           "nonmatch_recall": nr, "nonmatch_f1": nf1, "ap": average_precision(y, score),
           "ap_nonmatch": average_precision(~y, -score), "roc_auc": roc_auc(y, score)}  # fmt: skip
    if importlib.util.find_spec("sklearn") is not None:  # independent check of the two above
        from sklearn.metrics import average_precision_score, roc_auc_score

        assert abs(out["ap"] - average_precision_score(y, score)) < 1e-9
        assert abs(out["roc_auc"] - roc_auc_score(y, score)) < 1e-9
    return {k: round(v, 3) for k, v in out.items()}


# ---------------------------------------------------------------- run
SPLINK_MODELS = MODELS


def _score_all(sig: pd.DataFrame, fd: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every method's score of every candidate pair (one column each) and the run times."""
    start = time.perf_counter()
    weights = TokenWeights.fit(pd.concat([sig["name"], fd["name"]]).dropna().tolist())
    pairs = candidate_pairs(sig, fd)
    scored = handset_scores(sig, fd, pairs, weights)
    seconds = {"handset": time.perf_counter() - start}
    seconds["handset_both"] = seconds["handset"]
    start = time.perf_counter()
    scored["lenient_name"] = lenient_scores(sig, fd, pairs).to_numpy()
    seconds["lenient_name"] = time.perf_counter() - start
    models = {}
    for model in SPLINK_MODELS:
        start = time.perf_counter()
        spl, models[model] = splink_scores(sig, fd, model, weights)
        seconds[f"splink_{model}"] = time.perf_counter() - start
        if len(spl) != len(pairs):
            raise SystemExit(f"splink scored {len(spl)} pairs, the candidates are {len(pairs)}")
        spl = spl.rename(columns={"match_weight": f"splink_{model}"})
        scored = scored.merge(spl[["sid", "fid", f"splink_{model}"]], on=["sid", "fid"])
    return scored, {"seconds": seconds, "models": models, "pairs": len(pairs)}


THRESHOLDS = {"handset": 0.0, "handset_both": 0.0, "lenient_name": 0.5,
              **{f"splink_{m}": 0.0 for m in SPLINK_MODELS}}  # fmt: skip
"""Each method's decision: log-odds (bits) >= 0, i.e. probability >= 0.5; lenient: agree."""


def run(data: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """Load, build candidates, score with every method, evaluate on the labelled pairs."""
    start = time.perf_counter()
    sig = _listings(load_map(data / "signals_map_guillem.csv"), "s")
    sig["claim_country"] = sig["isin_country"]  # the claim side, for splink_same_features
    fd = _listings(load_map(data / "financedatabase" / "equities"), "f").assign(claim_country=None)
    load_s = time.perf_counter() - start
    labels = labelled_pairs(sig, fd)
    scored, info = _score_all(sig, fd)
    got = labels.merge(scored, on=["sid", "fid"], how="left")
    if got[list(THRESHOLDS)].isna().any().any():
        raise SystemExit("a labelled pair is missing from the candidate pairs")
    y = got["match"].to_numpy(bool)
    results = {
        name: {**evaluate(y, got[name].to_numpy(float), thr),
               "seconds": round(info["seconds"][name], 1)}
        for name, thr in THRESHOLDS.items()
    }  # fmt: skip
    per_label = {
        name: got.assign(said=got[name] >= thr).groupby("label")["said"].mean().round(3).to_dict()
        for name, thr in THRESHOLDS.items()
    }
    versions = {m: importlib.metadata.version(m) for m in ("splink", "duckdb", "pandas")}
    report = {
        "versions": versions,
        "rows": {"signals": len(sig), "financedatabase": len(fd),
                 "candidate_pairs": info["pairs"], "labelled": len(got), "match": int(y.sum()),
                 "non_match": int((~y).sum())},
        "load_s": round(load_s, 1), "methods": results, "said_match_by_label": per_label,
        "splink_models": info["models"],
    }  # fmt: skip
    return report, got


def _print(report: dict[str, Any]) -> None:
    print(f"versions: {report['versions']}")
    print(f"rows: {report['rows']}; loading both files: {report['load_s']} s")
    cols = ["precision", "recall", "f1", "nonmatch_precision", "nonmatch_recall", "ap",
            "ap_nonmatch", "roc_auc", "seconds"]  # fmt: skip
    print("| method | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, row in report["methods"].items():
        print(f"| {name} | " + " | ".join(str(row[c]) for c in cols) + " |")
    base = report["methods"]["handset"]["seconds"]
    for model in SPLINK_MODELS:
        ratio = report["methods"][f"splink_{model}"]["seconds"] / base
        print(f"splink_{model} / handset run time: {ratio:.1f}x")
    print("share called a match, per label:")
    for name, row in report["said_match_by_label"].items():
        print(f"  {name}: {row}")
    for model, fitted in report["splink_models"].items():
        print(f"splink_{model}: lambda {fitted['lambda']:.3g}; fitted weights (bits):")
        for comp, levels in fitted["levels"].items():
            print(f"  {comp}: " + "; ".join(f"{k} {v['bits']}" for k, v in levels.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--pairs", type=Path, default=None, help="write each labelled pair's scores"
    )
    args = parser.parse_args(argv)
    try:
        import duckdb  # noqa: F401
        import splink  # noqa: F401
    except ImportError as exc:
        print(f"skipped: {exc.name or exc} is not installed (pip install splink duckdb)")
        return 0
    if (
        not (args.data / "financedatabase" / "equities").is_dir()
        or not (args.data / "signals_map_guillem.csv").is_file()
    ):
        print(f"skipped: {args.data} lacks signals_map_guillem.csv or financedatabase/equities")
        return 0
    report, got = run(args.data)
    _print(report)
    if args.pairs is not None:
        keep = ["bloomberg_ticker", "signals_name", "fd_symbol", "fd_name", "label", *THRESHOLDS]
        got[keep].to_csv(args.pairs, index=False)
        print(f"wrote {args.pairs}")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
