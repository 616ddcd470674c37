"""Which file name endings are tables, and of which format (no pandas: cheap to import)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CSV_SUFFIXES", "PARQUET_SUFFIXES", "table_format"]

CSV_SUFFIXES = (".csv", ".txt", ".tsv", ".csv.gz", ".tsv.gz")
"""File name endings read and written as CSV (the ``.gz`` ones gzip-compressed)."""
PARQUET_SUFFIXES = (".parquet", ".pq")


def table_format(path: str | Path) -> str:
    """Return ``"parquet"`` or ``"csv"`` from a file name.

    >>> table_format("out.parquet"), table_format("x.CSV")
    ('parquet', 'csv')
    """
    name = Path(path).name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return "csv"
