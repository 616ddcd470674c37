"""Candidate rows for tests/data/labels/yahoo_breadth.csv, labelled by agreeing witnesses.

Independent of tickermap's own rules (pandas only): for a stratified sample of Signals-map rows
(every exchange code of the map), three witnesses name a Yahoo symbol:

- ``dsignals_yahoo``: dsignals' EODHD map, its ``yahoo`` column (a Yahoo map of Signals tickers).
- ``eodhd``: the same file's EODHD symbol (``signals_ticker``), its exchange code written as a Yahoo
  suffix by the fixed table ``EODHD_SUFFIX`` below (EODHD's published exchange codes; the stem is
  kept as written, so it is EODHD's symbol, not a derivation from the Bloomberg ticker).
- ``fd``: the FinanceDatabase listings on the ticker's market (suffix of the market) whose ISIN
  equals the Signals row's ISIN, or whose composite FIGI equals the Signals row's, and whose
  name shares its first significant word with the Signals name.

A row is written when two witnesses agree on one symbol and none of the FinanceDatabase listings
linked by ISIN names another symbol without also naming it; the rest go to ``--conflicts`` for
reading by hand. Usage: python scripts/label_yahoo_breadth.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EODHD_SUFFIX = {
    "US": "", "LSE": ".L", "KO": ".KS", "KQ": ".KQ", "XETRA": ".DE", "F": ".F", "STU": ".SG",
    "MU": ".MU", "HM": ".HM", "BE": ".BE", "DU": ".DU", "HA": ".HA", "KLSE": ".KL", "SG": ".SI",
    "IR": ".IR", "TO": ".TO", "V": ".V", "CN": ".CN", "NEO": ".NE", "TW": ".TW", "TWO": ".TWO",
    "AU": ".AX", "AS": ".AS", "PA": ".PA", "BR": ".BR", "MC": ".MC", "MI": ".MI", "LS": ".LS",
    "ST": ".ST", "CO": ".CO", "HE": ".HE", "OL": ".OL", "SW": ".SW", "VI": ".VI", "WAR": ".WA",
    "T": ".T", "HK": ".HK", "SA": ".SA", "MX": ".MX", "BK": ".BK", "JK": ".JK", "JSE": ".JO",
    "TA": ".TA", "IS": ".IS", "AT": ".AT", "BUD": ".BD", "PR": ".PR", "NZ": ".NZ",
}  # fmt: skip
"""EODHD exchange code -> Yahoo suffix (EODHD's and Yahoo's published exchange lists)."""
MARKET_SUFFIXES = {
    "AU": (".AX",), "AV": (".VI",), "BB": (".BR",), "BZ": (".SA",),
    "CN": (".TO", ".V", ".CN", ".NE"), "CP": (".PR",), "DC": (".CO",), "FH": (".HE",),
    "FP": (".PA",), "GA": (".AT",),
    "GR": (".DE", ".F", ".BE", ".MU", ".DU", ".HM", ".HA", ".SG"), "HB": (".BD",), "HK": (".HK",),
    "ID": (".IR",), "IJ": (".JK",), "IM": (".MI",), "IT": (".TA",), "JP": (".T",),
    "KS": (".KS", ".KQ"), "LN": (".L", ".IL"), "MF": (".MX",), "MK": (".KL",), "NA": (".AS",),
    "NO": (".OL",), "NZ": (".NZ",), "PL": (".LS",), "PW": (".WA",), "SJ": (".JO",),
    "SM": (".MC",), "SP": (".SI",), "SS": (".ST",), "SW": (".SW",), "TB": (".BK",),
    "TI": (".IS",), "TT": (".TW", ".TWO"), "US": ("",),
}  # fmt: skip
"""Bloomberg exchange code -> the Yahoo suffixes of its market (Yahoo's exchange list)."""
QUOTA = {"US": 70, "JP": 30, "LN": 25, "CN": 25, "AU": 15, "KS": 12, "TT": 12, "GR": 14}
DEFAULT_QUOTA = 9
SPECIAL = {  # strata of spellings, sampled on top of the quota
    "US": r"/",
    "CN": r"[/-]",
    "BZ": r"(?:11|4|5|6) BZ$",
    "MF": r"\*",
    "LN": r"^0|/ LN$",
    "SS": r"[A-Z][AB] SS$",
    "DC": r"B DC$",
    "TB": r".",
    "SW": r".",
}
_LEGAL = re.compile(
    r"\b(the|inc|corp|corporation|co|company|ltd|limited|plc|sa|s a|ag|se|nv|ab|asa|oyj|spa|"
    r"holdings?|group|grupo|public|pcl|tbk|pt|bhd|berhad|de|cv|sab|publ|kgaa|as|a s)\b"
)


def _word(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = _LEGAL.sub(" ", re.sub(r"[^a-z0-9 ]", " ", text))
    words = text.split()
    return words[0] if words else ""


def _eodhd_yahoo(symbol: str) -> str:
    stem, dot, code = symbol.upper().rpartition(".")
    if not dot or code not in EODHD_SUFFIX:
        return ""
    return stem + EODHD_SUFFIX[code]


def _fd(data: Path) -> pd.DataFrame:
    cols = ["symbol", "name", "isin", "composite_figi"]
    frames = [
        pd.read_csv(f, dtype=str, keep_default_na=False, usecols=cols)
        for f in sorted((data / "financedatabase" / "equities").glob("*.csv"))
    ]
    fd = pd.concat(frames, ignore_index=True)
    fd["suffix"] = fd["symbol"].str.extract(r"(\.[A-Z]+)$")[0].fillna("")
    fd["word"] = fd["name"].map(_word)
    return fd


def _sample(rows: pd.DataFrame) -> pd.DataFrame:
    """Per market: rows the Yahoo map names first, then (markets it barely covers) the others."""
    picked = []
    for market, sub in rows.groupby("market"):
        n = QUOTA.get(str(market), DEFAULT_QUOTA)
        named = sub[sub["yahoo"] != ""]
        first = named.sample(min(n, len(named)), random_state=7)
        rest = sub.drop(named.index)
        top_up = rest.sample(min(n - len(first), len(rest)), random_state=7)
        picked += [first, top_up]
        pattern = SPECIAL.get(str(market))
        if pattern:
            pool = named[named["bloomberg_ticker"].str.contains(pattern)]
            pool = pool.drop(first.index, errors="ignore")
            picked.append(pool.sample(min(6, len(pool)), random_state=7))
    return pd.concat(picked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=Path("/tmp/yahoo_breadth_candidates.csv"))
    parser.add_argument("--conflicts", type=Path, default=Path("/tmp/yahoo_breadth_conflicts.csv"))
    parser.add_argument("--all", action="store_true", help="every row the Yahoo map names")
    args = parser.parse_args(argv)
    sig = pd.read_csv(args.data / "signals_map_guillem.csv", dtype=str, keep_default_na=False)
    ds = pd.read_csv(args.data / "dsignals" / "eodhd-map.csv", dtype=str, keep_default_na=False)
    rows = sig.merge(ds, on="bloomberg_ticker", how="inner")
    rows["market"] = rows["bloomberg_ticker"].str.extract(r" ([A-Z]{2})$")[0]
    rows = rows[rows["market"].isin(list(MARKET_SUFFIXES))]
    rows["eodhd"] = rows["signals_ticker"].map(_eodhd_yahoo)
    rows = rows[(rows["yahoo"] != "") | (rows["eodhd"] != "")]
    fd = _fd(args.data)
    by_isin = fd[fd["isin"] != ""].groupby("isin")
    by_figi = fd[fd["composite_figi"] != ""].groupby("composite_figi")
    out, conflicts = [], []
    sample = _sample(rows) if not args.all else rows[rows["yahoo"] != ""]
    for _, r in sample.iterrows():
        suffixes = MARKET_SUFFIXES[r["market"]]
        word = _word(r["name_ticker"])
        linked: dict[str, str] = {}
        for key, groups in ((r["isin"], by_isin), (r["composite_figi"], by_figi)):
            if key and key in groups.groups:
                for _, f in groups.get_group(key).iterrows():
                    if f["suffix"] in suffixes and word and f["word"] == word:
                        linked.setdefault(f["symbol"], "isin" if key == r["isin"] else "figi")
        votes = {"dsignals_yahoo": r["yahoo"], "eodhd": r["eodhd"]}
        named = [v for v in votes.values() if v]
        agreed = {s for s in named if named.count(s) + (s in linked) >= 2}
        if not agreed and len(linked) == 1 and not named:
            agreed = set()
        evidence = "; ".join(
            [f"{k}={v}" for k, v in votes.items() if v]
            + [
                f"fd_{how}={s} ({r['isin'] if how == 'isin' else r['composite_figi']})"
                for s, how in linked.items()
            ]
        )
        base = {"bloomberg_ticker": r["bloomberg_ticker"], "market": r["market"],
                "signals_name": r["name_ticker"], "evidence": evidence}  # fmt: skip
        fd_other = [s for s in linked if s not in agreed]
        if len(agreed) == 1 and not (fd_other and not set(linked) & agreed):
            out.append({**base, "yahoo": agreed.pop()})
        else:
            conflicts.append({**base, "yahoo": ""})
    pd.DataFrame(out).to_csv(args.out, index=False)
    pd.DataFrame(conflicts).to_csv(args.conflicts, index=False)
    print(f"{len(out)} agreed rows -> {args.out}; {len(conflicts)} to read -> {args.conflicts}",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
