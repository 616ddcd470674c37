"""User tables: reading (CSV, gzipped CSV, Parquet), typed columns, atomic writing, output checks.

- :mod:`~tickermap.tables.read`: :func:`read_table` turns every parser failure into an
  :class:`~tickermap.errors.InputError` naming file, line and what to do.
- :mod:`~tickermap.tables.parse`: the one number and date parser (NA tokens, ``YYYYMMDD``,
  non-finite numbers refused).
- :mod:`~tickermap.tables.write`: atomic writes (temporary file renamed over the target, cleaned
  up on failure and signals), the CSV formula guard.
- :mod:`~tickermap.tables.outputs`: :func:`check_outputs`, run before any work.
"""

from __future__ import annotations

from tickermap.tables.outputs import OUTPUT_SUFFIXES, check_outputs
from tickermap.tables.parse import NA_TOKENS, Where, parse_dates, parse_numbers
from tickermap.tables.read import (
    CSV_SUFFIXES,
    PARQUET_SUFFIXES,
    read_table,
    require_columns,
    table_format,
)
from tickermap.tables.write import (
    FORMULA_PREFIXES,
    STALE_TEMP_SECONDS,
    atomic_path,
    guard_formulas,
    write_table,
)

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
    "guard_formulas",
    "parse_dates",
    "parse_numbers",
    "read_table",
    "require_columns",
    "table_format",
    "write_table",
]
