"""Per-date exposures of a signal to features, and their summary; pure pandas/numpy, no I/O.

The exposure of a signal to feature *f* on date *t* is a correlation over the tickers present on
that date in both frames, with one of two methods:

* ``"numerai"``: Numerai's correlation (CWSNMM recipe, numerai-tools ``numerai_corr`` with the
  feature as the target): the signal is tie-kept ranked ``(rank - 0.5) / n``, gaussianised
  (``ndtri``), raised to ``sign(x)|x|^1.5``, then Pearson-correlated with the raw feature. With
  ``feature_pow15=True`` the feature is centred and raised to ^1.5 first (``target_pow15=True``).
* ``"spearman"``: Spearman rank correlation (average ranks on both sides, pandas' definition).

Like numerai-tools, rows where the feature is NaN are dropped *before* the signal is ranked, so
each (date, feature) ranks the signal over exactly the rows it correlates. All dates are done at
once: the rows are sorted by date, ranked with one lexsort, and the Pearson sums are grouped with
``np.add.reduceat``; the only Python loop is over feature columns (and over distinct NaN patterns).

A (date, feature) gets NaN with a ``reason`` instead of a number when the feature is all missing
(``feature_missing``), fewer than ``min_tickers`` rows remain (``too_few_tickers``; default
:data:`MIN_TICKERS` = 10, below which a correlation is noise), or the signal or the feature is
constant on that date (``constant_signal`` / ``constant_feature``). It never raises for data
problems of a single date; it raises :class:`~tickermap.errors.AnalysisError` only when the frames
cannot be used at all (missing columns, non-numeric values, duplicate (date, key) rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tickermap.columns import DATE, SIGNAL
from tickermap.errors import AnalysisError
from tickermap.exposure.kernels import (
    EXPOSURE,
    FEATURE,
    MIN_TICKERS,
    PER_DATE_COLUMNS,
    SUMMARY_STATS,
    Aligned,
    Method,
    aligned_row_for_row,
    exposure_columns,
    feature_exposures,
    group_rank,
    grouped_stats,
    numerai_transform,
    summarize_groups,
    summary_order,
)
from tickermap.exposure.row_order import row_for_row

__all__ = [
    "MIN_TICKERS",
    "Aligned",
    "Method",
    "align",
    "group_rank",
    "grouped_stats",
    "numerai_transform",
    "per_date_exposures",
    "summarize_exposures",
]


def infer_key(signal: pd.DataFrame, features: pd.DataFrame, key: str | None) -> str:
    """The key column both frames share (the only common column besides date and signal)."""
    if key is not None:
        for name, frame in (("signal", signal), ("features", features)):
            if key not in frame.columns:
                raise AnalysisError(f"the {name} table has no key column {key!r}")
        return key
    common = [c for c in signal.columns if c in features.columns and c not in (DATE, SIGNAL)]
    if len(common) != 1:
        raise AnalysisError(
            f"cannot tell the key column: the tables share {common!r}; pass key= explicitly"
        )
    return str(common[0])


def _check_numeric(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    series = frame[column]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise AnalysisError(
            f"the {what} column {column!r} is not numeric (dtype {series.dtype}); convert it "
            "first (tickermap.exposure.run.load_numeric reports the offending line)"
        )
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def align(signal: pd.DataFrame, features: pd.DataFrame, *, key: str | None = None) -> Aligned:
    """Match signal rows to feature rows on (date, key) without copying the feature columns.

    Args:
        signal: ``date, <key>, signal``; rows with a NaN signal are dropped.
        features: ``date, <key>, <feature columns>``.
        key: the key column; inferred when both frames share exactly one.

    Returns:
        The matched rows, sorted by (date, key).

    Raises:
        AnalysisError: missing columns, a non-numeric signal, or duplicate (date, key) rows.
    """
    key = infer_key(signal, features, key)
    for name, frame, need in (("signal", signal, (DATE, SIGNAL)), ("features", features, (DATE,))):
        missing = [c for c in need if c not in frame.columns]
        if missing:
            raise AnalysisError(f"the {name} table lacks column(s) {missing!r}")
    values = _check_numeric(signal, SIGNAL, "signal")
    if row_for_row(signal[DATE], signal[key], features[DATE], features[key]):
        return aligned_row_for_row(signal[DATE].to_numpy(), values)
    n_sig = len(signal)
    date_codes, dates = pd.factorize(
        pd.concat([signal[DATE], features[DATE]], ignore_index=True), sort=True
    )
    key_codes, keys = pd.factorize(
        pd.concat([signal[key], features[key]], ignore_index=True), sort=True
    )
    if (date_codes < 0).any() or (key_codes < 0).any():
        raise AnalysisError(f"the {DATE!r} or {key!r} column has missing values; drop those rows")
    combined = date_codes.astype(np.int64) * max(len(keys), 1) + key_codes
    sig_comb, feat_comb = combined[:n_sig], combined[n_sig:]
    for name, comb, frame in (("signal", sig_comb, signal), ("features", feat_comb, features)):
        dup = pd.Index(comb).duplicated()
        if dup.any():
            row = frame.iloc[int(np.flatnonzero(dup)[0])]
            raise AnalysisError(
                f"the {name} table has {int(dup.sum())} duplicate ({DATE}, {key}) rows, e.g. "
                f"{row[DATE]!r}, {row[key]!r}; keep one row per ticker and date"
            )
    pos = pd.Index(feat_comb).get_indexer(sig_comb)
    keep = np.flatnonzero((pos >= 0) & ~np.isnan(values))
    order = keep[np.argsort(sig_comb[keep], kind="stable")]
    codes = date_codes[:n_sig][order].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    return Aligned(
        dates=np.asarray(dates),
        codes=codes,
        starts=starts,
        date_index=codes[starts] if len(codes) else codes,
        signal=values[order],
        signal_rows=order,
        feature_rows=pos[order],
    )


def per_date_exposures(
    signal: pd.DataFrame,
    features: pd.DataFrame,
    *,
    method: Method,
    key: str | None = None,
    columns: Sequence[str] | None = None,
    min_tickers: int = MIN_TICKERS,
    feature_pow15: bool = False,
) -> pd.DataFrame:
    """Correlation of the signal with each feature, per date (long format).

    Args:
        signal: ``date, <key>, signal`` (one row per date and key; NaN signals are ignored).
        features: ``date, <key>, <feature columns>`` (numeric; NaN = missing).
        method: ``"numerai"`` (rank, gaussianise, ^1.5, Pearson) or ``"spearman"``.
        key: the join column; inferred when the frames share exactly one.
        columns: the feature columns; default every numeric column except date and key.
        min_tickers: dates with fewer usable rows give NaN (reason ``too_few_tickers``).
        feature_pow15: numerai method only: centre the feature and raise it to ^1.5 first.

    Returns:
        ``date, feature, exposure, n_tickers, reason`` sorted by feature then date; ``reason`` is
        ``ok`` or why ``exposure`` is NaN.

    Raises:
        AnalysisError: unusable frames (see :func:`align`) or a non-numeric feature column.

    >>> s = pd.DataFrame({"date": [1] * 4, "t": list("abcd"), "signal": [1.0, 2, 3, 4]})
    >>> f = pd.DataFrame({"date": [1] * 4, "t": list("abcd"), "x": [10.0, 20, 30, 40]})
    >>> per_date_exposures(s, f, method="spearman", min_tickers=2)["exposure"].round(6).tolist()
    [1.0]
    """
    if method not in ("spearman", "numerai"):
        raise AnalysisError(f"unknown method {method!r}; use 'spearman' or 'numerai'")
    key = infer_key(signal, features, key)
    cols = list(columns) if columns is not None else feature_columns(features, key=key)
    al = align(signal, features, key=key)
    rows = al.feature_rows
    whole = len(rows) == len(features) and bool((rows == np.arange(len(rows))).all())
    parts = feature_exposures(
        al,
        (_check_numeric(features, col, "feature") for col in cols),
        method=method,
        min_tickers=min_tickers,
        feature_pow15=feature_pow15,
        whole=whole,
    )
    if not parts or not len(al.codes):
        return pd.DataFrame({c: [] for c in PER_DATE_COLUMNS})
    return pd.DataFrame(exposure_columns(al, cols, parts))  # one frame, no concat


def feature_columns(features: pd.DataFrame, *, key: str) -> list[str]:
    """The numeric columns of ``features`` other than date and key."""
    return [
        str(c)
        for c in features.columns
        if c not in (DATE, key)
        and pd.api.types.is_numeric_dtype(features[c].dtype)
        and not pd.api.types.is_bool_dtype(features[c].dtype)
    ]


SUMMARY_COLUMNS = (FEATURE, *SUMMARY_STATS)


def summarize_exposures(per_date: pd.DataFrame) -> pd.DataFrame:
    """Summary per feature (and per ``stage``/``method`` when those columns are present).

    Statistics use the dates with a valid exposure: ``mean``, ``std`` (ddof=0, as Numerai's
    summaries), ``sharpe`` = mean/std, ``positive_share`` (share of dates > 0), ``latest`` (value
    on the last valid date, ``latest_date``), ``max_abs`` (max |exposure|), ``n_dates`` and
    ``n_missing`` (dates with NaN). Sorted like the forum table: largest mean first, most negative
    last (within each stage).

    Args:
        per_date: the output of :func:`per_date_exposures` (optionally with ``stage``/``method``).

    Returns:
        One row per feature with :data:`SUMMARY_COLUMNS` (plus the grouping columns first).

    >>> pd_ = pd.DataFrame({"date": [1, 2], "feature": "x", "exposure": [0.1, 0.3]})
    >>> summarize_exposures(pd_)[["mean", "positive_share", "latest"]].round(3).values.tolist()
    [[0.2, 1.0, 0.3]]
    """
    extra = [c for c in ("stage", "method") if c in per_date.columns]
    keys = [*extra, FEATURE]
    if per_date.empty:
        return pd.DataFrame({c: [] for c in [*extra, *SUMMARY_COLUMNS]})
    frame = per_date.sort_values([*keys, DATE], kind="stable")
    group, labels = _group_codes(frame, keys)
    stats = summarize_groups(
        group,
        len(labels),
        frame[DATE].to_numpy(),
        frame[EXPOSURE].to_numpy(dtype=np.float64, na_value=np.nan),
    )
    out = labels.assign(**stats)[[*extra, *SUMMARY_COLUMNS]]
    blocks = [pd.factorize(out[c], sort=True)[0] for c in extra]
    order = summary_order(out["mean"].to_numpy(), *blocks)
    return out.iloc[order].reset_index(drop=True)


def _group_codes(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """For rows sorted by ``keys``: each row's group code and the groups' key values in order."""
    values = frame[keys]
    brk = np.zeros(len(frame), dtype=bool)
    brk[0] = True
    for col in keys:
        v = values[col].to_numpy()
        brk[1:] |= v[1:] != v[:-1]
    group = np.cumsum(brk) - 1
    return group, values.iloc[np.flatnonzero(brk)].reset_index(drop=True)
