"""check: the same accept/reject verdict as numerai-tools validate_submission_signals; --fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numerai_tools.submissions import clean_submission, validate_submission_signals
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.diagnostics.check import check_submission, fix_submission

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword", "ignore:data_type column")

UNIVERSE = pd.DataFrame(
    {
        "numerai_ticker": [
            f"T{i:03d} {c}" for i, c in zip(range(300), ["US", "JP", "GB"] * 100, strict=True)
        ],
        "composite_figi": [f"BBG000{i:06d}" for i in range(300)],
    }
)


def _submission(rng: np.random.Generator, kind: str) -> pd.DataFrame:
    n = {"few": 90, "few_live": 150}.get(kind, 200)
    ids = list(rng.choice(UNIVERSE["numerai_ticker"], size=n, replace=False))
    if kind == "few_live":
        ids = ids[:95] + [f"X{i:03d} US" for i in range(55)]
    sub = pd.DataFrame({"numerai_ticker": ids, "signal": rng.random(n)})
    if kind == "prediction":
        sub = sub.rename(columns={"signal": "prediction"})
    elif kind == "figi":
        sub["numerai_ticker"] = (
            UNIVERSE.set_index("numerai_ticker").loc[ids, "composite_figi"].values
        )
        sub = sub.rename(columns={"numerai_ticker": "composite_figi"})
    elif kind == "nan":
        sub.loc[5, "signal"] = np.nan
    elif kind == "nan_id":
        sub.loc[7, "numerai_ticker"] = np.nan
    elif kind == "dup":
        sub.loc[9, "numerai_ticker"] = sub.loc[8, "numerai_ticker"]
    elif kind == "dup_not_live":
        sub.loc[[9, 10], "numerai_ticker"] = "ZZZ US"
    elif kind == "range":
        sub.loc[3, "signal"] = 1.2
    elif kind == "near_one":
        sub.loc[3, "signal"] = 1 + 1e-9
    elif kind == "const":
        sub["signal"] = 0.5
    elif kind == "date":
        sub.insert(0, "date", "2025-01-03")
    elif kind == "two_dates":
        sub["date"], sub["friday_date"] = "2025-01-03", 20250103
    elif kind == "data_type":
        sub["data_type"] = "live"
    elif kind == "swapped":
        sub = sub[["signal", "numerai_ticker"]]
    elif kind == "cusip":
        sub = sub.rename(columns={"numerai_ticker": "cusip"})
    elif kind == "extra":
        sub["other"] = 1.0
    elif kind == "ticker_col":
        sub = sub.rename(columns={"numerai_ticker": "ticker"})  # universe lacks it
    return sub


KINDS = [
    "good", "prediction", "figi", "nan", "nan_id", "dup", "dup_not_live", "range", "near_one",
    "const", "date", "two_dates", "data_type", "swapped", "cusip", "extra", "ticker_col", "few",
    "few_live",
]  # fmt: skip


def _numerai_tools_accepts(path: Path) -> bool:
    try:
        validate_submission_signals(UNIVERSE.copy(), pd.read_csv(path))
    except Exception:  # AssertionError, KeyError for a missing universe column, TypeError
        return False
    return True


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(3))
def test_verdict_equals_numerai_tools(tmp_path: Path, kind: str, seed: int) -> None:
    sub = _submission(np.random.default_rng(seed), kind)
    path = tmp_path / "sub.csv"
    sub.to_csv(path, index=False)
    universe = tmp_path / "live.csv"
    UNIVERSE.to_csv(universe, index=False)
    expected = _numerai_tools_accepts(path)
    ours = check_submission(
        pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]), UNIVERSE
    )
    assert ours.accepted == expected, (kind, ours.problem)
    result = CliRunner().invoke(app, ["check", str(path), "--universe", str(universe)])
    assert result.exit_code == (0 if expected else 10), result.output
    assert ("ACCEPTED" if expected else "REJECTED") in result.output


def test_rejection_names_the_rows(tmp_path: Path) -> None:
    sub = _submission(np.random.default_rng(0), "range")
    r = check_submission(sub, UNIVERSE)
    assert not r.accepted and "[0, 1]" in r.problem and r.rows == [5]  # row 3 = line 5
    cusip = check_submission(_submission(np.random.default_rng(0), "cusip"), UNIVERSE)
    assert "cusip" in cusip.problem and "numerai-tools" in cusip.problem


@pytest.mark.parametrize("kind", ["good", "nan", "dup", "range", "const", "few_live"])
def test_fix_equals_clean_submission(tmp_path: Path, kind: str) -> None:
    sub = _submission(np.random.default_rng(1), kind)
    ours = fix_submission(sub, UNIVERSE, "numerai_ticker", "signal")
    ref = clean_submission(UNIVERSE, sub, "numerai_ticker", "signal", rank_and_fill=True)
    got = ours.set_index("numerai_ticker")["signal"]
    np.testing.assert_allclose(got.to_numpy(), ref.sort_index().to_numpy(), atol=1e-12)
    assert list(got.index) == list(ref.sort_index().index)


def test_fix_and_coverage_through_the_cli(tmp_path: Path) -> None:
    sub = _submission(np.random.default_rng(2), "range")
    path, universe = tmp_path / "sub.csv", tmp_path / "live.csv"
    sub.to_csv(path, index=False)
    UNIVERSE.to_csv(universe, index=False)
    cleaned = tmp_path / "cleaned.csv"
    UNIVERSE.iloc[:250].to_csv(cleaned, index=False)
    fixed, cov = tmp_path / "fixed.csv", tmp_path / "cov.csv"
    args = ["check", str(path), "--universe", str(universe), "--fix", str(fixed)]
    result = CliRunner().invoke(app, [*args, "--coverage", str(cov), "--cleaned", str(cleaned)])
    assert result.exit_code == 10 and "would be accepted" in result.output
    assert _numerai_tools_accepts(fixed)
    table = pd.read_csv(cov)
    total = table[table["country"] == "TOTAL"].iloc[0]
    assert total["universe"] == 300 and total["covered"] == 200
    assert total["unknown_to_cleaned"] == 50
    assert set(table["country"]) == {"US", "JP", "GB", "TOTAL"}
    same = CliRunner().invoke(
        app, ["check", str(path), "--universe", str(universe), "--fix", str(path)]
    )
    assert same.exit_code == 2 and "also an input" in " ".join(same.output.split())


def test_a_broken_universe_or_an_empty_submission_is_bad_input(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    sub = tmp_path / "sub.csv"
    _submission(rng, "plain").to_csv(sub, index=False)
    good = tmp_path / "live.csv"
    UNIVERSE.to_csv(good, index=False)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("foo,bar\n1,2\n")
    empty_live = tmp_path / "empty_live.csv"
    empty_live.write_text("numerai_ticker\n")
    empty_sub = tmp_path / "empty_sub.csv"
    empty_sub.write_text("numerai_ticker,signal\n")
    for args, path, needle in (
        ([str(sub), "--universe", str(wrong)], wrong, "none of the ID columns"),
        ([str(sub), "--universe", str(empty_live)], empty_live, "no rows"),
        ([str(empty_sub), "--universe", str(good)], empty_sub, "no data rows"),
    ):
        result = CliRunner().invoke(app, ["check", *args])
        text = " ".join(result.output.split())
        assert result.exit_code == 3, text
        assert f"Error: {path}" in text and needle in text and "REJECTED" not in text
