"""Diagnostics inputs read cells by the one number parser: NA tokens, infinities, missing files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tickermap.diagnostics.inputs import open_source
from tickermap.errors import InputError


def _signal(path: Path, values: list[object]) -> Path:
    n = len(values)
    frame = pd.DataFrame(
        {"date": ["2024-01-05"] * n, "numerai_ticker": [f"T{i} US" for i in range(n)],
         "prediction": values}
    )  # fmt: skip
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


def test_na_tokens_are_missing_as_the_file_formats_section_says(tmp_path: Path) -> None:
    path = _signal(tmp_path / "s.csv", [0.1, "nan", "NA", "null", "N/A", "", 0.7])
    src = open_source(path, "signal")
    got = src.frame["signal"].to_numpy()
    assert np.isnan(got[1:6]).all() and got[0] == 0.1 and got[6] == 0.7


def test_an_infinity_in_csv_names_line_column_and_a_plain_value(tmp_path: Path) -> None:
    path = _signal(tmp_path / "s.csv", [0.1, 0.2, "inf"])
    with pytest.raises(InputError) as info:
        open_source(path, "signal")
    assert info.value.line == 4 and info.value.column == "prediction"
    assert "value 'inf'" in str(info.value) and "np.float64" not in str(info.value)


def test_an_infinity_in_parquet_names_its_row(tmp_path: Path) -> None:
    path = _signal(tmp_path / "s.parquet", [0.1, 0.2, float("inf")])
    with pytest.raises(InputError) as info:
        open_source(path, "signal")
    text = str(info.value)
    assert "row 3" in text and "value inf" in text and "np.float64" not in text


def test_text_in_a_value_column_is_refused(tmp_path: Path) -> None:
    path = _signal(tmp_path / "s.csv", [0.1, "high", 0.3])
    with pytest.raises(InputError) as info:
        open_source(path, "signal")
    assert info.value.line == 3 and info.value.value == "high"


def test_a_missing_parquet_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        open_source(tmp_path / "nope.parquet", "targets")
    assert "no such file" in str(info.value)


def test_dates_with_too_few_tickers_are_named_in_the_notes(tmp_path: Path) -> None:
    from tickermap.diagnostics import nan_reason_notes

    reasons = pd.Series(
        ["ok", "numerai_corr: too_few_tickers; churn: too_few_tickers", "churn: no_previous_date"]
    )
    notes = nan_reason_notes(reasons)
    assert notes[0].startswith("metrics left NaN on 1 of the 3 dates: no_previous_date")
    assert notes[1].startswith("metrics left NaN on 1 of the 3 dates: too_few_tickers")
    assert nan_reason_notes(pd.Series(["ok", "ok"])) == []
