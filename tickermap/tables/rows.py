"""Small CSV files as plain rows, without pandas: the fast path of short commands.

Importing pandas costs more than a whole ``tickermap symbols`` run on a few rows, so small plain
CSV inputs (at most :data:`SMALL_CSV_BYTES`, not gzipped) are read with the :mod:`csv` module and
written back the way :func:`~tickermap.tables.write_table` writes a frame: the same checks and
errors as :func:`~tickermap.tables.read_table` (delimiter sniffed, header checked, ragged rows
named by line), empty cells as ``None``, blank lines skipped, shorter rows padded, the formula
guard, ``True``/``False`` for booleans, atomic. ``tests/test_startup_paths.py`` checks the bytes
are those of the pandas path.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

from tickermap.tables.read import csv_text, ragged_row
from tickermap.tables.write import atomic_path, check_table_path, guard_cell

__all__ = ["SMALL_CSV_BYTES", "Cell", "is_small_csv", "read_rows", "write_rows"]

SMALL_CSV_BYTES = 1 << 20
"""Inputs up to 1 MiB take the pandas-free path."""

Cell = str | bool | None


def is_small_csv(path: Path, *outputs: Path) -> bool:
    """Whether ``path`` (and every output) is a plain ``.csv`` file small enough for rows."""
    names = [p.name.lower() for p in (path, *outputs)]
    if not all(n.endswith(".csv") for n in names):
        return False
    try:
        return path.is_file() and path.stat().st_size <= SMALL_CSV_BYTES
    except OSError:
        return False


def read_rows(path: Path) -> tuple[list[str], list[list[str | None]]] | None:
    """The header (names stripped) and the rows of a small CSV file, or ``None`` when the file
    needs the pandas reader (a blank first line or an empty header name, which pandas renames).

    Raises:
        InputError: as :func:`~tickermap.tables.read_table` (missing, not UTF-8, ragged, ...).
    """
    if not path.exists() or path.is_dir():
        return None  # read_table words these errors
    text, delimiter, header = csv_text(path)
    names = [h.strip() for h in header]
    if not names or not all(names) or text.startswith(("\n", "\r")):
        return None
    width = len(names)
    rows: list[list[str | None]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    for row in reader:
        if not row:
            continue  # pandas skips blank lines
        if len(row) > width:
            raise ragged_row(path, text, delimiter, width)
        cells: list[str | None] = [v if v != "" else None for v in row]
        rows.append(cells + [None] * (width - len(row)))
    return names, rows


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    return guard_cell(value)


def write_rows(header: Sequence[str], rows: Sequence[Sequence[Cell]], path: Path) -> Path:
    """Write rows as :func:`~tickermap.tables.write_table` writes the same frame to CSV.

    Returns:
        The path written.

    Raises:
        ConfigError: the path is a folder, has an unknown extension or cannot be written.
    """
    target = check_table_path(path)
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator=os.linesep)
        writer.writerow(header)
        writer.writerows([_text(v) for v in row] for row in rows)
    return target
