"""Name-matching quality and speed: labelled pairs, precision/recall, pairs per second.

Usage:
    python scripts/bench_matching.py [--guillem ../shared/data/signals_map_guillem.csv]
        [--calibrate] [--skip-speed]

Quality: builds a labelled set of name pairs (:func:`labelled_pairs`) and reports precision and
recall of ``evidence == "match"`` (positives) and ``evidence == "mismatch"`` (negatives).
``--calibrate`` prints the grid the thresholds in ``tickermap/matching.py`` were chosen from.
Speed: ``score_name_pairs`` and blocked ``match_names`` (14,350 guillem names against a
perturbed copy, blocked by exchange code) against a naive pure-Python loop of
``rapidfuzz.fuzz.token_sort_ratio`` per pair without blocking, in the same run; prints ratios.

The labelled set (tests/test_matching.py uses it too):
* ``doc``: pairs from docs/identifiers-and-matching.md §2.2/§2.5 (true and false pairs);
* ``isin_*``: real guillem rows sharing an ISIN, labelled by hand below (same company written
  two ways = positive; a copied wrong ISIN = hard negative; renames and junk names excluded);
* ``rewrite``: a guillem name against a seeded Bloomberg-style rewrite of itself (case, legal
  form swaps, doc §2.3 abbreviations, truncation to 28 characters, line suffixes, ``&``/``AND``).
  The abbreviations are the doc's, as are most of ``mappings/abbreviations.csv``: this kind
  measures the pipeline, not independent knowledge;
* ``random``: two different companies on the same exchange; ``hard``: same exchange and sharing
  a generic token (BANK, HOLDINGS, KOREA, ...) or the first word. "Different" means a different
  ISIN issuer part (characters 3-8) and a different upper-cased alphanumeric name; some label
  noise remains (e.g. parent vs subsidiary).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from tickermap.names.match import match_names, score_name_pairs

DEFAULT_GUILLEM = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "signals_map_guillem.csv"
)

DOC_PAIRS: list[tuple[str, str, bool]] = [
    ("HSBC HLDGS PLC", "HSBC HOLDINGS PLC", True),
    ("INTL BUSINESS MACHINES CORP", "International Business Machines Corporation", True),
    ("TAIWAN SEMICONDUCTOR MANUFAC", "Taiwan Semiconductor Manufacturing Co Ltd", True),
    ("NESTLE SA-REG", "Nestlé S.A.", True),
    ("BERKSHIRE HATHAWAY INC-CL B", "Berkshire Hathaway Inc", True),
    ("TOYOTA MOTOR CORP", "Toyota Motor Corporation", True),
    ("SAMSUNG ELECTRONICS CO LTD", "Samsung Electronics Co., Ltd.", True),
    ("PT BANK CENTRAL ASIA TBK", "Bank Central Asia", True),
    ("BANK OF CHINA LTD-H", "Bank of China Limited", True),
    ("APPLIED INDUSTRIAL TECH", "APPLIED INDUSTRIAL TECHNOLOGIES", True),
    ("SAP SE", "SAP", True),
    ("EQUINOR ASA", "Equinor", True),
    ("APPLE INC", "APPLE INC", True),  # recorded OpenFIGI name vs guillem AAPL US
    ("APPLE INC", "APPLE HOSPITALITY REIT INC", False),
    ("BANK", "BANK OF AMERICA CORP", False),
    ("SAMSUNG ELECTRONICS CO LTD", "SAMSUNG SDI CO LTD", False),
    ("GENERAL ELECTRIC CO", "GENERAL MOTORS CO", False),
]

# Hand labels for guillem names that share an ISIN (read on 2025 data; see module docstring).
ISIN_POSITIVE = {
    frozenset(p)
    for p in (
        ("ALLKEM LIMITED", "ALLKEM LTD"),
        ("HOLCIM AG", "HOLCIM LTD"),
        ("SIEMENS AG", "SIEMENS AKTIENGESELLSCHAFT"),
        ("OBRASCON HUARTE LAIN SA", "OBRASCÓN HUARTE LAIN SA"),
        ("BROOKFIELD CORP", "BROOKFIELD CORPORATION"),
        ("BLUEGREEN VACATIONS HOLDING CORP", "BLUEGREEN VACATIONS HOLDING CORPORATION"),
        ("BOSTON OMAHA CORP", "BOSTON OMAHA CORPORATION"),
        ("TESCO CORP", "TESCO CORPORATION USA"),
    )
}
# Same instrument under a new name: the name matcher may say anything but "match" is not owed.
ISIN_RENAME_FIRST_WORDS = {
    frozenset(p)
    for p in (
        ("WOODSIDE", "WOODSIDE"),
        ("BADGER", "BADGER"),
        ("1&1", "1&1"),
        ("ANGLO", "ECORA"),
        ("PROVIDENT", "VANQUIS"),
        ("CURRYS", "DIXONS"),
        ("HIROGIN", "THE"),
        ("PSK", "PSK"),
        ("WALLENIUS", "WALLENIUS"),
        ("ADICET", "RESTORBIO"),
        ("ALLIANCE", "BREAD"),
        ("ASTRIA", "CATABASIS"),
        ("BATH", "L"),
        ("AZENTA", "BROOKS"),
        ("CABOT", "COTERRA"),
        ("CENTENE", "CONTURA"),
        ("ADURO", "CHINOOK"),
        ("COLFAX", "ENOVIS"),
        ("COVENANT", "COVENANT"),
        ("ARTIVION", "CRYOLIFE"),
        ("CAPITOL", "DOMA"),
        ("ALERISLIFE", "FIVE"),
        ("FLUIDIGM", "STANDARD"),
        ("FORTUNE", "FORTUNE"),
        ("HARRIS", "L3HARRIS"),
        ("EDGIO", "LIMELIGHT"),
        ("LIVEONE", "LIVEXLIVE"),
        ("MACKCALI", "VERIS"),
        ("MAGNITE", "THE"),
        ("MARKFORGED", "ONE"),
        ("HERMAN", "MILLERKNOLL"),
        ("NEWMONT", "NEWMONT"),
        ("GEN", "NORTONLIFELOCK"),
        ("CHORD", "OASIS"),
        ("PENN", "RANGER"),
        ("PERKINELMER", "REVVITY"),
        ("ANYWHERE", "REALOGY"),
        ("LIGHT", "SCIENTIFIC"),
        ("FALCON", "SITIO"),
        ("MDC", "STAGWELL"),
        ("SERVICEMASTER", "TERMINIX"),
        ("V2X", "VECTRUS"),
        ("DISCOVERY", "WARNER"),
        ("CREE", "WOLFSPEED"),
        ("ALAUNOS", "ZIOPHARM"),
        ("REXNORD", "ZURN"),
    )
}
JUNK = re.compile(r"STOCK EXCHANG|XETRA|PROXY ERROR")

LEGAL_SWAPS = {
    "CORPORATION": "CORP",
    "CORP": "CORPORATION",
    "LIMITED": "LTD",
    "LTD": "LIMITED",
    "INCORPORATED": "INC",
    "INC": "INC.",
    "COMPANY": "CO",
    "PLC": "P.L.C.",
    "SA": "S.A.",
    "AG": "AKTIENGESELLSCHAFT",
}
DOC_ABBREVIATIONS = {  # docs/identifiers-and-matching.md §2.3
    "HOLDINGS": "HLDGS",
    "INTERNATIONAL": "INTL",
    "GROUP": "GRP",
    "FINANCIAL": "FINL",
    "NATIONAL": "NATL",
    "BANK": "BK",
    "SERVICES": "SVCS",
    "MANUFACTURING": "MFG",
    "INDUSTRIES": "INDS",
    "INDUSTRIAL": "INDL",
    "TECHNOLOGY": "TECH",
    "TECHNOLOGIES": "TECHS",
    "COMMUNICATIONS": "COMMS",
    "ELECTRIC": "ELEC",
    "PRODUCTS": "PRODS",
    "MORTGAGE": "MTG",
    "POWER": "PWR",
    "AIRLINES": "AIRLS",
    "ENTERTAINMENT": "ENTMT",
    "MOTORS": "MTRS",
    "SYSTEMS": "SYS",
    "MANAGEMENT": "MGMT",
    "PHARMACEUTICALS": "PHARM",
    "CHEMICAL": "CHEM",
    "SEMICONDUCTOR": "SEMICON",
    "DEVELOPMENT": "DEV",
    "ENGINEERING": "ENGR",
}
LINE_SUFFIXES = ["-CL A", "-CL B", "-REG", "-H", "-A", "-SPON ADR", "-ADR", " PFD", "-PREF"]
GENERIC = [
    "BANK",
    "HOLDINGS",
    "KOREA",
    "GROUP",
    "CHINA",
    "JAPAN",
    "INTERNATIONAL",
    "ENERGY",
    "FINANCIAL",
    "PHARMACEUTICALS",
    "TECHNOLOGIES",
    "INDUSTRIES",
    "RESOURCES",
    "GOLD",
]


def load_guillem(path: Path) -> pd.DataFrame:
    """The guillem map with ``exchange`` (ticker suffix) and ``issuer`` (ISIN chars 3-8)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame["name_ticker"].str.strip() != ""].copy()
    frame["exchange"] = frame["bloomberg_ticker"].str.split(" ").str[-1]
    frame["issuer"] = frame["isin"].str[2:8]
    frame["key"] = frame["name_ticker"].str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    return frame.reset_index(drop=True)


