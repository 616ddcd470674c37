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

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.tables.formats import (
        CSV_SUFFIXES,
        PARQUET_SUFFIXES,
        table_format,
    )
    from tickermap.tables.outputs import (
        OUTPUT_SUFFIXES,
        check_outputs,
    )
    from tickermap.tables.parse import (
        NA_TOKENS,
        Where,
        parse_dates,
        parse_numbers,
    )
    from tickermap.tables.read import (
        csv_text,
        no_rows_error,
        parquet_names,
        ragged_row,
        read_table,
        require_columns,
    )
    from tickermap.tables.rows import (
        SMALL_CSV_BYTES,
        Cell,
        is_small_csv,
        read_rows,
        write_rows,
    )
    from tickermap.tables.write import (
        FORMULA_PREFIXES,
        STALE_TEMP_SECONDS,
        atomic_path,
        check_table_path,
        guard_cell,
        guard_formulas,
        write_table,
    )

__all__ = [
    "CSV_SUFFIXES",
    "FORMULA_PREFIXES",
    "NA_TOKENS",
    "OUTPUT_SUFFIXES",
    "PARQUET_SUFFIXES",
    "SMALL_CSV_BYTES",
    "STALE_TEMP_SECONDS",
    "Cell",
    "Where",
    "atomic_path",
    "check_outputs",
    "check_table_path",
    "csv_text",
    "guard_cell",
    "guard_formulas",
    "is_small_csv",
    "no_rows_error",
    "parquet_names",
    "parse_dates",
    "parse_numbers",
    "ragged_row",
    "read_rows",
    "read_table",
    "require_columns",
    "table_format",
    "write_rows",
    "write_table",
]

__getattr__, __dir__ = lazy_exports(__name__)
