"""Churn between consecutive dates, checked against numerai-tools ``signals.churn``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numerai_tools import signals

from tickermap.errors import AnalysisError
from tickermap.exposure.churn import churn, summarize_churn


def weekly(seed=0, n_dates=5, universe=80, n=70):
    rng = np.random.default_rng(seed)
    rows = []
    latent = rng.normal(size=universe)
    for d in range(n_dates):
        latent = 0.8 * latent + 0.6 * rng.normal(size=universe)
        for i in rng.choice(universe, n, replace=False):
            rows.append(
                (
                    pd.Timestamp("2024-03-01") + pd.Timedelta(weeks=d),
                    f"T{i:03d}",
                    round(float(latent[i]), 1),
                )
            )
    return pd.DataFrame(rows, columns=["date", "numerai_ticker", "signal"])


def series(frame, date):
    g = frame[frame["date"] == date]
    return g.set_index("numerai_ticker")["signal"].sort_index()


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_numerai_tools(seed):
    frame = weekly(seed)
    got = churn(frame, top_n=10)
    dates = sorted(frame["date"].unique())
    assert got["date"].tolist() == dates[1:]
    for row, prev, cur in zip(got.itertuples(), dates[:-1], dates[1:], strict=True):
        s1, s2 = series(frame, prev), series(frame, cur)
        assert row.churn == pytest.approx(signals.churn(s1, s2), abs=1e-9)
        assert row.churn_top_bottom == pytest.approx(
            signals.churn(s1, s2, top_bottom=10), abs=1e-12
        )
        common = s1.index.intersection(s2.index)
        assert row.n_common == len(common)
        assert row.overlap == pytest.approx(min(len(common) / len(s1), len(common) / len(s2)))
        assert row.reason == "ok"


def test_low_overlap_is_flagged_not_hidden():
    frame = weekly(2, n_dates=2, universe=200, n=60)
    got = churn(frame)
    assert got["reason"].tolist() == ["low_overlap"]
    assert got["churn"].notna().all()
    with pytest.raises(AssertionError):
        s1, s2 = (series(frame, d) for d in sorted(frame["date"].unique()))
        signals.churn(s1, s2)


def test_constant_and_reversed():
    d1, d2, d3 = "2024-01-05", "2024-01-12", "2024-01-19"
    frame = pd.DataFrame(
        {
            "date": [d1] * 4 + [d2] * 4 + [d3] * 4,
            "k": list("abcd") * 3,
            "signal": [1.0, 2, 3, 4, 4, 3, 2, 1, 5, 5, 5, 5],
        }
    )
    got = churn(frame)
    assert got["churn"].iloc[0] == pytest.approx(2.0)
    assert got["reason"].tolist() == ["ok", "constant_signal"]
    assert np.isnan(got["churn"].iloc[1])


def test_top_n_too_large_and_bad_input():
    frame = weekly(3, n_dates=2, n=12, universe=12)
    got = churn(frame, top_n=7)
    assert got["churn_top_bottom"].isna().all()
    assert got["reason"].tolist() == ["too_few_tickers"]
    with pytest.raises(AnalysisError, match="duplicate"):
        churn(pd.concat([frame, frame.iloc[:1]]))
    with pytest.raises(AnalysisError, match="top_n"):
        churn(frame, top_n=0)


def test_summary_against_naive():
    per = churn(weekly(4, n_dates=6), top_n=5)
    summ = summarize_churn(per).set_index("metric")
    v = per["churn"].dropna().tolist()
    assert summ.loc["churn", "mean"] == pytest.approx(sum(v) / len(v))
    assert summ.loc["churn", "max"] == pytest.approx(max(v))
    assert summ.loc["churn", "latest"] == pytest.approx(v[-1])


def test_scale_top_n_uses_half_the_smaller_date_like_numerai_tools():
    # dates with 70 tickers, the last with 60: N 50 cannot fit, N = 35 (30 for the last pair)
    frame = weekly(5, n_dates=4, universe=70, n=70)
    last = frame["date"].max()
    frame = frame[(frame["date"] != last) | (frame["numerai_ticker"] < "T060")]  # 60 tickers
    got = churn(frame, top_n=50, scale_top_n=True)
    plain = churn(frame, top_n=50)
    assert plain["churn_top_bottom"].isna().all() and plain["top_n"].isna().all()
    dates = sorted(frame["date"].unique())
    for row, prev, cur in zip(got.itertuples(), dates[:-1], dates[1:], strict=True):
        s1, s2 = series(frame, prev), series(frame, cur)
        n = min(len(s1), len(s2)) // 2
        assert row.top_n == n and row.reason == "ok"
        assert row.churn_top_bottom == pytest.approx(signals.churn(s1, s2, top_bottom=n), abs=1e-12)
    assert got["top_n"].tolist() == [35, 35, 30]
    assert summarize_churn(got).set_index("metric").loc["churn_top_bottom", "top_n"] == "30-35"
    # a large enough N is left alone, so the scaled and plain results agree
    small = churn(frame, top_n=10, scale_top_n=True)
    pd.testing.assert_frame_equal(small, churn(frame, top_n=10))
    assert set(small["top_n"]) == {10}