def rewrite(name: str, rng: random.Random) -> str:
    """A Bloomberg-style rewrite of ``name``: 1-3 random edits that keep the company."""
    words = name.upper().split()
    edits = rng.sample(["legal", "abbrev", "truncate", "suffix", "case", "amp"], rng.randint(1, 3))
    if "legal" in edits:
        words = [LEGAL_SWAPS.get(w, w) for w in words]
    if "abbrev" in edits:
        words = [DOC_ABBREVIATIONS.get(w, w) for w in words]
    if "amp" in edits:
        words = ["&" if w == "AND" else "AND" if w == "&" else w for w in words]
    out = " ".join(words)
    if "truncate" in edits and len(out) > 28:
        out = out[:28].rstrip()
    if "suffix" in edits:
        out += rng.choice(LINE_SUFFIXES)
    if "case" in edits:
        out = out.title()
    return out


def _isin_pairs(frame: pd.DataFrame) -> list[tuple[str, str, bool | None, str]]:
    rows: list[tuple[str, str, bool | None, str]] = []
    for _, group in frame[frame["isin"] != ""].groupby("isin"):
        names = sorted(set(group["name_ticker"]))
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if JUNK.search(a) or JUNK.search(b):
                    continue
                if frozenset((a, b)) in ISIN_POSITIVE:
                    rows.append((a, b, True, "isin_same"))
                elif frozenset((a.split()[0], b.split()[0])) in ISIN_RENAME_FIRST_WORDS:
                    rows.append((a, b, None, "isin_rename"))
                else:
                    rows.append((a, b, False, "isin_wrong"))
    return rows


