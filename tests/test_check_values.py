"""check: signal values read as diagnostics reads them, numerai-tools' verdict kept, every bad
cell named (file, line, column, value), counts pluralised, and what to do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numerai_tools.submissions import clean_submission, validate_submission_signals
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.diagnostics.check import (
    MAX_CELLS,
    PANDAS_NA,
    at_lines,
    check_submission,
    fix_submission,
    read_signal,
)
from tickermap.errors import InputError
from tickermap.tables import NA_TOKENS, parse_numbers, read_table

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword", "ignore:data_type column")

LIVE = [f"T{i:03d} {c}" for i, c in zip(range(200), ["US", "JP"] * 100, strict=True)]
UNIVERSE = pd.DataFrame({"numerai_ticker": LIVE})

TOKENS = sorted(
    {"", " ", "NA", "n/a", "N/A", "nan", "NaN", "NAN", "null", "NULL", "Null", "None", "none"}
    | {"NONE", "#N/A", "#n/a", " NA ", "-nan", "<NA>", "#NA", "1.#IND", "-", "--", "abc", "12%"}
    | {"inf", "-inf", "Infinity", "1e400", "0.5 ", " 0.25", "+0.75", ".5", "1e-3", "TRUE"}
)
"""Cells a hand-written submission holds: NA spellings, text, infinities, numbers."""


def _sub(rng: np.random.Generator) -> pd.DataFrame:
    ids = [*rng.permutation(LIVE)[:150], *[f"X{i:03d} US" for i in range(20)]]
    values = [f"{v:.6f}" for v in rng.uniform(0.01, 0.99, len(ids))]
    return pd.DataFrame({"numerai_ticker": ids, "signal": values})


def _csv(tmp_path: Path, sub: pd.DataFrame, name: str = "sub.csv") -> Path:
    path = tmp_path / name
    path.write_text(
        "numerai_ticker,signal\n" + "".join(f"{t},{v}\n" for t, v in sub.itertuples(index=False))
    )
    return path


def _numerai_tools_accepts(path: Path) -> bool:
    """The reference: the file as pandas reads it, judged by numerai-tools."""
    try:
        validate_submission_signals(UNIVERSE.copy(), pd.read_csv(path))
    except Exception:  # AssertionError, TypeError (a text column)
        return False
    return True


def _ours(path: Path) -> bool:
    return check_submission(read_table(path), UNIVERSE).accepted


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("row", ["live", "not_live"])
def test_verdict_on_every_cell_spelling_equals_numerai_tools(
    tmp_path: Path, token: str, row: str
) -> None:
    sub = _sub(np.random.default_rng(len(token)))
    sub.loc[3 if row == "live" else 160, "signal"] = token
    path = _csv(tmp_path, sub)
    assert _ours(path) == _numerai_tools_accepts(path), (token, row)


@pytest.mark.parametrize("seed", range(12))
def test_verdict_on_random_mixtures_equals_numerai_tools(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sub = _sub(rng)
    rows = rng.choice(len(sub), size=int(rng.integers(1, 4)), replace=False)
    for r in rows:
        sub.loc[int(r), "signal"] = str(rng.choice(TOKENS))
    path = _csv(tmp_path, sub)
    expected = _numerai_tools_accepts(path)
    assert _ours(path) == expected, sub.loc[rows]
    result = CliRunner().invoke(app, ["check", str(path), "--universe", str(_uni(tmp_path))])
    assert result.exit_code == (0 if expected else 10), result.output


def _uni(tmp_path: Path) -> Path:
    path = tmp_path / "live.csv"
    UNIVERSE.to_csv(path, index=False)
    return path


def test_pandas_na_is_pandas_default() -> None:
    parsers = pytest.importorskip("pandas._libs.parsers")
    assert set(PANDAS_NA) == set(parsers.STR_NA_VALUES)


def test_read_signal_is_parse_numbers() -> None:
    cells = pd.Series([*TOKENS, "0.125", None], name="signal", dtype=object)
    values, text, pandas_text = read_signal(cells)
    for cell, v, is_text, is_pandas_text in zip(cells, values, text, pandas_text, strict=True):
        if is_text:  # diagnostics refuses the same cell
            with pytest.raises(InputError):
                parse_numbers(pd.Series([cell]), column="signal")
            continue
        if np.isinf(v):
            with pytest.raises(InputError, match="finite"):
                parse_numbers(pd.Series([cell]), column="signal")
            continue
        if str(cell).strip() in PANDAS_NA and str(cell).strip().lower() not in NA_TOKENS:
            assert np.isnan(v)  # pandas' own spellings of missing (-nan, <NA>, ...)
            continue
        expected = parse_numbers(pd.Series([cell]), column="signal").iloc[0]
        assert v == expected or (np.isnan(v) and np.isnan(expected)), cell
        assert not is_pandas_text or np.isnan(v)


def _run(tmp_path: Path, sub: pd.DataFrame, *extra: str) -> str:
    path = _csv(tmp_path, sub)
    result = CliRunner().invoke(
        app, ["check", str(path), "--universe", str(_uni(tmp_path)), *extra]
    )
    assert result.exit_code == 10, result.output
    return " ".join(result.output.split())


def test_one_bad_value_is_named_in_the_singular(tmp_path: Path) -> None:
    sub = _sub(np.random.default_rng(0))
    sub.loc[4, "signal"] = "-"
    out = _run(tmp_path, sub)
    assert "1 signal value is not a number" in out
    assert f"{tmp_path / 'sub.csv'}, line 6, column 'signal': '-'" in out
    assert "(line 6)" in out and "lines" not in out
    assert "what to do: write a plain decimal" in out


def test_many_bad_values_are_listed_up_to_the_limit(tmp_path: Path) -> None:
    sub = _sub(np.random.default_rng(1))
    bad = list(range(0, 2 * (MAX_CELLS + 3), 2))
    for i in bad:
        sub.loc[i, "signal"] = f"x{i}"
    out = _run(tmp_path, sub)
    assert f"{len(bad)} signal values are not numbers" in out
    for i in bad[:MAX_CELLS]:
        assert f"line {i + 2}, column 'signal': 'x{i}'" in out
    assert f"'x{bad[MAX_CELLS]}'" not in out and "and 3 more" in out
    lines = ", ".join(str(i + 2) for i in bad[:MAX_CELLS])
    assert f"(lines {lines} and 3 more)" in out


def test_live_infinity_rejected_non_live_warned(tmp_path: Path) -> None:
    sub = _sub(np.random.default_rng(2))
    sub.loc[[2, 5], "signal"] = ["inf", "-inf"]
    out = _run(tmp_path, sub)
    assert "2 live signal values are infinite" in out and "'-inf'" in out
    sub = _sub(np.random.default_rng(2))
    sub.loc[165, "signal"] = "1e400"
    path = _csv(tmp_path, sub, "ok.csv")
    result = CliRunner().invoke(app, ["check", str(path), "--universe", str(_uni(tmp_path))])
    assert result.exit_code == 0 and _numerai_tools_accepts(path)
    assert "1 signal value is not finite (line 167, tickers not live)" in " ".join(
        result.output.split()
    )


def test_missing_and_pandas_text(tmp_path: Path) -> None:
    sub = _sub(np.random.default_rng(3))
    sub.loc[[1, 7], "signal"] = ["NA", ""]
    out = _run(tmp_path, sub)
    assert "2 live tickers without a value" in out and "'NA'" in out and "(empty)" in out
    sub = _sub(np.random.default_rng(3))
    sub.loc[161, "signal"] = "none"  # not live: pandas reads text, numerai-tools rejects
    out = _run(tmp_path, sub)
    assert "1 signal value is text to pandas.read_csv" in out and "line 163" in out


def test_parquet_rows_and_at_lines() -> None:
    sub = _sub(np.random.default_rng(4)).assign(signal=lambda f: f["signal"].astype(float))
    sub.loc[[0, 9], "signal"] = np.nan
    r = check_submission(sub, UNIVERSE, first_line=None)
    assert r.where == "row" and r.rows == [1, 10] and r.n_cells == 2
    assert at_lines(r.rows, r.n_cells, r.where) == "rows 1, 10"
    assert at_lines([3], 1) == "line 3"


def test_fix_reads_bad_cells_as_missing(tmp_path: Path) -> None:
    sub = _sub(np.random.default_rng(5))
    sub.loc[[0, 1, 2], "signal"] = ["inf", "abc", "NA"]
    ours = fix_submission(sub, UNIVERSE, "numerai_ticker", "signal")
    ref_input = sub.assign(signal=pd.to_numeric(sub["signal"], errors="coerce"))
    ref_input.loc[[0, 1, 2], "signal"] = np.nan
    ref = clean_submission(UNIVERSE, ref_input, "numerai_ticker", "signal", rank_and_fill=True)
    got = ours.set_index("numerai_ticker")["signal"]
    np.testing.assert_allclose(got.to_numpy(), ref.sort_index().to_numpy(), atol=1e-12)
    assert (got.loc[sub.loc[[0, 1, 2], "numerai_ticker"]] == 0.5).all()


def test_cleaned_lists_unknown_tickers(tmp_path: Path) -> None:
    sub = _sub(np.random.default_rng(6))
    path = _csv(tmp_path, sub)
    cleaned = tmp_path / "cleaned.csv"
    UNIVERSE.iloc[3:].to_csv(cleaned, index=False)
    args = ["check", str(path), "--universe", str(_uni(tmp_path)), "--cleaned", str(cleaned)]
    out = " ".join(CliRunner().invoke(app, args).output.split())
    assert f"3 live tickers not in the cleaned universe (--cleaned): {', '.join(LIVE[:3])}" in out
    assert "20 submitted tickers are not in the live universe" in out and "and 10 more" in out


def test_a_live_nan_is_the_reason_given_before_an_infinity(tmp_path: Path) -> None:
    sub = _sub(np.random.default_rng(9))
    sub.loc[4, "signal"] = ""
    sub.loc[6, "signal"] = "inf"
    path = _csv(tmp_path, sub)
    with pytest.raises(AssertionError, match="NaN") as nt:  # numerai-tools' first reason
        validate_submission_signals(pd.read_csv(_uni(tmp_path)), pd.read_csv(path))
    assert "NaN" in str(nt.value)
    out = _run(tmp_path, sub)
    assert "without a value (line 6)" in out and "infinite" not in out.split("REJECTED")[1]
