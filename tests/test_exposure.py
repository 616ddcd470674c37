"""Per-date exposures and summaries, checked against numerai-tools and naive loops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numerai_tools import scoring

from tickermap.errors import AnalysisError
from tickermap.exposure.per_date import (
    group_rank,
    numerai_transform,
    per_date_exposures,
    summarize_exposures,
)


def make_frames(seed=0, n_dates=6, n_tickers=40, n_features=4, nan_share=0.1, ties=True):
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_dates):
        # a varying universe per date, keys in shuffled order
        tickers = rng.choice([f"T{i:03d} US" for i in range(n_tickers + 10)], n_tickers, False)
        for t in tickers:
            rows.append((pd.Timestamp("2024-01-05") + pd.Timedelta(weeks=d), t))
    base = pd.DataFrame(rows, columns=["date", "bloomberg_ticker"])
    sig = base.copy()
    values = rng.normal(size=len(base))
    if ties:
        values = np.round(values, 1)  # many ties
    sig["signal"] = values
    feat = base.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    for j in range(n_features):
        col = rng.normal(size=len(feat)) * 10**j
        if ties and j % 2 == 0:
            col = np.round(col / 10**j, 0) * 10**j
        col[rng.random(len(feat)) < nan_share * (j % 3)] = np.nan
        feat[f"f{j}"] = col
    return sig, feat


def reference(sig, feat, method, feature_pow15=False):
    """The per-date numerai-tools loop (the definition we must match)."""
    merged = sig.merge(feat, on=["date", "bloomberg_ticker"])
    out = {}
    for d, g in merged.groupby("date"):
        g = g.set_index("bloomberg_ticker")
        for col in [c for c in feat.columns if c.startswith("f")]:
            if method == "numerai":
                r = scoring.numerai_corr(
                    g[["signal"]],
                    g[col],
                    max_filtered_index_ratio=1.0,
                    target_pow15=feature_pow15,
                )["signal"]
            else:
                t, p = scoring.filter_sort_index(g[col], g["signal"], 1.0)
                r = scoring.spearman_correlation(t, p)
            out[(d, col)] = r
    return pd.Series(out)


@pytest.mark.parametrize("method", ["numerai", "spearman"])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_numerai_tools_with_ties_and_nan(method, seed):
    sig, feat = make_frames(seed)
    got = per_date_exposures(sig, feat, method=method, min_tickers=2)
    got = got.set_index(["date", "feature"])["exposure"]
    ref = reference(sig, feat, method)
    ref.index.names = ["date", "feature"]
    got = got.reindex(ref.index)
    assert got.notna().all()
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=0, atol=1e-9)


def test_feature_pow15_matches_target_pow15():
    sig, feat = make_frames(3, nan_share=0.0)
    got = per_date_exposures(sig, feat, method="numerai", min_tickers=2, feature_pow15=True)
    got = got.set_index(["date", "feature"])["exposure"]
    ref = reference(sig, feat, "numerai", feature_pow15=True)
    np.testing.assert_allclose(got.reindex(ref.index).to_numpy(), ref.to_numpy(), atol=1e-9)


def test_group_rank_matches_pandas():
    rng = np.random.default_rng(5)
    codes = np.sort(rng.integers(0, 7, 300))
    values = np.round(rng.normal(size=300), 1)
    values[rng.random(300) < 0.1] = np.nan
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    expected = pd.Series(values).groupby(codes).rank(method="average").to_numpy()
    np.testing.assert_allclose(group_rank(values, codes, starts), expected, equal_nan=True)


def test_numerai_transform_matches_numerai_tools():
    rng = np.random.default_rng(2)
    values = np.round(rng.normal(size=50), 1)
    s = pd.DataFrame({"s": values}, index=[f"k{i:02d}" for i in range(50)])
    expected = scoring.tie_kept_rank__gaussianize__pow_1_5(s)["s"].to_numpy()
    got = numerai_transform(values, np.zeros(50, np.int64), np.array([0]))
    np.testing.assert_allclose(got, expected, atol=1e-12)


def small(signal, feature, date="2024-01-05"):
    n = len(signal)
    keys = [f"K{i}" for i in range(n)]
    s = pd.DataFrame({"date": date, "ticker": keys, "signal": signal})
    f = pd.DataFrame({"date": date, "ticker": keys, "x": feature})
    return s, f


def test_constant_signal_gives_nan_with_reason():
    s, f = small([1.0] * 12, list(np.arange(12.0)))
    out = per_date_exposures(s, f, method="numerai")
    assert out["exposure"].isna().all()
    assert out["reason"].tolist() == ["constant_signal"]


def test_constant_feature_with_inexact_float_sum_is_nan():
    s, f = small(list(np.arange(12.0)), [0.1] * 12)
    out = per_date_exposures(s, f, method="numerai")
    assert out["reason"].tolist() == ["constant_feature"]
    assert out["exposure"].isna().all()


def test_too_few_tickers_and_feature_missing():
    s1, f1 = small(list(np.arange(5.0)), list(np.arange(5.0)), "2024-01-05")
    s2, f2 = small(list(np.arange(12.0)), [np.nan] * 12, "2024-01-12")
    out = per_date_exposures(pd.concat([s1, s2]), pd.concat([f1, f2]), method="spearman")
    assert out["reason"].tolist() == ["too_few_tickers", "feature_missing"]
    assert out["n_tickers"].tolist() == [5, 0]
    assert out["exposure"].isna().all()


def test_large_scale_feature_is_stable():
    rng = np.random.default_rng(9)
    sig = rng.normal(size=200)
    mcap = 1e12 + rng.normal(size=200) * 1e3  # huge offset, small spread
    s, f = small(list(sig), list(mcap))
    got = per_date_exposures(s, f, method="numerai")["exposure"].iloc[0]
    ref = scoring.numerai_corr(
        s.set_index("ticker")[["signal"]], f.set_index("ticker")["x"], target_pow15=False
    )["signal"]
    assert abs(got - ref) < 1e-9


def test_duplicate_rows_raise():
    s, f = small(list(np.arange(12.0)), list(np.arange(12.0)))
    with pytest.raises(AnalysisError, match="duplicate"):
        per_date_exposures(pd.concat([s, s.iloc[:1]]), f, method="numerai")


def test_non_numeric_feature_raises():
    s, f = small(list(np.arange(12.0)), list(np.arange(12.0)))
    f["x"] = f["x"].astype(str)
    with pytest.raises(AnalysisError, match="not numeric"):
        per_date_exposures(s, f, method="numerai", columns=["x"])


def test_summary_against_naive():
    sig, feat = make_frames(4, n_dates=8)
    per = per_date_exposures(sig, feat, method="numerai", min_tickers=2)
    summ = summarize_exposures(per).set_index("feature")
    for name, g in per.groupby("feature"):
        v = g.sort_values("date")["exposure"].dropna().to_list()
        mean = sum(v) / len(v)
        std = (sum((x - mean) ** 2 for x in v) / len(v)) ** 0.5
        row = summ.loc[name]
        assert row["mean"] == pytest.approx(mean)
        assert row["std"] == pytest.approx(std)
        assert row["sharpe"] == pytest.approx(mean / std)
        assert row["positive_share"] == pytest.approx(sum(x > 0 for x in v) / len(v))
        assert row["latest"] == pytest.approx(v[-1])
        assert row["max_abs"] == pytest.approx(max(abs(x) for x in v))
    assert list(summ["mean"]) == sorted(summ["mean"], reverse=True)


# --- end to end: run_exposure and the CLI -------------------------------------------------


def write_inputs(tmp_path, fmt="csv"):
    sig, feat = make_frames(7, n_dates=5, n_tickers=30, n_features=3, nan_share=0.05)
    feat = feat.rename(columns={"bloomberg_ticker": "yahoo"})
    feat["yahoo"] = feat["yahoo"].str.replace(" US", "", regex=False)
    feat["usd_market_cap"] = np.exp(np.random.default_rng(1).normal(20, 1, len(feat)))
    uni = pd.DataFrame({"bloomberg_ticker": sorted(sig["bloomberg_ticker"].unique())})
    uni["status"] = "ok"
    uni["yahoo"] = uni["bloomberg_ticker"].str.replace(" US", "", regex=False)
    paths = {}
    for name, frame in (("signal", sig), ("features", feat), ("universe", uni)):
        path = tmp_path / f"{name}.{fmt if name != 'universe' else 'csv'}"
        if path.suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        paths[name] = path
    return paths, sig, feat


def test_cli_end_to_end_matches_library(tmp_path):
    from typer.testing import CliRunner

    from tickermap.cli import app

    paths, sig, feat = write_inputs(tmp_path)
    out = tmp_path / "exp.csv"
    result = CliRunner().invoke(
        app,
        [
            "exposure",
            "--signal",
            str(paths["signal"]),
            "--features",
            str(paths["features"]),
            "--universe",
            str(paths["universe"]),
            "--out",
            str(out),
            "--plot",
            str(tmp_path / "e.png"),
            "--report",
            str(tmp_path / "e.html"),
            "--neutralize",
            "size",
            "--top-n",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    per = pd.read_csv(tmp_path / "exp.per_date.csv", parse_dates=["date"])
    raw = per[(per["stage"] == "raw") & (per["method"] == "numerai")]
    direct = per_date_exposures(
        sig,
        feat.rename(columns={"yahoo": "y"})
        .assign(bloomberg_ticker=lambda f: f["y"] + " US")
        .drop(columns="y"),
        method="numerai",
        columns=["f0", "f1", "f2", "usd_market_cap"],
    )
    merged = raw.merge(direct, on=["date", "feature"], suffixes=("", "_d"))
    assert len(merged) == len(direct)
    np.testing.assert_allclose(merged["exposure"], merged["exposure_d"], atol=1e-9)
    assert (tmp_path / "e.png").read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64," in (tmp_path / "e.html").read_text()
    for suffix in ("coverage", "unmatched", "churn"):
        assert (tmp_path / f"exp.{suffix}.csv").is_file()
    neutral = per[(per["stage"] == "neutralized") & (per["feature"] == "usd_market_cap")]
    assert (
        neutral["exposure"].abs().mean()
        < raw[raw["feature"] == "usd_market_cap"]["exposure"].abs().mean()
    )


def test_cli_bad_number_names_line_and_column(tmp_path):
    from typer.testing import CliRunner

    from tickermap.cli import app

    paths, _, _ = write_inputs(tmp_path)
    lines = paths["features"].read_text().splitlines()
    cells = lines[4].split(",")
    cells[2] = "abc"
    lines[4] = ",".join(cells)
    paths["features"].write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        app,
        [
            "exposure",
            "--signal",
            str(paths["signal"]),
            "--features",
            str(paths["features"]),
            "--universe",
            str(paths["universe"]),
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert result.exit_code == 3
    text = " ".join(result.output.split())  # rich wraps long lines
    assert "line 5" in text and "'abc'" in text and "'f0'" in text


def test_duplicate_signal_row_is_an_input_error(tmp_path):
    from tickermap.errors import InputError
    from tickermap.exposure.run import run_exposure

    paths, sig, _ = write_inputs(tmp_path)
    pd.concat([sig, sig.iloc[[3]]]).to_csv(paths["signal"], index=False)
    with pytest.raises(InputError, match="duplicate") as info:
        run_exposure(paths["signal"], paths["features"], universe_path=paths["universe"])
    assert info.value.line == len(sig) + 2


def test_streaming_gives_the_same_numbers(tmp_path, monkeypatch):
    from tickermap.exposure import inputs
    from tickermap.exposure import run as report

    paths, _, _ = write_inputs(tmp_path, fmt="parquet")
    whole = report.run_exposure(
        paths["signal"], paths["features"], universe_path=paths["universe"], neutralize_to=["size"]
    )
    monkeypatch.setattr(inputs, "DATES_PER_BATCH", 2)
    streamed = report.run_exposure(
        paths["signal"],
        paths["features"],
        universe_path=paths["universe"],
        neutralize_to=["size"],
        stream=True,
    )
    keys = ["stage", "method", "feature", "date"]
    a = whole.per_date.sort_values(keys).reset_index(drop=True)
    b = streamed.per_date.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


# --- the bundled sample: signal by Bloomberg ticker, features by Yahoo symbol ---------------


def test_sample_cli_joins_bloomberg_signal_to_yahoo_features(tmp_path):
    from scipy.stats import spearmanr
    from typer.testing import CliRunner

    from tests.test_features import sample_universe
    from tickermap.cli import app
    from tickermap.resources import sample_path

    if not all(sample_path(n).is_file() for n in ("prices.parquet", "signal.parquet", "fx.csv")):
        pytest.skip("sample data not generated yet (scripts/make_sample_data.py)")
    universe = sample_universe()
    universe.loc[universe["bloomberg_ticker"] == "DUAL US", "status"] = "ambiguous"
    universe.loc[universe["bloomberg_ticker"] == "HEI US", "yahoo"] = None
    universe.to_csv(tmp_path / "u.csv", index=False)
    feats = tmp_path / "f.parquet"
    runner = CliRunner()
    args = [str(sample_path("prices.parquet")), "--key", "yahoo", "--fx"]
    result = runner.invoke(app, ["features", *args, str(sample_path("fx.csv")), "-o", str(feats)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        [
            "exposure",
            "--signal",
            str(sample_path("signal.parquet")),
            "--signal-key",
            "bloomberg_ticker",
            "--features",
            str(feats),
            "--features-key",
            "yahoo",
            "--universe",
            str(tmp_path / "u.csv"),
            "--out",
            str(tmp_path / "exp.csv"),
            "--method",
            "spearman",
            "--top-n",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    signal = pd.read_parquet(sample_path("signal.parquet"))
    coverage = pd.read_csv(tmp_path / "exp.coverage.csv")
    n = signal.groupby("date").size().to_numpy()
    assert (coverage["signal_rows"] == n).all() and (coverage["matched"] == n - 2).all()
    unmatched = pd.read_csv(tmp_path / "exp.unmatched.csv")
    assert dict(unmatched.groupby("bloomberg_ticker")["reason"].first()) == {
        "DUAL US": "excluded_status:ambiguous",
        "HEI US": "no_yahoo_in_universe",
    }
    # naive: the signal re-keyed by hand, scipy Spearman per date
    usable = universe[(universe["status"] == "ok") & universe["yahoo"].notna()]
    merged = signal.merge(usable[["bloomberg_ticker", "yahoo"]], on="bloomberg_ticker")
    features = pd.read_parquet(feats)
    merged["date"] = merged["date"].astype(features["date"].dtype)
    merged = merged.merge(features, on=["date", "yahoo"])
    per = pd.read_csv(tmp_path / "exp.per_date.csv", parse_dates=["date"])
    per = per[per["stage"] == "raw"]
    for feature in ("short_term_return", "usd_market_cap", "residual_volatility"):
        expected = merged.groupby("date").apply(
            lambda g, f=feature: spearmanr(g["signal"], g[f]).statistic
        )
        got = per[per["feature"] == feature].set_index("date")["exposure"]
        np.testing.assert_allclose(got.loc[expected.index], expected.to_numpy(), atol=1e-9)
