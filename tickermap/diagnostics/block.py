"""Every input of a run of dates laid out on one row grid sorted by (date, ticker).

:func:`make_block` puts the signal, targets, meta model, sample weights and the neutralizer and
feature matrices of a block of dates on the union of their (date, ticker) rows, as float64
values with NaN where an input has no row, without a sort (a dense presence grid). No I/O.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tickermap.exposure.row_order import date_runs, same_rows, sorted_unique

__all__ = ["Block", "make_block"]


@dataclass
class Block:
    """Every input's rows for a run of dates, on one row layout sorted by (date, ticker).

    Attributes:
        dates: the block's dates; ``codes`` index into it (every date has rows).
        codes: date code per row; ``starts`` the first row of each date.
        tickers: ticker per row.
        values: per input in :data:`INPUTS`, its value per row (NaN where absent).
        present: per input, whether it has a row (its NaN values included) for the ticker.
        neutralizers / features: ``(rows, K)`` matrices (NaN where absent), or None.
        feature_names: the feature columns' names.
    """

    dates: np.ndarray
    codes: np.ndarray
    starts: np.ndarray
    tickers: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    present: dict[str, np.ndarray] = field(default_factory=dict)
    neutralizers: np.ndarray | None = None
    neutralizers_present: np.ndarray | None = None
    features: np.ndarray | None = None
    features_present: np.ndarray | None = None
    feature_names: tuple[str, ...] = ()


def make_block(
    dates: np.ndarray,
    frames: dict[str, pd.DataFrame],
    id_col: str,
    *,
    matrices: dict[str, tuple[pd.DataFrame, list[str]]] | None = None,
) -> Block:
    """Lay out the inputs of ``dates`` on the union of their (date, ticker) rows.

    Args:
        dates: the dates to score (each must have signal rows).
        frames: per input in :data:`INPUTS`, a ``date, <id_col>, value`` frame (the value in the
            column named like the input); ``signal`` is required.
        id_col: the ticker column shared by every frame.
        matrices: ``"neutralizers"`` / ``"features"`` -> (frame, its value columns).
    """
    matrices = matrices or {}
    parts = {**{k: v for k, v in frames.items()}, **{k: f for k, (f, _) in matrices.items()}}
    same = _same_layout(dates, parts, id_col)
    if same is not None:
        return _row_for_row_block(dates, parts, matrices, id_col, *same)
    date_index = pd.Index(dates)
    keys = []
    for name, frame in parts.items():
        dcode = date_index.get_indexer(frame["date"])
        # factorise each frame's tickers natively (Arrow strings stay Arrow); only the distinct
        # tickers become Python objects, merged into one sorted vocabulary below
        local, distinct = pd.factorize(frame[id_col])
        names = np.asarray(distinct, dtype=object)
        keys.append((name, dcode, local, names, (dcode >= 0) & (local >= 0)))
    merged, uniques = pd.factorize(np.concatenate([u for *_, u, _ in keys]), sort=True)
    n_t = max(len(uniques), 1)
    combined = []
    offset = 0
    for _name, dcode, local, names, keep in keys:
        to_global = merged[offset : offset + len(names)]
        offset += len(names)
        combined.append(dcode[keep].astype(np.int64) * n_t + to_global[local[keep]])
    # the union of (date, ticker) keys on a dense presence grid: sorted without a sort
    grid = np.zeros(len(dates) * n_t, dtype=bool)
    for comb in combined:
        grid[comb] = True
    layout = np.flatnonzero(grid)
    slot_of = np.cumsum(grid) - 1
    del grid
    codes = layout // n_t
    starts = np.searchsorted(codes, np.arange(len(dates)))
    block = Block(
        dates=np.asarray(dates),
        codes=codes,
        starts=starts,
        tickers=np.asarray(uniques, dtype=object)[layout % n_t],
    )
    for (name, _, _, _, keep), comb in zip(keys, combined, strict=True):
        pos = slot_of[comb]
        present = np.zeros(len(layout), dtype=bool)
        present[pos] = True
        frame = parts[name] if keep.all() else parts[name].loc[keep]
        aligned = len(pos) == len(layout) and bool((np.diff(pos) == 1).all())
        _put(block, name, frame, matrices, present, None if aligned else pos)
    return block


def _put(
    block: Block,
    name: str,
    frame: pd.DataFrame,
    matrices: dict[str, tuple[pd.DataFrame, list[str]]],
    present: np.ndarray,
    pos: np.ndarray | None,
) -> None:
    """Set one input's values on the block: its rows are the layout's (``pos`` None) or go to
    the layout rows ``pos``."""
    cols = matrices[name][1] if name in matrices else [name]
    raw = frame[cols].to_numpy(dtype=np.float64, na_value=np.nan)
    if pos is None:  # the frame already has the layout's rows, in order
        values = raw
        if name in matrices and not raw.flags.writeable:
            _own(raw, frame[cols[0]])
    else:
        values = np.full((len(present), len(cols)), np.nan)
        values[pos] = raw
    del raw
    if name in matrices:
        setattr(block, name, values)
        setattr(block, f"{name}_present", present)
        if name == "features":
            block.feature_names = tuple(cols)
    else:
        block.values[name] = values[:, 0]
        block.present[name] = present


def _same_layout(
    dates: np.ndarray, parts: dict[str, pd.DataFrame], id_col: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """(date code, first row of each date) when every input has the same (date, ticker) rows,
    sorted and each once, on exactly ``dates``: the layout is then those rows (no join)."""
    first = parts.get("signal")
    if first is None or not sorted_unique(first["date"], first[id_col]):
        return None
    for frame in parts.values():
        if frame is not first and not same_rows(
            first["date"], first[id_col], frame["date"], frame[id_col]
        ):
            return None
    values = first["date"].to_numpy()
    distinct, codes, starts = date_runs(values)
    wanted = np.asarray(dates)
    if len(distinct) != len(wanted) or not (distinct == wanted.astype(distinct.dtype)).all():
        return None
    return codes, starts


def _row_for_row_block(
    dates: np.ndarray,
    parts: dict[str, pd.DataFrame],
    matrices: dict[str, tuple[pd.DataFrame, list[str]]],
    id_col: str,
    codes: np.ndarray,
    starts: np.ndarray,
) -> Block:
    """:func:`make_block` when every input already has the layout's rows, in order."""
    block = Block(
        dates=np.asarray(dates),
        codes=codes,
        starts=starts,
        tickers=np.asarray(parts["signal"][id_col], dtype=object),
    )
    for name, frame in parts.items():
        _put(block, name, frame, matrices, np.ones(len(codes), dtype=bool), None)
    return block


def _own(raw: np.ndarray, column: pd.Series) -> None:
    """Make a converted matrix writeable (the Design centres it in place) when it is a new
    array (the frame's values were float32 or spread over blocks), never a view of the frame."""
    if not np.may_share_memory(raw, column.to_numpy()):
        with contextlib.suppress(ValueError):  # a read-only base: the Design copies it
            raw.flags.writeable = True