def _negatives(frame: pd.DataFrame, rng: random.Random, n: int, hard: bool) -> list[tuple]:
    rows: list[tuple] = []
    by_exchange: dict[str, list[tuple[str, str, str, frozenset[str]]]] = {}
    for name, key, issuer, exchange in frame[
        ["name_ticker", "key", "issuer", "exchange"]
    ].itertuples(index=False):
        by_exchange.setdefault(exchange, []).append(
            (name, key, issuer, frozenset(name.upper().split()))
        )
    index = (
        {
            e: {w: [r for r in rs if w in r[3]] for w in {w for r in rs for w in r[3]}}
            for e, rs in by_exchange.items()
        }
        if hard
        else {}
    )
    exchanges = sorted(e for e, rs in by_exchange.items() if len(rs) > 1)
    weights = [len(by_exchange[e]) for e in exchanges]
    attempts = 0
    while len(rows) < n and attempts < n * 50:
        attempts += 1
        exchange = rng.choices(exchanges, weights)[0]
        group = by_exchange[exchange]
        a = group[rng.randrange(len(group))]
        if hard:
            words = a[0].upper().split()
            word = rng.choice([w for w in words if w in GENERIC] or words[:1])
            pool = index[exchange][word]
            b = pool[rng.randrange(len(pool))]
        else:
            b = group[rng.randrange(len(group))]
        if a[1] == b[1] or (a[2] and a[2] == b[2]):
            continue
        rows.append((a[0], b[0], False, "hard" if hard else "random"))
    return rows


