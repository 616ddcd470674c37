"""Tests for tickermap.features.compute / indicators / prices: parity with `ta`, naive loops, bad
input."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import ta
from scipy.stats import rankdata, spearmanr
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.errors import AnalysisError, ConfigError, InputError
from tickermap.exposure.joins import join_through_universe
from tickermap.features.compute import (
    FEATURE_COLUMNS,
    FeatureSpec,
    compute_features,
    countries_from_keys,
)
from tickermap.features.prices import load_fx, load_prices, validate_prices
from tickermap.progress import RecordingProgress
from tickermap.resources import sample_path
from tickermap.tickers.exchanges import load_exchanges
from tickermap.tickers.symbols import bloomberg_to_yahoo

KEY = "bloomberg_ticker"
SMALL = FeatureSpec(high_window=30, resid_vol_window=25)


def random_prices(n_tickers: int = 6, n_days: int = 160, seed: int = 1) -> pd.DataFrame:
    """Random-walk OHLCV with a common market factor, long format."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2023-01-02", periods=n_days)
    market = rng.normal(0, 0.01, n_days)
    rows = []
    for i in range(n_tickers):
        ret = 0.8 * market + rng.normal(0, 0.02, n_days)
        close = 20.0 * (i + 1) * np.exp(np.cumsum(ret))
        open_ = close * np.exp(rng.normal(0, 0.005, n_days))
        high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.01, n_days)))
        low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.01, n_days)))
        vol = rng.lognormal(12, 0.5, n_days)
        rows.append(
            pd.DataFrame(
                {
                    "date": dates,
                    KEY: f"T{i} US",
                    "open": open_,
                    "high": high,
                    "low": low,
                    "close": close,
                    "volume": vol,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def per_ticker(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    return frame[frame[KEY] == ticker].sort_values("date").reset_index(drop=True)


def assert_close(actual: pd.Series, expected: pd.Series, atol: float = 1e-9) -> None:
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(e))
    np.testing.assert_allclose(a, e, atol=atol, rtol=0, equal_nan=True)


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return random_prices()


@pytest.fixture(scope="module")
def features(prices: pd.DataFrame) -> pd.DataFrame:
    return compute_features(prices, spec=SMALL, country_from="none")


# ---------- parity with `ta` -------------------------------------------------------------------


def ta_reference(p: pd.DataFrame, spec: FeatureSpec) -> dict[str, pd.Series]:
    h, lo, c = p["high"], p["low"], p["close"]
    return {
        "williams_r": ta.momentum.WilliamsRIndicator(
            h, lo, c, lbp=spec.williams_r_window
        ).williams_r(),
        "trix": ta.trend.TRIXIndicator(c, window=spec.trix_window).trix(),
        "bollinger_pband": ta.volatility.BollingerBands(
            c, window=spec.bollinger_window, window_dev=spec.bollinger_std
        ).bollinger_pband(),
        "cci": ta.trend.CCIIndicator(
            h, lo, c, window=spec.cci_window, constant=spec.cci_constant
        ).cci(),
    }


@pytest.mark.parametrize(
    "spec",
    [
        FeatureSpec(),
        FeatureSpec(
            williams_r_window=5,
            trix_window=30,
            bollinger_window=10,
            bollinger_std=1.5,
            cci_window=14,
        ),
    ],
)
def test_matches_ta_per_ticker(prices: pd.DataFrame, spec: FeatureSpec) -> None:
    got = compute_features(prices, spec=spec, country_from="none")
    for ticker in prices[KEY].unique():
        mine = per_ticker(got, ticker)
        for name, expected in ta_reference(per_ticker(prices, ticker), spec).items():
            assert mine[name].notna().sum() > 50, name
            assert_close(mine[name], expected)


def test_new_listing_matches_ta_on_its_own_history(prices: pd.DataFrame) -> None:
    late = prices[~((prices[KEY] == "T2 US") & (prices["date"] < prices["date"].iloc[40]))]
    got = per_ticker(compute_features(late, country_from="none"), "T2 US")
    for name, expected in ta_reference(per_ticker(late, "T2 US"), FeatureSpec()).items():
        assert_close(got[name], expected)


def test_gap_gives_nan_then_recovers(prices: pd.DataFrame) -> None:
    dates = sorted(prices["date"].unique())
    gap = dates[80]
    holed = prices[~((prices[KEY] == "T1 US") & (prices["date"] == gap))]
    full = per_ticker(compute_features(prices, country_from="none"), "T1 US").set_index("date")
    got = per_ticker(compute_features(holed, country_from="none"), "T1 US").set_index("date")
    assert gap not in got.index
    after = [d for d in dates if d > gap]
    # rolling windows that contain the gap are empty, later ones equal the gap-free values
    for name, window in (("bollinger_pband", 20), ("cci", 20), ("williams_r", 14)):
        assert got.loc[after[: window - 1], name].isna().all(), name
        assert_close(got.loc[after[window:], name], full.loc[after[window:], name])
    # other tickers are untouched
    others = compute_features(holed, country_from="none")
    ref = compute_features(prices, country_from="none")
    mask = others[KEY] != "T1 US"
    assert_close(others.loc[mask, "cci"], ref.loc[ref[KEY] != "T1 US", "cci"])


def test_trix_skips_a_gap_like_ta_on_the_tickers_own_rows(prices: pd.DataFrame) -> None:
    dates = sorted(prices["date"].unique())
    holed = prices[~((prices[KEY] == "T4 US") & (prices["date"] == dates[90]))]
    got = per_ticker(compute_features(holed, country_from="none"), "T4 US")
    own = per_ticker(holed, "T4 US")
    expected = ta.trend.TRIXIndicator(own["close"], window=15).trix()
    after_gap = got.index[got["date"] == dates[91]]
    assert got.loc[after_gap, "trix"].isna().all()
    expected.loc[after_gap] = np.nan  # the one-day change across the gap is left empty
    assert_close(got["trix"], expected)


# ---------- naive loops for the features `ta` does not have -------------------------------------


def test_price_to_high_and_volume_volatility_naive(prices: pd.DataFrame, features) -> None:
    for ticker in prices[KEY].unique():
        p = per_ticker(prices, ticker)
        f = per_ticker(features, ticker)
        for t in range(len(p)):
            hw, vw, rw = SMALL.high_window, SMALL.volvol_window, SMALL.return_window
            exp_high = (
                p["close"][t] / max(p["high"][t - hw + 1 : t + 1]) if t >= hw - 1 else math.nan
            )
            vols = list(p["volume"][t - vw + 1 : t + 1])
            exp_vv = float(np.std(vols, ddof=1)) / p["close"][t] if t >= vw - 1 else math.nan
            exp_ret = p["close"][t] / p["close"][t - rw] - 1 if t >= rw else math.nan
            assert_close([f["price_to_52w_high"][t]], [exp_high], atol=1e-12)
            assert_close(
                [f["volume_volatility_to_price"][t]],
                [exp_vv],
                atol=1e-9 * exp_vv if t >= vw - 1 else 0,
            )
            assert_close([f["short_term_return"][t]], [exp_ret], atol=1e-12)


def test_residual_volatility_against_lstsq(prices: pd.DataFrame, features) -> None:
    wide = prices.pivot(index="date", columns=KEY, values="close")
    returns = wide / wide.shift(1) - 1
    market = returns.mean(axis=1)
    n = SMALL.resid_vol_window
    checked = 0
    for ticker in ["T0 US", "T3 US"]:
        f = per_ticker(features, ticker)
        r = returns[ticker].to_numpy()
        for t in range(len(r)):
            window = slice(t - n + 1, t + 1)
            if t - n + 1 < 1:
                assert math.isnan(f["residual_volatility"][t])
                continue
            x = np.column_stack([np.ones(n), market.to_numpy()[window]])
            beta, *_ = np.linalg.lstsq(x, r[window], rcond=None)
            resid = r[window] - x @ beta
            expected = math.sqrt(float(resid @ resid) / (n - 2))
            assert abs(f["residual_volatility"][t] - expected) < 1e-9
            checked += 1
    assert checked > 100


def test_market_cap_with_fx_and_minor_units(prices: pd.DataFrame) -> None:
    p = prices.copy()
    currencies = {
        "T0 US": "USD",
        "T1 US": "GBp",
        "T2 US": "EUR",
        "T3 US": "GBP",
        "T4 US": "EUR",
        "T5 US": "JPY",
    }
    p["currency"] = p[KEY].map(currencies)
    p["shares_outstanding"] = p[KEY].str[1].astype(float) * 1e6 + 1e5
    dates = sorted(p["date"].unique())
    fx_rows = [
        (d, c, r)
        for i, d in enumerate(dates[::3])
        for c, r in (("GBP", 1.25 + i / 1000), ("EUR", 1.1 - i / 1000))
    ]
    fx = pd.DataFrame(fx_rows, columns=["date", "currency", "usd_per_unit"])
    got = compute_features(p, fx=fx, country_from="none")
    for row in got.merge(p, on=["date", KEY]).itertuples():
        cur = row.currency
        major = {"GBp": "GBP"}.get(cur, cur)
        if major == "USD":
            rate = 1.0
        else:
            known = [r for d, c, r in fx_rows if c == major and d <= row.date]
            rate = known[-1] if known else math.nan
        rate = rate / 100 if cur == "GBp" else rate
        expected = row.shares_outstanding * row.close * rate
        assert_close([row.usd_market_cap], [expected], atol=1e-6)
    assert got.loc[got[KEY] == "T5 US", "usd_market_cap"].isna().all()  # no JPY rates given
    with pytest.raises(AnalysisError, match="EUR, GBP, JPY"):
        compute_features(p, country_from="none")


def test_market_cap_assumes_usd_without_currency(prices: pd.DataFrame) -> None:
    p = prices.assign(shares_outstanding=1000.0)
    got = compute_features(p, country_from="none").merge(p, on=["date", KEY])
    assert_close(got["usd_market_cap"], got["close"] * 1000.0, atol=1e-6)


def test_price_rank_within_country_naive(prices: pd.DataFrame) -> None:
    p = prices.assign(
        country=prices[KEY].map(lambda k: "GB" if k in ("T0 US", "T4 US", "T5 US") else "US")
    )
    got = compute_features(p).merge(p, on=["date", KEY])
    for (_, _), grp in got.groupby(["date", "country"]):
        expected = rankdata(grp["close"]) / len(grp)
        assert_close(grp["price_rank_country"], expected, atol=1e-12)


def test_countries_from_numerai_keys() -> None:
    got = countries_from_keys(pd.Series(["000660 KR", "AAPL US", "BAD"]), key="numerai_ticker")
    assert got.tolist()[:2] == ["KR", "US"] and pd.isna(got.iloc[2])
    with pytest.raises(ConfigError):
        countries_from_keys(pd.Series(["AAPL"]), key="yahoo")


def test_countries_from_bloomberg_keys_use_exchange_table() -> None:
    exchanges = pytest.importorskip("tickermap.tickers.exchanges")
    table = exchanges.load_exchanges()
    codes = [c for c in ("US", "LN", "KS", "JP") if c in table]
    got = countries_from_keys(pd.Series([f"X {c}" for c in codes] + ["X QQQQ"]), key=KEY)
    assert got.tolist()[:-1] == [table[c].country for c in codes]
    assert pd.isna(got.iloc[-1])


# ---------- conventions, shape, progress --------------------------------------------------------


def test_sign_conventions(features: pd.DataFrame) -> None:
    wr = features["williams_r"].dropna()
    assert wr.between(-100, 0).all() and wr.min() < -90 and wr.max() > -10
    both = features[["williams_r", "bollinger_pband", "cci"]].dropna()
    rho = spearmanr(both["williams_r"], both["bollinger_pband"]).statistic
    assert rho > 0.7  # standard %R moves with %B; Numerai's flipped one would be negative
    assert (features["price_to_52w_high"].dropna() <= 1).all()


def test_output_shape_order_and_progress(prices: pd.DataFrame) -> None:
    shuffled = prices.sample(frac=1.0, random_state=3)
    rec = RecordingProgress()
    got = compute_features(shuffled, spec=SMALL, country_from="none", progress=rec)
    assert list(got.columns) == ["date", KEY, *FEATURE_COLUMNS]
    assert len(got) == len(prices)
    assert got[["date", KEY]].equals(got[["date", KEY]].sort_values(["date", KEY]))
    assert rec.tasks == [("features", len(FEATURE_COLUMNS))] and rec.done == len(FEATURE_COLUMNS)
    ordered = compute_features(prices, spec=SMALL, country_from="none")
    pd.testing.assert_frame_equal(got, ordered)


def test_feature_spec_rejects_bad_windows() -> None:
    with pytest.raises(ConfigError, match="trix_window"):
        FeatureSpec(trix_window=1)
    with pytest.raises(ConfigError, match="bollinger_std"):
        FeatureSpec(bollinger_std=0.0)


# ---------- bad input ---------------------------------------------------------------------------


def write_csv(tmp_path: Path, frame: pd.DataFrame, name: str = "prices.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def small(prices: pd.DataFrame) -> pd.DataFrame:
    return prices.head(20).reset_index(drop=True)


def test_non_numeric_close_names_the_line(tmp_path: Path, prices: pd.DataFrame) -> None:
    frame = small(prices).astype({"close": object})
    frame.loc[7, "close"] = "12,5x"
    with pytest.raises(InputError) as err:
        load_prices(write_csv(tmp_path, frame), key=KEY)
    assert err.value.line == 9 and err.value.column == "close" and err.value.value == "12,5x"
    assert "prices.csv" in str(err.value) and "line 9" in str(err.value)


def test_missing_tokens_are_gaps_not_errors(tmp_path: Path, prices: pd.DataFrame) -> None:
    frame = small(prices).astype({"close": object, "volume": object})
    frame.loc[3, "close"] = "N/A"
    frame.loc[5, "volume"] = "nan"
    got = load_prices(write_csv(tmp_path, frame), key=KEY)
    assert np.isnan(got.loc[3, "close"]) and np.isnan(got.loc[5, "volume"])
    assert got["close"].notna().sum() == len(frame) - 1


def test_duplicate_rows_name_both_lines(tmp_path: Path, prices: pd.DataFrame) -> None:
    frame = pd.concat([small(prices), small(prices).iloc[[3]]], ignore_index=True)
    with pytest.raises(InputError, match="duplicate") as err:
        load_prices(write_csv(tmp_path, frame), key=KEY)
    assert err.value.line == 22 and "5" in str(err.value)


def test_duplicate_rows_in_parquet_name_rows(tmp_path: Path, prices: pd.DataFrame) -> None:
    frame = pd.concat([small(prices), small(prices).iloc[[3]]], ignore_index=True)
    path = tmp_path / "p.parquet"
    frame.to_parquet(path)
    with pytest.raises(InputError, match="row 21"):
        load_prices(path, key=KEY)


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("close", -3.0, "close must be positive"),
        ("low", 0.0, "low must be positive"),
        ("volume", -1.0, "volume must be zero or more"),
        ("date", "2023-13-45", "not a date"),
        (KEY, "", "empty ticker"),
    ],
    ids=["negative-close", "zero-low", "negative-volume", "bad-date", "empty-key"],
)
def test_bad_values(
    tmp_path: Path, prices: pd.DataFrame, column: str, value: object, match: str
) -> None:
    frame = small(prices).astype({column: object})
    frame.loc[4, column] = value
    with pytest.raises(InputError, match=match) as err:
        load_prices(write_csv(tmp_path, frame), key=KEY)
    assert err.value.line == 6


def test_high_below_low_and_missing_columns(tmp_path: Path, prices: pd.DataFrame) -> None:
    frame = small(prices)
    frame.loc[2, "high"] = frame.loc[2, "low"] / 2
    with pytest.raises(InputError, match="below low"):
        validate_prices(frame, key=KEY)
    with pytest.raises(InputError, match="'volume'"):
        load_prices(write_csv(tmp_path, small(prices).drop(columns="volume")), key=KEY)
    with pytest.raises(InputError, match="'yahoo'"):
        load_prices(write_csv(tmp_path, small(prices)), key="yahoo")


def test_fx_table_validation(tmp_path: Path) -> None:
    good = pd.DataFrame({"date": ["2024-01-02"], "currency": ["GBP"], "usd_per_unit": ["1.27"]})
    assert load_fx(write_csv(tmp_path, good, "fx.csv"))["usd_per_unit"].tolist() == [1.27]
    bad = pd.concat([good, good.assign(usd_per_unit="-1")], ignore_index=True)
    with pytest.raises(InputError, match="positive") as err:
        load_fx(write_csv(tmp_path, bad, "fx.csv"))
    assert err.value.line == 3


# ---------- CLI and bundled sample --------------------------------------------------------------


def test_cli_writes_features(tmp_path: Path, prices: pd.DataFrame) -> None:
    src = write_csv(tmp_path, prices)
    out = tmp_path / "f.parquet"
    result = CliRunner().invoke(
        app, ["features", str(src), "--out", str(out), "--country-from", "none"]
    )
    assert result.exit_code == 0, result.output
    got = pd.read_parquet(out)
    assert list(got.columns) == ["date", KEY, *FEATURE_COLUMNS] and len(got) == len(prices)


def test_cli_bad_input_is_a_clean_error(tmp_path: Path, prices: pd.DataFrame) -> None:
    frame = small(prices).astype({"close": object})
    frame.loc[0, "close"] = "n/a?"
    result = CliRunner().invoke(
        app, ["features", str(write_csv(tmp_path, frame)), "-o", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 3
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "Error:" in output and "line 2" in output and "Traceback" not in output
    assert not (tmp_path / "x.csv").exists()


# The bundled sample: prices keyed by Yahoo symbol, a signal keyed by Bloomberg ticker, over the
# sample universe's tickers that have a live composite row in the sample world.


def sample_universe() -> pd.DataFrame:
    """``bloomberg_ticker, status, yahoo, exch_code`` as a cleaned universe would hold them.

    Built straight from world.json and universe.csv (live composite rows only; the Yahoo suffix
    decided by the listing's one venue row when there is exactly one).
    """
    records = json.loads(sample_path("world.json").read_text())["records"]
    live: dict[tuple[str, str], set[str]] = defaultdict(set)
    venues: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r["figi"] == r["compositeFIGI"] and not r.get("delisted"):
            live[(r["ticker"], r["exchCode"])].add(r["figi"])
        elif r["figi"] != r["compositeFIGI"]:
            venues[r["compositeFIGI"]].add(r["exchCode"])
    rows = []
    for ticker in pd.read_csv(sample_path("universe.csv"), dtype=str)["bloomberg_ticker"]:
        root, code = ticker.rsplit(" ", 1)
        if not live[(root, code)]:
            continue
        seen = set().union(*(venues[c] for c in live[(root, code)]))
        result = bloomberg_to_yahoo(ticker, venue=seen.pop() if len(seen) == 1 else None)
        if result.symbol is not None:
            rows.append((ticker, "ok", result.symbol, code))
    return pd.DataFrame(rows, columns=["bloomberg_ticker", "status", "yahoo", "exch_code"])


def _sample_paths() -> list[Path]:
    paths = [sample_path(n) for n in ("prices.parquet", "signal.parquet", "fx.csv")]
    if not all(p.is_file() for p in paths):
        pytest.skip("sample data not generated yet (scripts/make_sample_data.py)")
    return paths


@pytest.fixture(scope="module")
def sample_features() -> pd.DataFrame:
    prices, _, fx = _sample_paths()
    return compute_features(load_prices(prices, key="yahoo"), key="yahoo", fx=load_fx(fx))


def test_bundled_sample_is_small_and_marked_synthetic() -> None:
    paths = _sample_paths()
    assert all(p.stat().st_size < 500_000 for p in paths)
    for path in paths[:2]:
        assert b"SYNTHETIC" in pq.read_schema(path).metadata[b"note"]


def test_bundled_sample_covers_the_live_universe() -> None:
    prices_path, signal_path, fx_path = _sample_paths()
    universe = sample_universe()
    prices = load_prices(prices_path, key="yahoo")
    signal = pd.read_parquet(signal_path)
    assert list(signal.columns) == ["date", "bloomberg_ticker", "signal"]
    assert (signal["date"].dt.day_of_week == 4).all()
    assert set(signal["bloomberg_ticker"]) == set(universe["bloomberg_ticker"])
    assert set(prices["yahoo"]) == set(universe["yahoo"])
    assert not {"ZZZQ US", "GONE US", "OLDN US"} & set(signal["bloomberg_ticker"])
    assert {"157065.KQ", "0006.HK", "PSB-A.ST", "MPLX.V", "3709.TW"} <= set(prices["yahoo"])
    exchanges = load_exchanges()
    per_key = prices.drop_duplicates("yahoo").merge(universe, on="yahoo", validate="1:1")
    assert prices.groupby("yahoo")[["currency", "country"]].nunique().max().max() == 1
    assert per_key["currency"].tolist() == [exchanges[c].currency for c in per_key["exch_code"]]
    assert per_key["country"].tolist() == [exchanges[c].country for c in per_key["exch_code"]]
    fx = load_fx(fx_path)
    assert set(fx["currency"]) == set(prices["currency"]) - {"USD"}
    assert set(fx["date"]) == set(prices["date"])


def test_bundled_sample_has_known_exposures_through_the_universe(
    sample_features: pd.DataFrame,
) -> None:
    _, signal_path, _ = _sample_paths()
    signal = pd.read_parquet(signal_path)
    signal["date"] = signal["date"].astype(sample_features["date"].dtype)  # Parquet keeps us
    assert sample_features["usd_market_cap"].notna().all()
    joined = join_through_universe(
        signal,
        sample_features,
        universe=sample_universe(),
        signal_key="bloomberg_ticker",
        features_key="yahoo",
    )
    assert (joined.coverage["coverage"] == 1.0).all() and joined.unmatched.empty
    merged = joined.frame.merge(sample_features, on=["date", "yahoo"])
    assert len(merged) == len(signal)
    per_date = merged.groupby("date")[["signal", "short_term_return", "usd_market_cap"]].corr(
        method="spearman"
    )
    rev = per_date.xs("short_term_return", level=1)["signal"].mean()
    size = per_date.xs("usd_market_cap", level=1)["signal"].mean()
    assert rev < -0.3 and size < -0.2  # built with +0.5 reversal and -0.4 size exposure


def test_bundled_sample_ranks_price_within_the_country_column(
    sample_features: pd.DataFrame,
) -> None:
    prices_path, _, _ = _sample_paths()
    prices = load_prices(prices_path, key="yahoo")
    with pytest.raises(ConfigError, match="country"):
        countries_from_keys(prices["yahoo"].drop_duplicates(), key="yahoo")
    assert sample_features["price_rank_country"].notna().all()
    last = prices[prices["date"] == prices["date"].max()]
    expected = {}
    for _, group in last.groupby("country"):  # naive: scipy rank per country
        ranks = rankdata(group["close"], method="average") / len(group)
        expected.update(zip(group["yahoo"], ranks, strict=True))
    got = sample_features[sample_features["date"] == prices["date"].max()]
    assert_close(got["price_rank_country"], got["yahoo"].map(expected))
