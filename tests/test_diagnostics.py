"""diagnostics: every per-date metric equals numerai-tools 0.7.2 (run per date) to 1e-9."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests._diagnostics_data import ID, make_inputs, reference
from tickermap.columns import detect_signal_column
from tickermap.diagnostics.churn import churn_pairs
from tickermap.diagnostics.scoring import make_block, score_block
from tickermap.errors import InputError

pytestmark = pytest.mark.filterwarnings(
    "ignore:The inplace keyword:DeprecationWarning", "ignore:The inplace keyword"
)

SCORES = [
    "numerai_corr",
    "neutral_correlation",
    "alpha",
    "correlation_contribution",
    "neutral_contribution",
    "feature_neutral_corr",
    "max_feature_correlation",
]
CHURNS = ["churn", "turnover", "neutral_churn", "neutral_churn_penalty"]


def _score(inp: dict[str, pd.DataFrame], *, min_tickers: int = 100) -> pd.DataFrame:
    dates = np.sort(inp["signal"]["date"].unique())
    frames = {
        "signal": inp["signal"],
        "targets": inp["targets"].rename(columns={"target": "targets"}),
        "meta_model": inp["meta_model"],
        "sample_weights": inp["sample_weights"],
    }
    mats = {
        name: (inp[name], [c for c in inp[name].columns if c.startswith(prefix)])
        for name, prefix in (("neutralizers", "neutralizer"), ("features", "feature"))
    }
    block = make_block(dates, frames, ID, matrices=mats)
    table, state = score_block(block, min_tickers=min_tickers)
    pairs = churn_pairs(state, dates)
    for c in CHURNS:
        table[c] = pairs[c].to_numpy()
    return table


def _compare(ours: pd.DataFrame, ref: pd.DataFrame, columns: list[str]) -> int:
    compared = 0
    for col in columns:
        a, b = ours[col].to_numpy(float), ref[col].to_numpy(float)
        both = ~np.isnan(a) & ~np.isnan(b)
        np.testing.assert_allclose(a[both], b[both], rtol=0, atol=1e-9, err_msg=col)
        # where numerai-tools refuses (NaN), tickermap must not give a number
        assert not (np.isnan(b) & ~np.isnan(a)).any(), col
        compared += int(both.sum())
    return compared


@pytest.mark.parametrize("seed", range(6))
def test_scores_equal_numerai_tools_with_ties_nan_and_missing_tickers(seed: int) -> None:
    inp = make_inputs(seed, small_date=2 if seed % 2 else None)
    ours, ref = _score(inp), reference(inp)
    assert _compare(ours, ref, SCORES) >= 5 * len(SCORES)
    if seed % 2:  # the 60-ticker date: numerai-tools scores it, tickermap says why not
        assert ours.loc[2, SCORES].isna().all()
        assert "too_few_tickers" in ours.loc[2, "reasons"]
        assert not np.isnan(ref.loc[2, "numerai_corr"])


@pytest.mark.parametrize("seed", range(4))
def test_churn_turnover_neutral_churn_equal_numerai_tools(seed: int) -> None:
    inp = make_inputs(seed + 10, holes=False)
    if seed % 2:  # tickers missing from neutralizers: numerai-tools filters them
        neu = inp["neutralizers"]
        inp["neutralizers"] = neu.drop(neu.index[::17]).reset_index(drop=True)
    ours, ref = _score(inp), reference(inp)
    assert _compare(ours, ref, CHURNS) >= 4 * 4
    assert np.isnan(ours.loc[0, "churn"])  # no previous date


def test_nan_signal_is_an_invalid_submission_for_churn() -> None:
    inp = make_inputs(3, holes=True)
    ours, ref = _score(inp), reference(inp)
    _compare(ours, ref, CHURNS)
    assert ours["churn"].isna().all()
    assert ref["churn"].isna().all()  # numerai-tools refuses a NaN submission


def test_low_overlap_is_nan_with_reason() -> None:
    inp = make_inputs(5, n_tickers=600, n_dates=3, holes=False)
    t = inp["targets"]
    inp["targets"] = t[(t["date"] != t["date"].iloc[0]) | (t.index % 3 == 0)]
    ours, ref = _score(inp), reference(inp)
    assert np.isnan(ref.loc[0, "numerai_corr"])  # numerai-tools raises
    assert np.isnan(ours.loc[0, "numerai_corr"])
    assert "numerai_corr: low_overlap" in ours.loc[0, "reasons"]
    _compare(ours, ref, SCORES)


def test_constant_signal_gives_nan_with_reason() -> None:
    inp = make_inputs(6, holes=False)
    s = inp["signal"]
    s.loc[s["date"] == s["date"].iloc[0], "signal"] = 0.5
    ours = _score(inp)
    assert np.isnan(ours.loc[0, "numerai_corr"])
    assert "constant" in ours.loc[0, "reasons"]


def test_many_neutralizers_and_collinear_columns() -> None:
    inp = make_inputs(7, n_neutralizers=30, holes=False)
    neu = inp["neutralizers"]
    neu["neutralizer_dup"] = neu["neutralizer_0"] * 2 + neu["neutralizer_1"]  # rank deficient
    ours, ref = _score(inp), reference(inp)
    assert _compare(ours, ref, ["neutral_correlation", "neutral_contribution", "neutral_churn"])


def test_signal_column_detection() -> None:
    assert detect_signal_column(["date", ID, "signal"], None) == "signal"
    assert detect_signal_column(["date", ID, "prediction"], None) == "prediction"
    assert detect_signal_column(["date", ID, "x", "signal"], "x") == "x"
    with pytest.raises(InputError, match="signal-column"):
        detect_signal_column(["date", ID, "prediction", "signal"], None)
    with pytest.raises(InputError, match="no column 'y'"):
        detect_signal_column(["date", ID, "signal"], "y")