def labelled_pairs(frame: pd.DataFrame, *, seed: int = 0, n_rewrite: int = 1500) -> pd.DataFrame:
    """Labelled name pairs: columns ``left``, ``right``, ``label`` (bool or None), ``kind``."""
    rng = random.Random(seed)
    rows: list[tuple] = [(a, b, lab, "doc") for a, b, lab in DOC_PAIRS]
    rows += _isin_pairs(frame)
    long_names = frame[frame["name_ticker"].str.split().str.len() >= 2]["name_ticker"].tolist()
    for name in rng.sample(long_names, min(n_rewrite, len(long_names))):
        rows.append((name, rewrite(name, rng), True, "rewrite"))
    rows += _negatives(frame, rng, 2 * n_rewrite, hard=False)
    rows += _negatives(frame, rng, 2 * n_rewrite, hard=True)
    return pd.DataFrame(rows, columns=["left", "right", "label", "kind"])


def precision_recall(pairs: pd.DataFrame, evidence: pd.Series) -> dict[str, float]:
    """Precision/recall of "match" for positives and "mismatch" for negatives."""
    known = pairs["label"].notna().to_numpy()
    label = pairs["label"].to_numpy()[known].astype(bool)
    ev = evidence.to_numpy()[known]
    out: dict[str, float] = {}
    for name, flag, truth in (("match", "match", label), ("mismatch", "mismatch", ~label)):
        hit = ev == flag
        out[f"{name}_precision"] = float(truth[hit].mean()) if hit.any() else float("nan")
        out[f"{name}_recall"] = float(hit[truth].mean()) if truth.any() else float("nan")
    return out


def report_quality(pairs: pd.DataFrame) -> None:
    scored = score_name_pairs(pairs["left"], pairs["right"])
    print(
        f"labelled pairs: {len(pairs)} ({pairs['label'].eq(True).sum()} positive, "
        f"{pairs['label'].eq(False).sum()} negative, {pairs['label'].isna().sum()} unlabelled)"
    )
    for key, value in precision_recall(pairs, scored["evidence"]).items():
        print(f"  {key:20s} {value:.3f}")
    table = pd.crosstab(pairs["kind"], scored["evidence"])
    print(table.to_string())
    wrong = pairs[
        (pairs["label"].eq(True) & scored["evidence"].eq("mismatch"))
        | (pairs["label"].eq(False) & scored["evidence"].eq("match"))
    ]
    print(f"errors ({len(wrong)}):")
    print(wrong.head(25).to_string())


def calibrate(pairs: pd.DataFrame) -> None:
    """Print precision/recall over a threshold grid (how matching.py's constants were chosen)."""
    import tickermap.names.match as m

    names = (
        "MATCH_SCORE",
        "MATCH_SCORE_OVERLAP",
        "MATCH_OVERLAP",
        "TRUNCATION_CHARS",
        "MISMATCH_SCORE",
        "MISMATCH_OVERLAP",
    )
    saved = {k: getattr(m, k) for k in names}
    grid = [
        dict(zip(names, values, strict=True))
        for values in [
            (85, 0.5, 0.9, 18, 60, 0.3),
            (88, 0.5, 0.9, 18, 60, 0.3),
            (88, 0.6, 0.9, 18, 60, 0.3),
            (90, 0.5, 0.9, 18, 60, 0.3),
            (88, 0.5, 0.85, 18, 60, 0.3),
            (88, 0.5, 1.01, 18, 60, 0.3),
            (88, 0.5, 0.9, 12, 60, 0.3),
            (88, 0.5, 0.9, 24, 60, 0.3),
            (88, 0.5, 0.9, 18, 65, 0.35),
            (88, 0.5, 0.9, 18, 70, 0.4),
            (88, 0.5, 0.9, 18, 70, 0.45),
            (88, 0.5, 0.9, 18, 75, 0.45),
        ]
    ]
    for setting in grid:
        for k, v in setting.items():
            setattr(m, k, v)
        pr = precision_recall(pairs, score_name_pairs(pairs["left"], pairs["right"])["evidence"])
        print(
            " ".join(f"{k.lower()}={v}" for k, v in setting.items())
            + ": "
            + " ".join(f"{k}={v:.3f}" for k, v in pr.items())
        )
    for k, v in saved.items():
        setattr(m, k, v)


