"""Company-name scoring, blocking and assignment on top of :mod:`tickermap.names.normalize`.

Holds the pair scorer (:func:`score_names`, vectorised :func:`score_name_pairs`), the token
weights (:class:`TokenWeights`) and the blocked matcher (:func:`match_names`). Features follow
docs/identifiers-and-matching.md §2.5 and §5.7: ``token_sort_ratio`` on normalised names is the
main score; an IDF-weighted token overlap (generic tokens such as ``holdings`` or ``bank`` count
little, truncated tokens of at least 4 characters meet their full form) and a prefix flag
(OpenFIGI cuts names at about 28 characters) are separate features. ``evidence`` is the
calibrated decision: thresholds were chosen on the labelled pairs built by
``scripts/bench_matching.py`` (``--calibrate`` prints precision/recall); a Latin name against a
CJK/Thai/Arabic/... one is never a mismatch, only ``no_evidence``.

Pure functions over pandas objects; nothing here reads files (except the tables ``names`` loads),
logs per row or decides what a mismatch means for a FIGI (that is ``verdicts``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from tickermap.names import _blocking
from tickermap.names._blocking import rare_tokens
from tickermap.names.normalize import normalize_name, normalize_names

__all__ = [
    "MATCH_OVERLAP",
    "MATCH_SCORE",
    "MATCH_SCORE_OVERLAP",
    "MISMATCH_OVERLAP",
    "MISMATCH_SCORE",
    "TRUNCATION_CHARS",
    "Evidence",
    "NameScore",
    "TokenWeights",
    "match_names",
    "name_evidence",
    "rare_tokens",
    "score_name_pairs",
    "score_names",
]

Evidence = Literal["match", "weak", "mismatch", "no_evidence"]

# Decision thresholds, calibrated on the labelled pairs of scripts/bench_matching.py (positives:
# doc §2.5 pairs, same-ISIN guillem names, Bloomberg-style rewrites; negatives: same-exchange
# random and hard pairs sharing a generic token). See the README structure notes for numbers.
MATCH_SCORE = 88.0
"""token_sort_ratio at or above which names match (with :data:`MATCH_SCORE_OVERLAP`)."""
MATCH_SCORE_OVERLAP = 0.5
"""Weighted overlap a high score also needs: ``SS&C TECHNOLOGIES HOLDINGS`` is not ``SENSATA``."""
MATCH_OVERLAP = 0.9
"""Weighted overlap at or above which names match whatever the score (reordered tokens)."""
TRUNCATION_CHARS = 18
"""A prefix relation is a match when the shorter normalised name has at least this many chars
(OpenFIGI cuts at about 28 raw characters; ``BARNES & NOBLE`` vs ``... EDUCATION`` is no cut)."""
MISMATCH_SCORE = 70.0
"""Below this token_sort_ratio (and :data:`MISMATCH_OVERLAP`) names are a mismatch."""
MISMATCH_OVERLAP = 0.4
"""Below this weighted overlap (and :data:`MISMATCH_SCORE`) names are a mismatch."""
MIN_PREFIX = 4
"""Shortest token (or name) that may stand for a longer one it prefixes (doc §2.3: not 'VISA')."""

# Document frequencies of the most common normalised tokens among the 12,678 names of the
# guillem map (scripts/mine_abbreviations.py --generic prints them); used when no weights are
# fitted so that the scalar and vectorised scorers agree out of the box.
# fmt: off
_GENERIC_DF = {
    "holdings": 1008, "group": 862, "technologies": 357, "international": 282, "energy": 275,
    "pharmaceuticals": 238, "financial": 221, "therapeutics": 166, "bank": 150, "bancorp": 125,
    "resources": 123, "industries": 118, "global": 117, "systems": 114, "trust": 112,
    "services": 101, "capital": 92, "investment": 84, "health": 82, "de": 78, "etf": 75,
    "properties": 72, "solutions": 70, "first": 70, "communications": 69, "electric": 67,
    "medical": 66, "china": 64, "industrial": 62, "gold": 58, "brands": 55, "american": 55,
    "electronics": 52, "oil": 51, "realty": 51, "power": 50, "national": 50, "of": 48,
    "entertainment": 49, "healthcare": 48, "real": 47, "development": 46, "chemical": 45,
    "gas": 45, "estate": 45, "foods": 44, "steel": 43, "media": 41, "software": 41,
    "bancshares": 41, "semiconductor": 39, "taiwan": 39, "japan": 39, "mining": 39,
    "insurance": 38, "fund": 38, "reit": 38, "korea": 30, "partners": 30, "motor": 25,
}
# fmt: on
_GENERIC_N = 12678


@dataclass(frozen=True, slots=True)
class TokenWeights:
    """IDF-style token weights in ``[0.05, 1]``; tokens seen in few names weigh 1.

    ``weight = clip(log((n+1)/(df+1)) / log((n+1)/(RARE+1)), 0.05, 1)`` with ``RARE = 5``, so a
    token in at most five names has full weight and ``holdings`` (8% of names) about 0.3.
    """

    df: Mapping[str, int] = field(default_factory=dict)
    n: int = 0

    RARE = 5

    @classmethod
    def fit(cls, names: Iterable[object]) -> TokenWeights:
        """Count, over normalised ``names``, in how many names each token occurs.

        >>> w = TokenWeights.fit(["ABC HOLDINGS", "XYZ HLDGS", "QRS HOLDINGS"])
        >>> w.weight("holdings") < w.weight("abc")
        True
        """
        counts: Counter[str] = Counter()
        total = 0
        for name in names:
            tokens = normalize_name(name).tokens
            if tokens:
                counts.update(set(tokens))
                total += 1
        return cls(dict(counts), total)

    @classmethod
    def default(cls) -> TokenWeights:
        """Weights from the common tokens of a real Signals universe (built in)."""
        return _DEFAULT

    def weight(self, token: str) -> float:
        """Weight of one normalised token (unknown tokens weigh 1)."""
        df = self.df.get(token, 0)
        if self.n <= self.RARE or df <= self.RARE:
            return 1.0
        ref = math.log((self.n + 1) / (self.RARE + 1))
        return min(1.0, max(0.05, math.log((self.n + 1) / (df + 1)) / ref))


_DEFAULT = TokenWeights(_GENERIC_DF, _GENERIC_N)


@dataclass(frozen=True, slots=True)
class NameScore:
    """Similarity features and the decision for one pair of names.

    Attributes:
        score: rapidfuzz ``token_sort_ratio`` on the normalised texts, 0-100.
        overlap: weighted token overlap (Dice over token weights), 0-1.
        prefix: one normalised name is a prefix of the other (equal names included).
        evidence: ``match``, ``weak``, ``mismatch`` or ``no_evidence``.
    """

    score: float
    overlap: float
    prefix: bool
    evidence: Evidence


def _meets_any(token: str, others: Sequence[str]) -> bool:
    """``token`` prefixes another token or is prefixed by one (both sides >= MIN_PREFIX chars)."""
    if len(token) < MIN_PREFIX:
        return False
    return any(
        len(u) >= MIN_PREFIX and (u.startswith(token) or token.startswith(u)) for u in others
    )


def _overlap(ta: Sequence[str], tb: Sequence[str], weights: TokenWeights) -> float:
    if not ta or not tb:
        return 0.0
    if ta == tb:
        return 1.0
    set_a, set_b = set(ta), set(tb)
    wa = [weights.weight(t) for t in ta]
    wb = [weights.weight(t) for t in tb]
    hit_a = sum(w for t, w in zip(ta, wa, strict=True) if t in set_b or _meets_any(t, tb))
    hit_b = sum(w for t, w in zip(tb, wb, strict=True) if t in set_a or _meets_any(t, ta))
    return (hit_a + hit_b) / (sum(wa) + sum(wb))


def _prefix(a: str, b: str) -> bool:
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return short == long or (len(short) >= MIN_PREFIX and long.startswith(short))


def _decide(score: float, overlap: float, prefix: bool, shorter: int) -> Evidence:
    if (
        (score >= MATCH_SCORE and overlap >= MATCH_SCORE_OVERLAP)
        or overlap >= MATCH_OVERLAP
        or (prefix and shorter >= TRUNCATION_CHARS)
    ):
        return "match"
    if score < MISMATCH_SCORE and overlap < MISMATCH_OVERLAP and not prefix:
        return "mismatch"
    return "weak"


def _comparable(script_a: str, script_b: str) -> bool:
    # Different writing systems (or a missing name) carry no evidence either way (doc §2.4).
    return script_a != "empty" and script_b != "empty" and script_a == script_b


def score_names(a: object, b: object, *, weights: TokenWeights | None = None) -> NameScore:
    """Score two company names.

    Args:
        a: a name (missing values allowed).
        b: the other name.
        weights: token weights; the built-in :meth:`TokenWeights.default` when None.

    Returns:
        The :class:`NameScore`; ``no_evidence`` for a missing name or two different scripts.

    >>> score_names("HSBC HLDGS PLC", "HSBC Holdings plc").evidence
    'match'
    >>> score_names("APPLE INC", "APPLE HOSPITALITY REIT INC").evidence
    'weak'
    """
    na, nb = normalize_name(a), normalize_name(b)
    w = weights or _DEFAULT
    score = float(fuzz.token_sort_ratio(na.text, nb.text)) if na.text and nb.text else 0.0
    overlap = _overlap(na.tokens, nb.tokens, w)
    prefix = _prefix(na.text, nb.text)
    if not _comparable(na.script, nb.script):
        return NameScore(score, overlap, prefix, "no_evidence")
    shorter = min(len(na.text), len(nb.text))
    return NameScore(score, overlap, prefix, _decide(score, overlap, prefix, shorter))


def _features(
    left: Sequence[str],
    right: Sequence[str],
    left_script: Sequence[str],
    right_script: Sequence[str],
    scores: np.ndarray,
    weights: TokenWeights,
) -> tuple[list[float], list[bool], list[Evidence]]:
    overlaps: list[float] = []
    prefixes: list[bool] = []
    evidence: list[Evidence] = []
    cache: dict[tuple[str, str], tuple[float, bool]] = {}
    split: dict[str, list[str]] = {}
    for a, b, sa, sb, score in zip(left, right, left_script, right_script, scores, strict=True):
        found = cache.get((a, b))
        if found is None:
            ta = split.get(a)
            if ta is None:
                ta = split[a] = a.split()
            tb = split.get(b)
            if tb is None:
                tb = split[b] = b.split()
            found = cache[(a, b)] = (_overlap(ta, tb, weights), _prefix(a, b))
        overlap, prefix = found
        overlaps.append(overlap)
        prefixes.append(prefix)
        if _comparable(sa, sb):
            evidence.append(_decide(float(score), overlap, prefix, min(len(a), len(b))))
        else:
            evidence.append("no_evidence")
    return overlaps, prefixes, evidence


def score_name_pairs(
    left: pd.Series, right: pd.Series, *, weights: TokenWeights | None = None
) -> pd.DataFrame:
    """Score aligned pairs ``(left[i], right[i])``, the same as :func:`score_names` per pair.

    Args:
        left: names, compared by position (not by index label) with ``right``.
        right: names of the same length.
        weights: token weights; the built-in :meth:`TokenWeights.default` when None.

    Returns:
        A frame on ``left.index`` with columns ``score``, ``overlap``, ``prefix``, ``evidence``.

    Raises:
        ValueError: the two series differ in length.
    """
    if len(left) != len(right):
        raise ValueError(f"left has {len(left)} names but right has {len(right)}")
    nl, nr = normalize_names(left), normalize_names(right)
    lt, rt = nl["text"].tolist(), nr["text"].tolist()
    scores = process.cpdist(lt, rt, scorer=fuzz.token_sort_ratio, dtype=np.float64, workers=-1)
    scores = np.where([bool(a and b) for a, b in zip(lt, rt, strict=True)], scores, 0.0)
    overlaps, prefixes, evidence = _features(
        lt, rt, nl["script"].tolist(), nr["script"].tolist(), scores, weights or _DEFAULT
    )
    return pd.DataFrame(
        {
            "score": scores.astype(np.float64),
            "overlap": np.asarray(overlaps, dtype=np.float64),
            "prefix": np.asarray(prefixes, dtype=bool),
            "evidence": pd.Series(evidence, dtype=object).to_numpy(),
        },
        index=left.index,
    )


def match_names(
    queries: pd.Series,
    choices: pd.Series,
    *,
    query_blocks: pd.Series | None = None,
    choice_blocks: pd.Series | None = None,
    score_cutoff: float = 80.0,
    one_to_one: bool = False,
    limit: int = 3,
    token_blocking: bool = True,
    weights: TokenWeights | None = None,
) -> pd.DataFrame:
    """Find, for each query name, the best-scoring choice names.

    Candidates are the pairs in the same block (``query_blocks[i] == choice_blocks[j]``, e.g.
    exchange or country; missing block values match no block) plus, when ``token_blocking``, the
    pairs whose two rarest normalised tokens intersect (:func:`rare_tokens` over both sides), so
    a company filed under the wrong exchange can still be found. Without blocks every pair is a
    candidate. Scores are ``token_sort_ratio`` on normalised names computed with
    ``rapidfuzz.process.cdist(..., workers=-1)``; names without letters or digits never match.

    Args:
        queries: names to look up (index labels are reported as ``query_index``).
        choices: names to look in (index labels are reported as ``choice_index``).
        query_blocks: block value per query, aligned by position; None for no blocking.
        choice_blocks: block value per choice, aligned by position; needed with query_blocks.
        score_cutoff: lowest score kept.
        one_to_one: assign greedily best-first so no query and no choice appears twice
            (then at most one row per query).
        limit: most rows per query (ignored with ``one_to_one``).
        token_blocking: add rarest-token candidates across blocks.
        weights: token weights for ``overlap``; :meth:`TokenWeights.default` when None.

    Returns:
        Columns ``query_index``, ``choice_index``, ``score``, ``overlap``, ``prefix``,
        ``evidence``; ordered by query position, then falling score, then choice position.

    Raises:
        ValueError: only one of the block series is given, or lengths do not match.
    """
    if (query_blocks is None) != (choice_blocks is None):
        raise ValueError("give both query_blocks and choice_blocks, or neither")
    if query_blocks is not None and len(query_blocks) != len(queries):
        raise ValueError("query_blocks must have one value per query")
    if choice_blocks is not None and len(choice_blocks) != len(choices):
        raise ValueError("choice_blocks must have one value per choice")
    nq, nc = normalize_names(queries), normalize_names(choices)
    q_texts, c_texts = nq["text"].tolist(), nc["text"].tolist()
    q_ok = np.asarray([bool(t) for t in q_texts], dtype=bool)
    c_ok = np.asarray([bool(t) for t in c_texts], dtype=bool)

    q_all, c_all, s_all = _blocking.candidate_pairs(
        q_texts, c_texts, q_ok, c_ok, query_blocks, choice_blocks,
        score_cutoff=score_cutoff, token_blocking=token_blocking,
    )  # fmt: skip
    frame = pd.DataFrame({"_q": q_all, "_c": c_all, "score": s_all.astype(np.float64)})
    frame = frame.drop_duplicates(["_q", "_c"]).sort_values(
        ["_q", "score", "_c"], ascending=[True, False, True], kind="mergesort"
    )
    if not one_to_one:
        frame = frame[frame.groupby("_q", sort=False).cumcount() < limit]
    frame = frame.reset_index(drop=True)
    overlaps, prefixes, evidence = _features(
        [q_texts[i] for i in frame["_q"]],
        [c_texts[i] for i in frame["_c"]],
        nq["script"].to_numpy()[frame["_q"].to_numpy()].tolist(),
        nc["script"].to_numpy()[frame["_c"].to_numpy()].tolist(),
        frame["score"].to_numpy(),
        weights or _DEFAULT,
    )
    frame["overlap"] = np.asarray(overlaps, dtype=np.float64)
    frame["prefix"] = np.asarray(prefixes, dtype=bool)
    frame["evidence"] = pd.Series(evidence, dtype=object).to_numpy()
    if one_to_one:
        frame = _blocking.greedy_one_to_one(frame).sort_values(["_q"], kind="mergesort")
    result = pd.DataFrame(
        {
            "query_index": queries.index.to_numpy()[frame["_q"].to_numpy()],
            "choice_index": choices.index.to_numpy()[frame["_c"].to_numpy()],
            "score": frame["score"].to_numpy(),
            "overlap": frame["overlap"].to_numpy(),
            "prefix": frame["prefix"].to_numpy(),
            "evidence": frame["evidence"].to_numpy(),
        }
    )
    return result


def name_evidence(
    left: pd.Series, right: pd.Series, *, weights: TokenWeights | None = None
) -> pd.Series:
    """Evidence level for aligned name pairs, as reconciliation uses it.

    :func:`score_name_pairs`, plus one rule: a ``weak`` pair in which neither name's most
    distinctive (rarest) token appears in the other is a ``mismatch``, since two names that share
    only ordinary words ("BEACON ALPINE ENERGY" vs "ALPINE SUMMIT ENERGY") are two companies.
    On the labelled pairs of ``scripts/bench_matching.py`` this lifts ``mismatch`` recall from
    0.833 to 0.912 at precision 1.000 and turns no true pair into a mismatch.

    Args:
        left: names, aligned with ``right``.
        right: names.
        weights: token weights; fit them once over all the names of a run (words common there
            count little). Default: fitted on ``left`` and ``right``.

    Returns:
        ``match | weak | mismatch | no_evidence`` per pair, with a fresh ``RangeIndex``.
    """
    if len(left) == 0:
        return pd.Series([], dtype="object")
    lhs, rhs = left.reset_index(drop=True), right.reset_index(drop=True)
    if weights is None:
        weights = TokenWeights.fit(pd.concat([lhs, rhs]).dropna().tolist())
    scored = score_name_pairs(lhs, rhs, weights=weights)
    evidence = scored["evidence"].astype("object").copy()
    weak = (evidence == "weak") & ~scored["prefix"].astype(bool)
    if weak.any():
        tok_l = normalize_names(lhs[weak])["text"].str.split()
        tok_r = normalize_names(rhs[weak])["text"].str.split()
        for idx, a, b in zip(tok_l.index, tok_l, tok_r, strict=True):
            if a and b and _rarest(a, weights) not in b and _rarest(b, weights) not in a:
                evidence.loc[idx] = "mismatch"
    return evidence


def _rarest(tokens: Sequence[str], weights: TokenWeights) -> str:
    return max(tokens, key=weights.weight)
