"""Candidate generation and assignment for :func:`tickermap.names.match.match_names` (private).

Holds blocking (same block value; rarest shared tokens), the chunked ``rapidfuzz`` cdist over a
block, and the greedy one-to-one assignment. Works on positions and normalised texts only: it
must not normalise names, compute evidence or know about tickers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

__all__ = [
    "block_groups",
    "candidate_pairs",
    "dense_pairs",
    "greedy_one_to_one",
    "rare_tokens",
    "token_pairs",
]


def rare_tokens(texts: Sequence[str], *, k: int = 2) -> list[tuple[str, ...]]:
    """The ``k`` rarest tokens of each normalised text (document frequency over ``texts``).

    Ties are broken by the token itself so the choice is deterministic.

    >>> rare_tokens(["abc holdings", "xyz holdings", "holdings"], k=1)
    [('abc',), ('xyz',), ('holdings',)]
    """
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(text.split()))
    return [tuple(sorted(set(text.split()), key=lambda t: (df[t], t))[:k]) for text in texts]


_CHUNK_CELLS = 4_000_000  # cdist cells per call (float64: 32 MB), issue rapidfuzz#302


def block_groups(blocks: pd.Series | None, n: int) -> dict[object, np.ndarray]:
    if blocks is None:
        return {0: np.arange(n)}
    values = blocks.astype(object).tolist()
    groups: dict[object, list[int]] = {}
    for pos, value in enumerate(values):
        if value is not None and not pd.isna(value):
            groups.setdefault(value, []).append(pos)
    return {k: np.asarray(v, dtype=np.int64) for k, v in groups.items()}


def dense_pairs(
    q_texts: Sequence[str],
    c_texts: Sequence[str],
    q_pos: np.ndarray,
    c_pos: np.ndarray,
    cutoff: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs of one block scoring at least ``cutoff`` (cdist, chunked over queries)."""
    out_q, out_c, out_s = [], [], []
    choices = [c_texts[i] for i in c_pos]
    step = max(1, _CHUNK_CELLS // max(1, len(c_pos)))
    for start in range(0, len(q_pos), step):
        rows = q_pos[start : start + step]
        matrix = process.cdist(
            [q_texts[i] for i in rows],
            choices,
            scorer=fuzz.token_sort_ratio,
            dtype=np.float64,
            workers=-1,
            score_cutoff=cutoff,
        )
        qi, ci = (
            np.nonzero(matrix >= cutoff) if cutoff > 0 else np.indices(matrix.shape).reshape(2, -1)
        )
        out_q.append(rows[qi])
        out_c.append(c_pos[ci])
        out_s.append(matrix[qi, ci])
    if not out_q:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return np.concatenate(out_q), np.concatenate(out_c), np.concatenate(out_s)


def token_pairs(
    q_texts: Sequence[str], c_texts: Sequence[str], q_ok: np.ndarray, c_ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs whose rarest tokens (over queries and choices together) intersect."""
    rare = rare_tokens([*q_texts, *c_texts])
    nq = len(q_texts)
    by_token_q: dict[str, list[int]] = {}
    by_token_c: dict[str, list[int]] = {}
    for pos in np.flatnonzero(q_ok):
        for token in rare[pos]:
            by_token_q.setdefault(token, []).append(int(pos))
    for pos in np.flatnonzero(c_ok):
        for token in rare[nq + pos]:
            by_token_c.setdefault(token, []).append(int(pos))
    pairs_q, pairs_c = [], []
    for token, qs in by_token_q.items():
        cs = by_token_c.get(token)
        if cs:
            grid_q, grid_c = np.meshgrid(np.asarray(qs), np.asarray(cs), indexing="ij")
            pairs_q.append(grid_q.ravel())
            pairs_c.append(grid_c.ravel())
    if not pairs_q:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(pairs_q), np.concatenate(pairs_c)


def greedy_one_to_one(frame: pd.DataFrame) -> pd.DataFrame:
    """Best-first: take pairs by falling score/overlap; each query and choice at most once."""
    ordered = frame.sort_values(
        ["score", "overlap", "_q", "_c"], ascending=[False, False, True, True], kind="mergesort"
    )
    used_q: set[int] = set()
    used_c: set[int] = set()
    keep = []
    for row, q, c in zip(ordered.index, ordered["_q"], ordered["_c"], strict=True):
        if q not in used_q and c not in used_c:
            used_q.add(q)
            used_c.add(c)
            keep.append(row)
    return frame.loc[keep]


def candidate_pairs(
    q_texts: Sequence[str],
    c_texts: Sequence[str],
    q_ok: np.ndarray,
    c_ok: np.ndarray,
    query_blocks: pd.Series | None,
    choice_blocks: pd.Series | None,
    *,
    score_cutoff: float,
    token_blocking: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(query positions, choice positions, scores) of every candidate pair at or above the cutoff.

    Same-block pairs are scored densely (:func:`dense_pairs`); with ``token_blocking``, pairs of
    different blocks sharing a rare token (:func:`token_pairs`) are added. Pairs may repeat.
    """
    parts_q, parts_c, parts_s = [], [], []
    q_groups = block_groups(query_blocks, len(q_texts))
    c_groups = block_groups(choice_blocks, len(c_texts))
    for key, q_pos in q_groups.items():
        c_pos = c_groups.get(key)
        if c_pos is None:
            continue
        q_pos, c_pos = q_pos[q_ok[q_pos]], c_pos[c_ok[c_pos]]
        if len(q_pos) and len(c_pos):
            dq, dc, ds = dense_pairs(q_texts, c_texts, q_pos, c_pos, score_cutoff)
            parts_q.append(dq)
            parts_c.append(dc)
            parts_s.append(ds)
    if token_blocking and query_blocks is not None and choice_blocks is not None:
        tq, tc = token_pairs(q_texts, c_texts, q_ok, c_ok)
        qb = query_blocks.astype(object).to_numpy()[tq]
        cb = choice_blocks.astype(object).to_numpy()[tc]
        # Same-block pairs were scored densely already.
        fresh = ~(pd.notna(qb) & pd.notna(cb) & (qb == cb)) if len(tq) else np.zeros(0, bool)
        tq, tc = tq[fresh], tc[fresh]
        if len(tq):
            ts = process.cpdist(
                [q_texts[i] for i in tq],
                [c_texts[i] for i in tc],
                scorer=fuzz.token_sort_ratio,
                dtype=np.float64,
                workers=-1,
            )
            keep = ts >= score_cutoff
            parts_q.append(tq[keep])
            parts_c.append(tc[keep])
            parts_s.append(ts[keep])

    q_all = np.concatenate(parts_q) if parts_q else np.empty(0, np.int64)
    c_all = np.concatenate(parts_c) if parts_c else np.empty(0, np.int64)
    s_all = np.concatenate(parts_s) if parts_s else np.empty(0)
    return q_all, c_all, s_all
