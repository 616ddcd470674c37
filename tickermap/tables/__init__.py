"""User tables: reading (CSV, gzipped CSV, Parquet), typed columns, atomic writing, output checks.

- :mod:`~tickermap.tables.read`: :func:`read_table` turns every parser failure into an
  :class:`~tickermap.errors.InputError` naming file, line and what to do.
- :mod:`~tickermap.tables.parse`: the one number and date parser (NA tokens, ``YYYYMMDD``,
  non-finite numbers refused).
- :mod:`~tickermap.tables.write`: atomic writes (temporary file renamed over the target, cleaned
  up on failure and signals), the CSV formula guard.
- :mod:`~tickermap.tables.outputs`: :func:`check_outputs`, run before any work.

Names are loaded on first use, so ``from tickermap.tables import check_outputs`` (CLI start-up)
does not import pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tickermap.tables.formats import CSV_SUFFIXES, PARQUET_SUFFIXES, table_format
    from tickermap.tables.outputs import OUTPUT_SUFFIXES, check_outputs
    from tickermap.tables.parse import NA_TOKENS, Where, parse_dates, parse_numbers
    from tickermap.tables.read import csv_text, ragged_row, read_table, require_columns
    from tickermap.tables.write import (
        FORMULA_PREFIXES,
        STALE_TEMP_SECONDS,
        atomic_path,
        check_table_path,
        guard_cell,
        guard_formulas,
        write_table,
    )

_HOME = {
    "CSV_SUFFIXES": "formats",
    "PARQUET_SUFFIXES": "formats",
    "table_format": "formats",
    "OUTPUT_SUFFIXES": "outputs",
    "check_outputs": "outputs",
    "NA_TOKENS": "parse",
    "Where": "parse",
    "parse_dates": "parse",
    "parse_numbers": "parse",
    "csv_text": "read",
    "ragged_row": "read",
    "read_table": "read",
    "require_columns": "read",
    "FORMULA_PREFIXES": "write",
    "STALE_TEMP_SECONDS": "write",
    "atomic_path": "write",
    "check_table_path": "write",
    "guard_cell": "write",
    "guard_formulas": "write",
    "write_table": "write",
}

__all__ = [
    "CSV_SUFFIXES",
    "FORMULA_PREFIXES",
    "NA_TOKENS",
    "OUTPUT_SUFFIXES",
    "PARQUET_SUFFIXES",
    "STALE_TEMP_SECONDS",
    "Where",
    "atomic_path",
    "check_outputs",
    "check_table_path",
    "csv_text",
    "guard_cell",
    "guard_formulas",
    "parse_dates",
    "parse_numbers",
    "ragged_row",
    "read_table",
    "require_columns",
    "table_format",
    "write_table",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'tickermap.tables' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tickermap.tables.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
