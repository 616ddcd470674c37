"""Typed columns from user tables: one number parser and one date parser for every command.

``features`` (prices, FX) and ``exposure`` (signal, features) both read through these, so they
agree on what a missing cell is and which dates are accepted:

- **Missing**: an empty cell or one of :data:`NA_TOKENS` (any case, surrounding spaces ignored)
  is missing (NaN / NaT); what a missing value means is up to the command.
- **Numbers**: plain decimals (``12.5``, ``-3``, ``1e-4``). Anything else is an error, and so is
  a non-finite number (``inf``, ``-inf``, ``1e400``): it is never a measurement.
- **Dates**: ISO dates (``2024-01-05``, with or without a time) or ``YYYYMMDD`` (``20240105``,
  as text or as an integer, like Numerai's ``friday_date``), cell by cell.

Errors are :class:`~tickermap.errors.InputError` naming the file, the line (CSV: the header is
line 1) or ``row N`` (Parquet, 1-based), the column and the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tickermap.errors import InputError

__all__ = ["NA_TOKENS", "Where", "parse_dates", "parse_numbers"]

NA_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "#n/a"})
"""Cells (compared lower-cased and stripped) read as missing by :func:`parse_numbers`."""


@dataclass(frozen=True, slots=True)
class Where:
    """Where a frame came from, to name a cell in messages.

    Attributes:
        path: the file (None: an in-memory frame).
        first_line: the file line of the first data row (2 for CSV); None for Parquet, whose
            cells are named ``row N`` (1-based).
        row_offset: rows of the file before this frame.
        named_rows: False when positions are not file rows (a filtered batch): the message
            then names the column and value only.
    """

    path: Path | None = None
    first_line: int | None = None
    row_offset: int = 0
    named_rows: bool = True

    def fail(self, message: str, *, pos: int, column: str, value: object) -> InputError:
        """The error for the cell at position ``pos`` of the frame."""
        row = pos + self.row_offset
        if not self.named_rows:
            return InputError(message, path=self.path, column=column, value=value)
        if self.first_line is None:
            message = f"row {row + 1}: {message}"
            return InputError(message, path=self.path, column=column, value=value)
        return InputError(
            message, path=self.path, line=row + self.first_line, column=column, value=value
        )


def _is_number_dtype(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def parse_numbers(series: pd.Series, *, column: str, where: Where | None = None) -> pd.Series:
    """The column as float64; NA tokens are NaN; text that is not a finite number raises.

    >>> parse_numbers(pd.Series(["1.5", " NA ", "", "-2"]), column="x").tolist()
    [1.5, nan, nan, -2.0]

    Raises:
        InputError: the first cell that is not a number or not finite, with its line or row.
    """
    at = where or Where()
    if _is_number_dtype(series):
        number = series.astype(np.float64)
        missing = number.isna().to_numpy()
    else:
        text = series.astype("str").str.strip()
        missing = (series.isna() | text.str.lower().isin(NA_TOKENS)).to_numpy()
        number = pd.to_numeric(text.where(~missing), errors="coerce").astype(np.float64)
        bad = np.flatnonzero(number.isna().to_numpy() & ~missing)
        if len(bad):
            raise at.fail(
                f"not a number ({len(bad)} such cell(s) in this column); use a plain decimal "
                "like 12.5 (an empty cell or NA means missing)",
                pos=int(bad[0]),
                column=column,
                value=series.iloc[int(bad[0])],
            )
    infinite = np.flatnonzero(np.isinf(number.to_numpy()))
    if len(infinite):
        raise at.fail(
            "not a finite number (infinity or out of range); fix the value or leave the cell empty",
            pos=int(infinite[0]),
            column=column,
            value=series.iloc[int(infinite[0])],
        )
    return pd.Series(number.to_numpy(), index=series.index, name=series.name)


def parse_dates(series: pd.Series, *, column: str, where: Where | None = None) -> pd.Series:
    """The column as ``datetime64[ns]`` (timezones dropped); every cell must be a date.

    >>> parse_dates(pd.Series(["2024-01-05", "20240108", 20240109]), column="d").dt.day.tolist()
    [5, 8, 9]

    Raises:
        InputError: the first cell that is empty or not an ISO / ``YYYYMMDD`` date.
    """
    at = where or Where()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = series
    else:
        if _is_number_dtype(series):
            whole = series.notna() & (series == series.round())
            text = series.astype("str").where(~whole, series[whole].astype("int64").astype("str"))
        else:
            text = series.astype("str")
        text = text.str.strip()
        compact = text.str.fullmatch(r"\d{8}")
        parsed = pd.to_datetime(text.where(~compact), errors="coerce", format="ISO8601")
        if compact.any():
            parsed[compact] = pd.to_datetime(text[compact], errors="coerce", format="%Y%m%d")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        raise at.fail(
            "not a date; write dates as YYYY-MM-DD or YYYYMMDD",
            pos=int(bad[0]),
            column=column,
            value=series.iloc[int(bad[0])],
        )
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    values = parsed.to_numpy(dtype="datetime64[ns]")
    return pd.Series(values, index=series.index, name=series.name)
