"""Mine candidate name abbreviations (and generic tokens) from a list of company names.

Usage:
    python scripts/mine_abbreviations.py [--names ../shared/data/signals_map_guillem.csv]
        [--column name_ticker] [--top 40] [--generic]

A candidate pair (short, long) is two upper-case tokens of the names where ``short`` has 2-6
characters, both start with the same letter, ``short`` is a subsequence of ``long`` (its
"consonant skeleton": ``HLDGS`` in ``HOLDINGS``, ``ENGR`` in ``ENGINEERING``), ``long`` is at
least two characters longer, and both occur in at least ``--min-count`` names (doc §2.3). Pairs
are ranked by how many neighbouring words they share (``AMERICAN HLDGS`` / ``AMERICAN
HOLDINGS``), then by support. The output marks pairs already in ``mappings/abbreviations.csv``;
a person decides what to add: "every entry makes more names look alike".

``--generic`` prints the most frequent normalised tokens with their document frequency (the
``_GENERIC_DF`` table in ``tickermap/matching.py`` came from this).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from tickermap.names.normalize import abbreviations, legal_forms, normalize_names

DEFAULT_NAMES = Path(__file__).resolve().parents[2] / "shared" / "data" / "signals_map_guillem.csv"
_TOKEN = re.compile(r"[A-Z][A-Z0-9]*")


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def mine(names: list[str], *, min_count: int = 3) -> pd.DataFrame:
    """Candidate (short, long) pairs with support and shared context counts."""
    counts: Counter[str] = Counter()
    context: dict[str, set[str]] = defaultdict(set)
    for name in names:
        tokens = _TOKEN.findall(name.upper())
        counts.update(set(tokens))
        for i, token in enumerate(tokens):
            if i:
                context[token].add("<" + tokens[i - 1])
            if i + 1 < len(tokens):
                context[token].add(">" + tokens[i + 1])
    forms = legal_forms()
    legal = {" ".join(f).upper() for group in forms.suffixes.values() for f in group}
    # Legal forms are stripped, not expanded: leave them out of the candidates.
    frequent = [t for t, c in counts.items() if c >= min_count and t not in legal]
    by_letter: dict[str, list[str]] = defaultdict(list)
    for token in frequent:
        by_letter[token[0]].append(token)
    rows = []
    for short in frequent:
        if not 2 <= len(short) <= 6:
            continue
        for long in by_letter[short[0]]:
            if len(long) >= len(short) + 2 and _is_subsequence(short, long):
                shared = len(context[short] & context[long])
                rows.append((short, long, counts[short], counts[long], shared))
    frame = pd.DataFrame(rows, columns=["short", "long", "n_short", "n_long", "shared_context"])
    frame["support"] = frame[["n_short", "n_long"]].min(axis=1)
    known = abbreviations()
    frame["in_table"] = [
        known.get(s.lower()) == lo.lower()
        for s, lo in zip(frame["short"], frame["long"], strict=True)
    ]
    return frame.sort_values(["shared_context", "support"], ascending=False, ignore_index=True)


def generic_tokens(names: pd.Series, top: int) -> list[tuple[str, int]]:
    """The ``top`` normalised tokens by document frequency."""
    counts: Counter[str] = Counter()
    for text in normalize_names(names)["text"]:
        counts.update(set(text.split()))
    return counts.most_common(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=Path, default=DEFAULT_NAMES)
    parser.add_argument("--column", default="name_ticker")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--generic", action="store_true")
    args = parser.parse_args(argv)
    if not args.names.exists():
        print(f"{args.names} not found; pass --names", file=sys.stderr)
        return 2
    names = pd.read_csv(args.names, dtype=str, usecols=[args.column])[args.column].dropna()
    if args.generic:
        print(f"{len(names)} names")
        for token, count in generic_tokens(names, args.top):
            print(f"{token}\t{count}")
        return 0
    frame = mine(names.tolist(), min_count=args.min_count)
    print(frame.head(args.top).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
