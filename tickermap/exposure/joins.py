"""Join a signal to a features table whose key may differ, through the cleaned universe.

A signal is keyed by ``bloomberg_ticker`` or ``numerai_ticker`` (sometimes a FIGI); features are
often keyed by Yahoo symbol, FIGI or ISIN. :func:`join_through_universe` re-keys the *signal* to
the features' key (the features table itself is never copied) and reports, per date, how many
signal rows found a feature row, and why each of the others did not.

* ``numerai_ticker`` values are ISO-country tickers (``000660 KR``): they are converted with
  :func:`tickermap.tickers.parse.numerai_to_bloomberg` before any lookup, because the universe and
  the
  community maps speak Bloomberg (``000660 KS``).
* With a universe (the reconcile step's output), a row joins only if its ``status`` is not in
  ``exclude_statuses``; the default :data:`DEFAULT_EXCLUDED_STATUSES` drops rows whose keys point
  at another security (``figi_other_security``, ``ticker_reused``, ``isin_conflict``,
  ``wrong_listing``, ``wrong_share_class``) or cannot be told apart (``ambiguous``).
* Without a universe the keys must match by name (or be the Bloomberg/ISO pair, converted).

Coverage under :data:`MIN_COVERAGE` (80%) is logged as a warning: numerai-tools refuses to score
such dates. This module does no I/O and never prints.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from tickermap.columns import (
    BLOOMBERG_TICKER,
    DATE,
    JOIN_KEYS,
    NUMERAI_TICKER,
    SIGNAL,
)
from tickermap.errors import AnalysisError, InputError
from tickermap.exposure.row_order import date_runs, non_decreasing, row_for_row
from tickermap.reasons import EXCLUDED_FROM_JOINS
from tickermap.tickers.parse import bloomberg_to_numerai, numerai_to_bloomberg

if TYPE_CHECKING:
    from tickermap.history.pit import History

__all__ = [
    "DEFAULT_EXCLUDED_STATUSES",
    "JOIN_KEYS",
    "MIN_COVERAGE",
    "STATUS",
    "JoinResult",
    "join_through_universe",
]

log = logging.getLogger(__name__)

STATUS = "status"
REASON = "reason"
MIN_COVERAGE = 0.8
"""numerai-tools' scoring asserts at least 80% overlapping ids."""


DEFAULT_EXCLUDED_STATUSES: frozenset[str] = frozenset(str(r) for r in EXCLUDED_FROM_JOINS)
"""Universe statuses whose join keys would attach another security's features
(``tickermap.reasons.EXCLUDED_FROM_JOINS``)."""

COVERAGE_COLUMNS = (DATE, "signal_rows", "matched", "coverage", "low_coverage")

_INFERRED_STRINGS = pd.Series(["x"]).dtype
"""The dtype pandas infers for a column of Python strings (Arrow-backed from pandas 3)."""


@dataclass(frozen=True, slots=True)
class JoinResult:
    """The signal re-keyed to the features' key, with coverage.

    Attributes:
        frame: ``date, <key>, signal`` for the matched rows (``key`` is the features' key).
        coverage: per date ``signal_rows, matched, coverage, low_coverage``.
        unmatched: ``date, <signal key>, reason`` for every signal row that did not join.
        key: the column name the features table and ``frame`` share.
    """

    frame: pd.DataFrame
    coverage: pd.DataFrame
    unmatched: pd.DataFrame
    key: str


def _convert(values: pd.Series, func: Callable[[str], str | None]) -> pd.Series:
    uniques = pd.unique(values.dropna())
    table = {v: func(str(v)) for v in uniques}
    return values.map(table)


def _map_without_universe(keys: pd.Series, signal_key: str, features_key: str) -> pd.Series:
    if signal_key == features_key:
        return keys
    if (signal_key, features_key) == (NUMERAI_TICKER, BLOOMBERG_TICKER):
        return _convert(keys, numerai_to_bloomberg)
    if (signal_key, features_key) == (BLOOMBERG_TICKER, NUMERAI_TICKER):
        return _convert(keys, bloomberg_to_numerai)
    raise AnalysisError(
        f"the signal is keyed by {signal_key!r} and the features by {features_key!r}; pass the "
        "cleaned universe (tickermap reconcile output) to translate one into the other"
    )


