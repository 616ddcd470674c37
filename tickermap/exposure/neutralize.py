"""Neutralise a signal to features (or to size) per date, as numerai-tools ``neutralize``.

On each date the signal is (by default) tie-kept ranked and gaussianised, then the least-squares
fit on the neutralisers plus an intercept is subtracted, scaled by ``proportion``::

    X = [neutralisers, 1];  beta = lstsq(X, s, rcond=1e-6);  s_neutral = s - proportion * X @ beta

which is numerai-tools' ``neutralize(gaussian(tie_kept_rank(s)), X, proportion)`` (doc §2.5).
Size neutralisation uses the log of a market-cap column (``log_columns``), as Numerai's examples
do. Rows where the signal or any neutraliser is missing are left out of that date (numerai-tools
refuses NaN); a constant signal on a date gives NaN there, as numerai-tools does. This module
holds only the maths: no I/O, no printing. The least squares runs once per date on NumPy arrays
(it is cheap next to the exposure pass, and per-date ``lstsq`` is what copes with collinear
neutralisers such as country dummies exactly like the reference).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from tickermap.columns import DATE, SIGNAL
from tickermap.errors import AnalysisError
from tickermap.exposure.per_date import align, infer_key, numerai_transform

__all__ = ["Transform", "neutralize"]

log = logging.getLogger(__name__)

Transform = Literal["rank_gauss", "none"]


def _neutraliser_matrix(
    features: pd.DataFrame, columns: Sequence[str], rows: np.ndarray, log_columns: Sequence[str]
) -> np.ndarray:
    mats = []
    for col in columns:
        if col not in features.columns:
            raise AnalysisError(
                f"cannot neutralise to {col!r}: the features table has no such column "
                f"(it has {', '.join(map(repr, list(features.columns)[:12]))})"
            )
        series = features[col]
        if not pd.api.types.is_numeric_dtype(series.dtype):
            raise AnalysisError(f"the neutraliser column {col!r} is not numeric")
        v = series.to_numpy(dtype=np.float64, na_value=np.nan)[rows]
        if col in log_columns:
            with np.errstate(invalid="ignore", divide="ignore"):
                v = np.where(v > 0, np.log(np.where(v > 0, v, 1.0)), np.nan)
        mats.append(v)
    return np.column_stack(mats) if mats else np.zeros((len(rows), 0))


def neutralize(
    signal: pd.DataFrame,
    features: pd.DataFrame,
    *,
    columns: Sequence[str],
    proportion: float = 1.0,
    key: str | None = None,
    transform: Transform = "rank_gauss",
    log_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """The signal neutralised to ``columns`` on each date.

    Args:
        signal: ``date, <key>, signal``.
        features: ``date, <key>, <columns...>``.
        columns: the neutraliser columns (one or more).
        proportion: how much of the fitted exposure to remove (1.0 = all, 0 = none).
        key: the join column; inferred when the frames share exactly one.
        transform: ``"rank_gauss"`` ranks and gaussianises the signal per date first (the FNC /
            size-neutral recipe); ``"none"`` neutralises the raw values.
        log_columns: columns to take the natural log of first (size: market cap); values <= 0
            count as missing.

    Returns:
        ``date, <key>, signal`` for the rows that had the signal and every neutraliser, sorted by
        date and key.

    Raises:
        AnalysisError: no columns, a column missing or non-numeric, or unusable frames.

    >>> s = pd.DataFrame({"date": 1, "k": list("abcd"), "signal": [1.0, 2.0, 3.0, 5.0]})
    >>> f = pd.DataFrame({"date": 1, "k": list("abcd"), "x": [1.0, 2.0, 3.0, 4.0]})
    >>> out = neutralize(s, f, columns=["x"], transform="none")
    >>> bool(abs(np.corrcoef(out["signal"], f["x"])[0, 1]) < 1e-9)
    True
    """
    if not columns:
        raise AnalysisError("neutralize needs at least one neutraliser column")
    if not 0.0 <= proportion <= 1.0:
        raise AnalysisError(f"proportion must be between 0 and 1, got {proportion!r}")
    key = infer_key(signal, features, key)
    al = align(signal, features, key=key)
    mat = _neutraliser_matrix(features, columns, al.feature_rows, log_columns)
    ok = ~np.isnan(mat).any(axis=1)
    dropped = int((~ok).sum())
    if dropped:
        log.info("neutralize: %d rows lack a neutraliser value and are left out", dropped)
    codes = al.codes[ok]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    values = al.signal[ok]
    if transform == "rank_gauss":
        values = numerai_transform(values, codes, starts, pow15=False)
    mat = mat[ok]
    out = np.full(len(values), np.nan)
    bounds = np.r_[starts, len(values)]
    for lo, hi in itertools.pairwise(bounds):
        y = values[lo:hi]
        if hi - lo < 2 or np.std(y) == 0:  # numerai-tools sets zero-std columns to NaN
            continue
        x = np.hstack((mat[lo:hi], np.ones((hi - lo, 1))))
        beta = np.linalg.lstsq(x, y, rcond=1e-6)[0]
        out[lo:hi] = y - proportion * (x @ beta)
    rows = al.signal_rows[ok]
    return pd.DataFrame(
        {
            DATE: signal[DATE].to_numpy()[rows],
            key: signal[key].to_numpy()[rows],
            SIGNAL: out,
        }
    )
