"""Loading and validation of daily price tables and FX tables for :mod:`tickermap.features.compute`.

Turns user files (CSV as strings, or Parquet) into typed frames: ``date`` as datetime64, the key
stripped, prices and volumes float64. Every problem a user can fix (missing column, bad number or
date, duplicate (date, key), non-positive price, high below low) is an
:class:`~tickermap.errors.InputError` naming the file, line (CSV) or row (Parquet), column and
value. Numbers and dates are parsed by :mod:`tickermap.tables.parse` (the NA tokens, ISO or
``YYYYMMDD`` dates, non-finite numbers refused), like every other command. No feature maths
here, no printing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tickermap.columns import BLOOMBERG_TICKER, DATE
from tickermap.tables import (
    Where,
    parse_dates,
    parse_numbers,
    read_table,
    require_columns,
    table_format,
)

__all__ = ["PRICE_COLUMNS", "load_fx", "load_prices", "validate_fx", "validate_prices"]

OPEN = "open"
HIGH = "high"
LOW = "low"
CLOSE = "close"
VOLUME = "volume"
SHARES_OUTSTANDING = "shares_outstanding"
CURRENCY = "currency"
COUNTRY = "country"
USD_PER_UNIT = "usd_per_unit"
PRICE_COLUMNS = (OPEN, HIGH, LOW, CLOSE, VOLUME)


def _raise_at(
    message: str, *, pos: int, first_line: int | None, path: Path | None, column: str, value: object
) -> None:
    raise Where(path, first_line).fail(message, pos=pos, column=column, value=value)


def _numeric(
    frame: pd.DataFrame, column: str, *, first_line: int | None, path: Path | None
) -> pd.Series:
    """The column as float64 (:func:`tickermap.tables.parse_numbers`: NA tokens are missing)."""
    return parse_numbers(frame[column], column=column, where=Where(path, first_line))


def _dates(frame: pd.DataFrame, *, first_line: int | None, path: Path | None) -> pd.Series:
    return parse_dates(frame[DATE], column=DATE, where=Where(path, first_line))


def validate_prices(
    prices: pd.DataFrame,
    *,
    key: str = BLOOMBERG_TICKER,
    path: str | Path | None = None,
    first_line: int | None = None,
) -> pd.DataFrame:
    """Check and type a price table; returns a new frame (dates, floats, stripped keys).

    Args:
        prices: ``date, <key>, open, high, low, close, volume`` [+ ``shares_outstanding``,
            ``currency``, ``country``], values as strings or numbers.
        key: the ticker column.
        path: the file, for messages.
        first_line: file line of the first data row (2 for CSV); None reports ``row N``.

    Raises:
        InputError: missing column, empty key, bad date or number, duplicate (date, key),
            price <= 0, negative volume or shares, high below low.
    """
    p = None if path is None else Path(path)
    require_columns(
        prices,
        [DATE, key, *PRICE_COLUMNS],
        path=p,
        hint=f"expected daily rows of date, {key}, open, high, low, close, volume",
    )
    out = pd.DataFrame({DATE: _dates(prices, first_line=first_line, path=p)})
    keys = prices[key].astype("str").str.strip()
    empty = np.flatnonzero((prices[key].isna() | (keys == "")).to_numpy())
    if len(empty):
        _raise_at(
            "empty ticker; fill it in or drop the row",
            pos=int(empty[0]),
            first_line=first_line,
            path=p,
            column=key,
            value=None,
        )
    out[key] = keys
    for column in (*PRICE_COLUMNS, SHARES_OUTSTANDING):
        if column not in prices.columns:
            continue
        values = _numeric(prices, column, first_line=first_line, path=p)
        floor_ok = values > 0 if column in (OPEN, HIGH, LOW, CLOSE) else values >= 0
        bad = np.flatnonzero((values.notna() & ~floor_ok).to_numpy())
        if len(bad):
            need = "positive" if column in (OPEN, HIGH, LOW, CLOSE) else "zero or more"
            _raise_at(
                f"{column} must be {need}; fix the row or leave the cell empty",
                pos=int(bad[0]),
                first_line=first_line,
                path=p,
                column=column,
                value=prices[column].iloc[bad[0]],
            )
        out[column] = values.to_numpy()
    inverted = np.flatnonzero((out[HIGH] < out[LOW]).to_numpy())
    if len(inverted):
        i = int(inverted[0])
        _raise_at(
            f"high {out[HIGH].iloc[i]} is below low {out[LOW].iloc[i]}; swap or fix them",
            pos=i,
            first_line=first_line,
            path=p,
            column=HIGH,
            value=prices[HIGH].iloc[i],
        )
    dup = np.flatnonzero(out.duplicated([DATE, key], keep=False).to_numpy())
    if len(dup):
        first = int(dup[0])
        same = dup[
            (out[DATE].iloc[dup] == out[DATE].iloc[first]).to_numpy()
            & (out[key].iloc[dup] == out[key].iloc[first]).to_numpy()
        ]
        where = ", ".join(
            str(i + first_line) if first_line else f"row {i + 1}" for i in same[:5].tolist()
        )
        _raise_at(
            f"duplicate ({DATE}, {key}) row (also at {where}); keep one row per ticker per date",
            pos=int(same[1]),
            first_line=first_line,
            path=p,
            column=key,
            value=out[key].iloc[first],
        )
    for column in (CURRENCY, COUNTRY):
        if column in prices.columns:
            text = prices[column].astype("str").str.strip()
            out[column] = text.where(text != "").to_numpy()
    return out


def _first_line(path: Path) -> int | None:
    return None if table_format(path) == "parquet" else 2


def load_prices(path: str | Path, *, key: str = BLOOMBERG_TICKER) -> pd.DataFrame:
    """Read and validate a daily price table (CSV or Parquet); see :func:`validate_prices`."""
    p = Path(path)
    return validate_prices(read_table(p), key=key, path=p, first_line=_first_line(p))


def validate_fx(
    fx: pd.DataFrame, *, path: str | Path | None = None, first_line: int | None = None
) -> pd.DataFrame:
    """Check and type an FX table ``date, currency, usd_per_unit`` (USD per one unit).

    Raises:
        InputError: missing columns, bad dates or numbers, rates <= 0, duplicate (date, currency).
    """
    p = None if path is None else Path(path)
    require_columns(
        fx,
        [DATE, CURRENCY, USD_PER_UNIT],
        path=p,
        hint="e.g. 2024-01-02,GBP,1.27 (USD per one unit of the currency)",
    )
    out = pd.DataFrame({DATE: _dates(fx, first_line=first_line, path=p)})
    out[CURRENCY] = fx[CURRENCY].astype("str").str.strip().to_numpy()
    rate = _numeric(fx, USD_PER_UNIT, first_line=first_line, path=p)
    bad = np.flatnonzero(~(rate > 0).to_numpy())
    if len(bad):
        _raise_at(
            "usd_per_unit must be a positive number",
            pos=int(bad[0]),
            first_line=first_line,
            path=p,
            column=USD_PER_UNIT,
            value=fx[USD_PER_UNIT].iloc[bad[0]],
        )
    out[USD_PER_UNIT] = rate.to_numpy()
    dup = np.flatnonzero(out.duplicated([DATE, CURRENCY]).to_numpy())
    if len(dup):
        _raise_at(
            "duplicate (date, currency) rate; keep one",
            pos=int(dup[0]),
            first_line=first_line,
            path=p,
            column=CURRENCY,
            value=out[CURRENCY].iloc[dup[0]],
        )
    return out


def load_fx(path: str | Path) -> pd.DataFrame:
    """Read and validate an FX table (CSV or Parquet); see :func:`validate_fx`."""
    p = Path(path)
    return validate_fx(read_table(p), path=p, first_line=_first_line(p))