def _universe_lookup(
    universe: pd.DataFrame, source: str, target: str, exclude: Collection[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """(source value -> target value for usable rows, source value -> reason for the others)."""
    for col in (source, target, STATUS):
        if col not in universe.columns:  # the user's file: bad input, located by the caller
            raise InputError(
                f"no column {col!r}: this is not a cleaned universe; give the --out file of "
                "tickermap reconcile",
                line=1,
            )
    uni = universe[[source, target, STATUS]].dropna(subset=[source])
    bad: dict[str, str] = {}
    excluded = uni[uni[STATUS].isin(list(exclude))]
    for src, status in zip(excluded[source], excluded[STATUS], strict=True):
        bad[str(src)] = f"excluded_status:{status}"
    usable = uni[~uni[STATUS].isin(list(exclude))]
    for src in usable.loc[usable[target].isna(), source]:
        bad.setdefault(str(src), f"no_{target}_in_universe")
    usable = usable.dropna(subset=[target]).drop_duplicates([source, target])
    dup = usable[source].duplicated(keep=False)
    for src in usable.loc[dup, source]:
        bad[str(src)] = "ambiguous_in_universe"
    good = {
        str(s): str(t)
        for s, t in zip(usable.loc[~dup, source], usable.loc[~dup, target], strict=True)
        if str(s) not in bad
    }
    return good, bad


def join_through_universe(
    signal: pd.DataFrame,
    features: pd.DataFrame,
    *,
    universe: pd.DataFrame | None = None,
    signal_key: str,
    features_key: str,
    exclude_statuses: Collection[str] = DEFAULT_EXCLUDED_STATUSES,
    min_coverage: float = MIN_COVERAGE,
    history: History | None = None,
) -> JoinResult:
    """Re-key the signal to the features' key and measure coverage per date.

    Args:
        signal: ``date, <signal_key>, signal``.
        features: ``date, <features_key>, ...`` (only its date and key columns are read).
        universe: the cleaned universe (``bloomberg_ticker, status, <key columns>...``) or None.
        signal_key: the signal's key column (one of :data:`JOIN_KEYS`).
        features_key: the features' key column.
        exclude_statuses: universe statuses that must not join.
        min_coverage: dates under this share of matched rows are flagged (and logged).
        history: a point-in-time history (:func:`tickermap.history.load_history`): each row goes
            through the spell in force on its date (:func:`tickermap.history.point_in_time`);
            coverage then counts ``kept_out_by_history``.

    Returns:
        The :class:`JoinResult`.

    Raises:
        AnalysisError: missing columns, dates of different types, or keys that cannot be related
            without a universe.
        InputError: the universe lacks the key or ``status`` column (not a cleaned universe).

    >>> s = pd.DataFrame({"date": 1, "numerai_ticker": ["000660 KR"], "signal": [0.5]})
    >>> f = pd.DataFrame({"date": 1, "bloomberg_ticker": ["000660 KS"]})
    >>> r = join_through_universe(
    ...     s, f, signal_key="numerai_ticker", features_key="bloomberg_ticker")
    >>> r.frame["bloomberg_ticker"].tolist(), r.coverage["coverage"].tolist()
    (['000660 KS'], [1.0])
    """
    for name, frame, cols in (
        ("signal", signal, (DATE, signal_key, SIGNAL)),
        ("features", features, (DATE, features_key)),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise AnalysisError(f"the {name} table lacks column(s) {missing!r}")
    if signal[DATE].dtype != features[DATE].dtype:
        signal = _same_date_type(signal, features[DATE].dtype)
    sig = signal.loc[signal[SIGNAL].notna(), [DATE, signal_key, SIGNAL]].reset_index(drop=True)
    keys = sig[signal_key]
    reason = pd.Series(pd.NA, index=sig.index, dtype=object)
    pit = None
    if history is not None:
        from tickermap.history.pit import point_in_time

        pit = point_in_time(history, sig[DATE], keys, key=signal_key, features_key=features_key)
    if pit is not None and pit.keyed_by_entity:
        target = pit.entity.astype(object)
    elif universe is None:
        target = _map_without_universe(keys, signal_key, features_key)
        reason[target.isna() & keys.notna()] = "unparseable_ticker"
    else:
        source_col = BLOOMBERG_TICKER if signal_key == NUMERAI_TICKER else signal_key
        target_col = BLOOMBERG_TICKER if features_key == NUMERAI_TICKER else features_key
        src = _convert(keys, numerai_to_bloomberg) if signal_key == NUMERAI_TICKER else keys
        reason[src.isna() & keys.notna()] = "unparseable_ticker"
        good, bad = _universe_lookup(universe, source_col, target_col, exclude_statuses)
        target = src.map(good)
        if features_key == NUMERAI_TICKER:
            target = _convert(target, bloomberg_to_numerai)
        why = src.map(bad)
        reason = reason.where(reason.notna(), why)
        reason[target.isna() & reason.isna()] = "not_in_universe"
    if pit is not None:
        reason = pit.reason.where(pit.reason.notna(), reason)
    reason[keys.isna()] = "missing_key"
    if target is keys and row_for_row(sig[DATE], keys, features[DATE], features[features_key]):
        pass  # every row has its feature row and no duplicate: nothing to mark
    else:
        pairs, feat_pairs = _pair_codes(sig[DATE], target, features[DATE], features[features_key])
        dup = target.notna().to_numpy() & pd.Series(pairs).duplicated().to_numpy()
        reason[dup & reason.isna()] = "duplicate_target"
        present = pd.Series(pairs).isin(feat_pairs).to_numpy()
        reason[~present & reason.isna()] = "no_feature_row"
    ok = reason.isna().to_numpy()
    frame = pd.DataFrame(
        {
            DATE: _take(sig[DATE], ok),
            features_key: _take(target, ok),
            SIGNAL: _take(sig[SIGNAL], ok),
        }
    )
    unmatched = pd.DataFrame(
        {
            DATE: _take(sig[DATE], ~ok),
            signal_key: _take(keys, ~ok),
            REASON: reason[~ok].astype(str).to_numpy(),
        }
    )
    coverage = _coverage(sig[DATE], ok, min_coverage)
    if pit is not None:
        kept = pd.Series(pit.reason.notna().to_numpy()).groupby(sig[DATE].to_numpy()).sum()
        coverage["kept_out_by_history"] = coverage[DATE].map(kept).fillna(0).astype(np.int64)
    return JoinResult(frame=frame, coverage=coverage, unmatched=unmatched, key=features_key)


def _take(values: pd.Series, mask: np.ndarray) -> Any:
    """``values[mask]`` as a column of a new frame, of the dtype its Python values would infer.

    A column already of the inferred string dtype stays as it is (no round trip through Python
    objects); the others go through NumPy, as before.
    """
    picked = values[mask]
    if isinstance(picked.dtype, pd.StringDtype) and picked.dtype == _INFERRED_STRINGS:
        return picked.array
    return picked.to_numpy()


def _pair_codes(
    dates: pd.Series, keys: pd.Series, other_dates: pd.Series, other_keys: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """One int64 code per ``(date, key)`` pair, equal across both sides iff the pairs are.

    Missing values are values (as in a MultiIndex): a missing key matches a missing key.
    """
    n = len(dates)
    day, _ = pd.factorize(pd.concat([dates, other_dates], ignore_index=True), use_na_sentinel=False)
    key, uniques = pd.factorize(
        pd.concat([keys, other_keys], ignore_index=True), use_na_sentinel=False
    )
    code = day.astype(np.int64) * (len(uniques) + 1) + key
    return code[:n], code[n:]


def _per_date_counts(dates: pd.Series, ok: np.ndarray) -> pd.DataFrame:
    """``date, signal_rows, matched`` per distinct date, sorted by date."""
    values = dates.to_numpy()
    if len(values) and non_decreasing(values):  # sorted by date: runs, no groupby
        days, _, starts = date_runs(values)
        sizes = np.diff(np.r_[starts, len(values)]).astype(np.int64)
        matched = np.add.reduceat(ok.astype(np.int64), starts)
        return pd.DataFrame({DATE: days, "signal_rows": sizes, "matched": matched})
    grouped = pd.DataFrame({DATE: values, "ok": ok}).groupby(DATE, sort=True)["ok"]
    cov = pd.DataFrame({"signal_rows": grouped.size(), "matched": grouped.sum()}).reset_index()
    cov["matched"] = cov["matched"].astype(np.int64)
    return cov


def _coverage(dates: pd.Series, ok: np.ndarray, min_coverage: float) -> pd.DataFrame:
    cov = _per_date_counts(dates, ok)
    cov["coverage"] = cov["matched"] / cov["signal_rows"]
    cov["low_coverage"] = cov["coverage"] < min_coverage
    low = cov[cov["low_coverage"]]
    if len(low):
        log.warning(
            "coverage under %.0f%% on %d of %d dates (worst %.1f%% on %s); numerai-tools "
            "refuses to score such dates",
            min_coverage * 100,
            len(low),
            len(cov),
            low["coverage"].min() * 100,
            low[DATE].iloc[int(np.argmin(low["coverage"].to_numpy()))],
        )
    return cov[list(COVERAGE_COLUMNS)]


def _same_date_type(signal: pd.DataFrame, target: np.dtype[Any] | ExtensionDtype) -> pd.DataFrame:
    """Cast the signal's dates to the features' datetime unit (Parquet gives [us], CSV [ns]).

    Only the (small) signal is cast; other mismatches (text vs dates, time zones) are errors.
    """
    source = signal[DATE].dtype
    mismatch = AnalysisError(
        f"the signal's dates ({source}) and the features' dates ({target}) have different "
        "types; parse both the same way"
    )
    if not (pd.api.types.is_datetime64_dtype(source) and pd.api.types.is_datetime64_dtype(target)):
        raise mismatch
    return signal.assign(**{DATE: signal[DATE].astype(target)})