def bench_speed(frame: pd.DataFrame) -> None:
    rng = random.Random(1)
    names = frame["name_ticker"]
    perturbed = pd.Series([rewrite(n, rng) for n in names], index=names.index)
    # score_name_pairs vs a pure-Python loop, aligned pairs.
    t0 = time.perf_counter()
    score_name_pairs(names, perturbed)
    t_vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    [fuzz.token_sort_ratio(a, b) for a, b in zip(names, perturbed, strict=True)]
    t_loop = time.perf_counter() - t0
    n = len(names)
    print(
        f"score_name_pairs: {n} pairs in {t_vec:.2f}s = {n / t_vec:,.0f} pairs/s "
        f"(naive loop, raw names, no features: {n / t_loop:,.0f} pairs/s; "
        f"ratio {t_loop / t_vec:.2f}x)"
    )
    # Warm and repeated names, as in reconcile: 200,000 pairs drawn from the same names.
    big_l = names.sample(200_000, replace=True, random_state=2).reset_index(drop=True)
    big_r = perturbed.sample(200_000, replace=True, random_state=3).reset_index(drop=True)
    t0 = time.perf_counter()
    score_name_pairs(big_l, big_r)
    t_big = time.perf_counter() - t0
    t0 = time.perf_counter()
    [fuzz.token_sort_ratio(a, b) for a, b in zip(big_l, big_r, strict=True)]
    t_big_loop = time.perf_counter() - t0
    print(
        f"score_name_pairs, 200,000 pairs of known names (normalisation cached): "
        f"{200_000 / t_big:,.0f} pairs/s with features vs naive loop {200_000 / t_big_loop:,.0f} "
        f"pairs/s (ratio {t_big_loop / t_big:.2f}x)"
    )
    # match_names with exchange blocking vs naive all-pairs loop (timed on a query sample).
    blocks = frame["exchange"]
    t0 = time.perf_counter()
    result = match_names(perturbed, names, query_blocks=blocks, choice_blocks=blocks, limit=1)
    t_match = time.perf_counter() - t0
    top = result.drop_duplicates("query_index")
    hit = (top["query_index"].to_numpy() == top["choice_index"].to_numpy()).sum()
    sample = rng.sample(range(n), 40)
    choice_list = names.tolist()
    t0 = time.perf_counter()
    for i in sample:
        q = perturbed.iloc[i]
        best = max(range(n), key=lambda j: fuzz.token_sort_ratio(q, choice_list[j]))
        del best
    t_naive = (time.perf_counter() - t0) / len(sample) * n
    print(
        f"match_names {n} x {n} (blocked by exchange + rarest tokens): {t_match:.2f}s, "
        f"{n * n / t_match:,.0f} all-pairs-equivalent/s; top-1 is the original name for "
        f"{hit}/{n} ({hit / n:.1%})"
    )
    print(
        f"naive loop, all {n * n:,} pairs (extrapolated from {len(sample)} queries): "
        f"{t_naive:.0f}s = {n * n / t_naive:,.0f} pairs/s; match_names speed-up "
        f"{t_naive / t_match:.0f}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guillem", type=Path, default=DEFAULT_GUILLEM)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args(argv)
    if not args.guillem.exists():
        print(f"{args.guillem} not found; pass --guillem", file=sys.stderr)
        return 2
    frame = load_guillem(args.guillem)
    pairs = labelled_pairs(frame)
    report_quality(pairs)
    if args.calibrate:
        calibrate(pairs)
    if not args.skip_speed:
        bench_speed(frame)
    np.random.seed(0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
