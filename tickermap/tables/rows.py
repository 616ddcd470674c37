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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tickermap.tables.read import csv_text, ragged_row
from tickermap.tables.write import atomic_path, check_table_path, guard_cell

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "SMALL_CSV_BYTES",
    "Cell",
    "column_cells",
    "is_small_csv",
    "read_rows",
    "write_columns",
    "write_rows",
]

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


def column_cells(values: np.ndarray) -> list[str]:
    """One array's CSV cells as ``DataFrame.to_csv`` writes that column (before the formula
    guard, which :func:`write_rows` applies to every cell).

    Floats are NumPy's shortest round-trip text (pandas calls ``astype(str)`` too) and NaN an
    empty cell; integers and booleans as text; dates ``YYYY-MM-DD`` (every value must be a
    midnight, as pandas writes a dates-only column), NaT empty; text as it is, ``None`` empty.

    >>> import numpy as np
    >>> column_cells(np.array([0.1, np.nan, 1e-05, 2.0]))
    ['0.1', '', '1e-05', '2.0']
    >>> column_cells(np.array(["2024-01-05", "NaT"], dtype="datetime64[us]"))
    ['2024-01-05', '']
    """
    import numpy as np

    kind = values.dtype.kind
    if kind == "f":
        text = values.astype(str)
        text[np.isnan(values)] = ""
        return list(text.tolist())
    if kind in "iub":
        return [str(v) for v in values.tolist()]
    if kind == "M":
        day = values.astype("datetime64[D]")
        if not bool((day == values)[~np.isnat(values)].all()):
            raise ValueError("a date column with times: write it through pandas")
        text = np.datetime_as_string(day, unit="D")
        text[np.isnat(values)] = ""
        return list(text.tolist())
    return ["" if v is None else str(v) for v in values.tolist()]


def write_columns(columns: Mapping[str, np.ndarray], path: Path) -> Path:
    """Write equal-length arrays as :func:`~tickermap.tables.write_table` writes the same frame
    to CSV (see :func:`column_cells`), atomically.

    Raises:
        ConfigError: the path is a folder, has an unknown extension or cannot be written.
    """
    cells = [column_cells(v) for v in columns.values()]
    return write_rows(list(columns), list(zip(*cells, strict=True)), path)
