"""The row-for-row fast paths give exactly what the general (hash join) paths give.

Inputs that share sorted (date, ticker) rows skip the joins (``tickermap.exposure.row_order``);
each test runs the same data through the fast path and, with the rows shuffled (or one row
dropped) so the checks fail, through the general path, and compares the results exactly.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from tests._diagnostics_data import ID, make_inputs
from tickermap.diagnostics.block import make_block
from tickermap.diagnostics.scoring import score_block
from tickermap.exposure.churn import churn
from tickermap.exposure.joins import join_through_universe
from tickermap.exposure.per_date import align, per_date_exposures
from tickermap.exposure.row_order import date_runs, row_for_row, same_rows, sorted_unique

KEY = "bloomberg_ticker"


def _frames(seed: int = 0, n_t: int = 50, n_d: int = 6) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-05", periods=n_d, freq="W-FRI")
    tickers = [f"T{i:03d} US" for i in range(n_t)]
    base = pd.DataFrame({"date": np.repeat(dates.values, n_t), KEY: np.tile(tickers, n_d)})
    signal = base.assign(signal=np.round(rng.random(len(base)), 2))  # ties
    signal.loc[7, "signal"] = np.nan
    feats = base.assign(
        f0=rng.standard_normal(len(base)),
        f1=np.round(rng.standard_normal(len(base)), 1),
        f2=rng.standard_normal(len(base)),
    )
    feats.loc[feats.index[:50], "f2"] = np.nan  # a warm-up window on the first date
    return signal, feats


def _shuffled(frame: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    order = np.random.default_rng(seed).permutation(len(frame))
    return frame.iloc[order].reset_index(drop=True)


@pytest.mark.parametrize("as_object", [False, True])
def test_sorted_unique_and_same_rows(as_object: bool) -> None:
    signal, feats = _frames()
    keys = signal[KEY].astype(object) if as_object else signal[KEY]
    assert sorted_unique(signal["date"], keys)
    assert same_rows(signal["date"], signal[KEY], feats["date"], feats[KEY])
    swapped = keys.copy()
    swapped.iloc[[3, 4]] = swapped.iloc[[4, 3]].to_numpy()
    assert not sorted_unique(signal["date"], swapped)
    repeated = keys.copy()
    repeated.iloc[4] = repeated.iloc[3]
    assert not sorted_unique(signal["date"], repeated)
    missing = keys.copy()
    missing.iloc[4] = None
    assert not sorted_unique(signal["date"], missing)
    later = signal["date"].copy()
    later.iloc[0] = later.iloc[-1]
    assert not sorted_unique(later, keys)
    other = feats[KEY].copy()
    other.iloc[-1] = "ZZZ US"
    assert not same_rows(signal["date"], signal[KEY], feats["date"], other)
    days, codes, starts = date_runs(signal["date"].to_numpy())
    assert list(days) == list(np.sort(signal["date"].unique()))
    assert list(starts) == [0, 50, 100, 150, 200, 250]
    assert (np.diff(codes) >= 0).all() and codes[-1] == 5


@pytest.mark.parametrize("method", ["numerai", "spearman"])
def test_exposures_fast_path_equals_general(method: str) -> None:
    signal, feats = _frames()
    assert row_for_row(signal["date"], signal[KEY], feats["date"], feats[KEY])
    general = _shuffled(feats)
    assert not row_for_row(signal["date"], signal[KEY], general["date"], general[KEY])
    fast_al, slow_al = align(signal, feats, key=KEY), align(signal, general, key=KEY)
    for f in ("dates", "codes", "starts", "date_index", "signal", "signal_rows"):
        np.testing.assert_array_equal(getattr(fast_al, f), getattr(slow_al, f))
    np.testing.assert_array_equal(
        feats["f0"].to_numpy()[fast_al.feature_rows],
        general["f0"].to_numpy()[slow_al.feature_rows],
    )
    fast = per_date_exposures(signal, feats, method=method, key=KEY)  # type: ignore[arg-type]
    slow = per_date_exposures(signal, general, method=method, key=KEY)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast["reason"].eq("ok").sum() > 10


def test_join_fast_path_equals_general() -> None:
    signal, feats = _frames()
    fast = join_through_universe(signal, feats, signal_key=KEY, features_key=KEY)
    slow = join_through_universe(signal, _shuffled(feats), signal_key=KEY, features_key=KEY)
    for f in ("frame", "coverage", "unmatched"):
        pd.testing.assert_frame_equal(getattr(fast, f), getattr(slow, f), check_exact=True)
    assert len(fast.frame) == len(signal) - 1  # the NaN signal
    # one feature row fewer: the general path, and the row is reported
    short = join_through_universe(signal, feats.drop(index=60), signal_key=KEY, features_key=KEY)
    assert short.unmatched["reason"].tolist() == ["no_feature_row"]
    assert short.coverage["matched"].sum() == len(signal) - 2


def test_coverage_of_unsorted_dates_equals_sorted() -> None:
    signal, feats = _frames()
    fast = join_through_universe(signal, feats, signal_key=KEY, features_key=KEY)
    slow = join_through_universe(_shuffled(signal), feats, signal_key=KEY, features_key=KEY)
    pd.testing.assert_frame_equal(fast.coverage, slow.coverage, check_exact=True)


def test_churn_same_tickers_equals_paired_ranks() -> None:
    signal, _ = _frames(n_t=80)
    signal = signal.dropna()
    dense = signal[signal[KEY] != "T005 US"]  # the same tickers every date: each date ranked once
    fast = churn(dense, key=KEY, top_n=10)
    # the general path: an extra ticker on the last date only (the other pairs are unchanged)
    extra = pd.DataFrame({"date": [dense["date"].max()], KEY: ["ZZZ US"], "signal": [0.5]})
    slow = churn(pd.concat([dense, extra], ignore_index=True), key=KEY, top_n=10)
    cols = ["churn", "overlap", "n_common", "top_overlap", "bottom_overlap"]
    pd.testing.assert_frame_equal(fast[cols].iloc[:-1], slow[cols].iloc[:-1], check_exact=True)
    shuffled = churn(_shuffled(dense), key=KEY, top_n=10)
    pd.testing.assert_frame_equal(fast, shuffled, check_exact=True)


def _block_inputs(inp: dict[str, pd.DataFrame]) -> tuple[dict, dict]:  # type: ignore[type-arg]
    frames = {
        "signal": inp["signal"],
        "targets": inp["targets"].rename(columns={"target": "targets"}),
        "meta_model": inp["meta_model"],
        "sample_weights": inp["sample_weights"],
    }
    cols = [c for c in inp["neutralizers"].columns if c.startswith("neutralizer")]
    return frames, {"neutralizers": (inp["neutralizers"], cols)}


def test_block_fast_path_equals_general() -> None:
    inp = make_inputs(3, holes=False)
    dates = np.sort(inp["signal"]["date"].unique())
    frames, mats = _block_inputs(inp)
    fast = make_block(dates, frames, ID, matrices=mats)
    general = {**frames, "meta_model": _shuffled(frames["meta_model"])}
    sig = frames["signal"]
    assert sorted_unique(sig["date"], sig[ID])
    for frame in (*frames.values(), inp["neutralizers"]):  # the fast path's condition holds
        assert same_rows(sig["date"], sig[ID], frame["date"], frame[ID])
    assert not same_rows(
        sig["date"], sig[ID], general["meta_model"]["date"], general["meta_model"][ID]
    )
    slow = make_block(dates, general, ID, matrices=mats)
    for f in dataclasses.fields(fast):
        a, b = getattr(fast, f.name), getattr(slow, f.name)
        if isinstance(a, dict):
            assert a.keys() == b.keys()
            for k in a:
                np.testing.assert_array_equal(a[k], b[k])
        elif isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b
    s_fast, _ = score_block(fast, min_tickers=100)
    s_slow, _ = score_block(slow, min_tickers=100)
    pd.testing.assert_frame_equal(s_fast, s_slow, check_exact=True)
