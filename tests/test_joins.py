"""Joining a signal to features through the cleaned universe."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from tickermap.errors import AnalysisError
from tickermap.exposure.joins import DEFAULT_EXCLUDED_STATUSES, join_through_universe

D1, D2 = pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-12")


def universe():
    return pd.DataFrame(
        {
            "bloomberg_ticker": [
                "AAPL US",
                "000660 KS",
                "VOD LN",
                "ACMR US",
                "ABBN SW",
                "DUP US",
                "DUP US",
                "NOY US",
            ],
            "status": ["ok", "ok", "renamed", "ticker_reused", "ok", "ok", "ok", "ok"],
            "yahoo": ["AAPL", "000660.KS", "VOD.L", "ACMR", "ABBN.SW", "DUP1", "DUP2", None],
            "composite_figi": ["BBG000B9XRY4", None, None, None, None, None, None, None],
        }
    )


def signal():
    tickers = [
        "AAPL US",
        "000660 KR",
        "VOD GB",
        "ACMR US",
        "ABBN CH",
        "DUP US",
        "NOY US",
        "ZZZ US",
        "AAPL US",
    ]
    keycol = "numerai_ticker"
    return pd.DataFrame(
        {"date": [D1] * 8 + [D2], keycol: tickers, "signal": [float(i) for i in range(9)]}
    )


def features():
    return pd.DataFrame(
        {
            "date": [D1] * 6 + [D2],
            "yahoo": ["AAPL", "000660.KS", "VOD.L", "ACMR", "DUP1", "ZZZ", "AAPL"],
            "x": range(7),
        }
    )


def test_through_universe_with_reasons():
    sig = signal()
    # ISO country codes (KR, GB, CH) must be converted to Bloomberg (KS, LN, SW) first
    result = join_through_universe(
        sig, features(), universe=universe(), signal_key="numerai_ticker", features_key="yahoo"
    )
    assert result.key == "yahoo"
    got = dict(zip(result.frame["yahoo"], result.frame["signal"], strict=False))
    assert set(result.frame.loc[result.frame["date"] == D1, "yahoo"]) == {
        "AAPL",
        "000660.KS",
        "VOD.L",
    }
    assert got["000660.KS"] == 1.0
    reasons = dict(zip(result.unmatched["numerai_ticker"], result.unmatched["reason"], strict=True))
    assert reasons == {
        "ACMR US": "excluded_status:ticker_reused",
        "ABBN CH": "no_feature_row",
        "DUP US": "ambiguous_in_universe",
        "NOY US": "no_yahoo_in_universe",
        "ZZZ US": "not_in_universe",
    }
    cov = result.coverage.set_index("date")
    assert cov.loc[D1, "signal_rows"] == 8 and cov.loc[D1, "matched"] == 3
    assert cov.loc[D1, "coverage"] == pytest.approx(3 / 8)
    assert bool(cov.loc[D1, "low_coverage"]) and not bool(cov.loc[D2, "low_coverage"])


def test_low_coverage_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="tickermap.exposure.joins"):
        join_through_universe(
            signal(),
            features(),
            universe=universe(),
            signal_key="numerai_ticker",
            features_key="yahoo",
        )
    assert "coverage under 80%" in caplog.text


def test_without_universe_needs_same_key_or_iso_pair():
    sig = pd.DataFrame(
        {"date": [D1, D1], "numerai_ticker": ["000660 KR", "BAD"], "signal": [1.0, 2.0]}
    )
    feat = pd.DataFrame({"date": [D1], "bloomberg_ticker": ["000660 KS"], "x": [1.0]})
    r = join_through_universe(
        sig, feat, signal_key="numerai_ticker", features_key="bloomberg_ticker"
    )
    assert r.frame["bloomberg_ticker"].tolist() == ["000660 KS"]
    assert r.unmatched["reason"].tolist() == ["unparseable_ticker"]
    with pytest.raises(AnalysisError, match="universe"):
        join_through_universe(
            sig,
            feat.rename(columns={"bloomberg_ticker": "yahoo"}),
            signal_key="numerai_ticker",
            features_key="yahoo",
        )


def test_excluded_statuses_is_a_parameter():
    assert "ticker_reused" in DEFAULT_EXCLUDED_STATUSES
    r = join_through_universe(
        signal(),
        features(),
        universe=universe(),
        signal_key="numerai_ticker",
        features_key="yahoo",
        exclude_statuses=(),
    )
    assert "ACMR" in set(r.frame["yahoo"])


def test_two_signal_keys_onto_one_feature_row_keep_one():
    uni = pd.DataFrame(
        {"bloomberg_ticker": ["A US", "B US"], "status": ["ok", "ok"], "yahoo": ["A", "A"]}
    )
    sig = pd.DataFrame(
        {"date": [D1, D1], "bloomberg_ticker": ["A US", "B US"], "signal": [1.0, 2.0]}
    )
    feat = pd.DataFrame({"date": [D1], "yahoo": ["A"], "x": [1.0]})
    r = join_through_universe(
        sig, feat, universe=uni, signal_key="bloomberg_ticker", features_key="yahoo"
    )
    assert len(r.frame) == 1
    assert r.unmatched["reason"].tolist() == ["duplicate_target"]


def test_date_types_must_agree():
    sig = signal()
    feat = features().assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d"))
    with pytest.raises(AnalysisError, match="different types"):
        join_through_universe(
            sig, feat, universe=universe(), signal_key="numerai_ticker", features_key="yahoo"
        )


def test_datetime_units_are_reconciled_but_text_dates_are_not() -> None:
    dates = pd.to_datetime(["2024-01-05", "2024-01-12"])
    signal = pd.DataFrame(
        {
            "date": dates.astype("datetime64[us]"),
            "bloomberg_ticker": ["A US", "A US"],
            "signal": [0.1, 0.2],
        }
    )
    features = pd.DataFrame(
        {
            "date": dates.astype("datetime64[ns]"),
            "bloomberg_ticker": ["A US", "A US"],
            "f": [1.0, 2.0],
        }
    )
    joined = join_through_universe(
        signal, features, signal_key="bloomberg_ticker", features_key="bloomberg_ticker"
    )
    assert len(joined.frame) == 2
    assert joined.frame["date"].dtype == features["date"].dtype
    with pytest.raises(AnalysisError, match="different types"):
        join_through_universe(
            signal.assign(date=["2024-01-05", "2024-01-12"]),
            features,
            signal_key="bloomberg_ticker",
            features_key="bloomberg_ticker",
        )
