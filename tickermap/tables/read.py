"""Reading user tables (CSV, gzipped CSV or Parquet, chosen by extension), safely.

Every parser failure becomes an :class:`~tickermap.errors.InputError` that names the file, the
line and what to do; pandas/pyarrow/gzip errors never escape this module.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tickermap.errors import InputError
from tickermap.tables.formats import table_format

if TYPE_CHECKING:  # imported where a frame is built: tables.rows reads small CSVs without it
    import pandas as pd

__all__ = [
    "csv_text",
    "no_rows_error",
    "parquet_names",
    "ragged_row",
    "read_table",
    "require_columns",
]

_PARQUET_MAGIC = b"PAR1"


def _sniff_delimiter(path: Path, first: str) -> str:
    if path.name.lower().endswith((".tsv", ".tsv.gz")):
        return "\t"
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _check_header(path: Path, header: Sequence[str], delimiter: str) -> None:
    seen: dict[str, int] = {}
    for i, col in enumerate(header):
        name = str(col).strip()
        if name in seen:
            raise InputError(
                f"the header repeats column {name!r} (positions {seen[name] + 1} and {i + 1}); "
                "rename or drop one of them",
                path=path,
                line=1,
                column=name,
            )
        seen[name] = i
    if len(header) == 1 and delimiter == ",":
        only = str(header[0])
        for other in (";", "\t", "|"):
            if other in only:
                raise InputError(
                    f"the header has a single column {only[:60]!r} containing {other!r}; the file "
                    f"seems to be delimited by {other!r}, not ','; save it as comma-separated CSV",
                    path=path,
                    line=1,
                )


def _ragged(path: Path, text: str, delimiter: str, width: int, hint: str = "") -> InputError:
    """Name the first row with more fields than the header (pandas' own line count skips the
    extra lines of quoted multi-line cells, so the file is re-scanned for the physical line)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous, line, fields = 0, None, 0
    for row in reader:
        start, previous = previous + 1, reader.line_num
        if len(row) > width:
            line, fields = start, len(row)
            break
    if line is None:  # not found in the text we have (e.g. .gz): trust pandas' message
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", hint)
        if found is None:
            return InputError(
                "a row has more fields than the header; check the delimiter and quoting",
                path=path,
            )
        width, line, fields = (int(g) for g in found.groups())
    return InputError(
        f"this row has {fields} fields but the header has {width}; quote values that contain "
        f"{delimiter!r}, or check the delimiter",
        path=path,
        line=line,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from exc
    if not path.name.lower().endswith(".gz"):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"not a valid gzip file ({exc}); re-compress it with gzip, or drop the .gz suffix "
            "if it is plain CSV",
            path=path,
        ) from exc


def csv_text(path: Path) -> tuple[str, str, list[str]]:
    """The decoded text of a CSV file, its delimiter and its checked header row.

    Raises:
        InputError: unreadable, not gzip, Parquet bytes, not UTF-8, empty, repeated header
            column, a single-column header that looks like another delimiter.
    """
    raw = _read_bytes(path)
    if raw.startswith(_PARQUET_MAGIC):
        raise InputError("this is a Parquet file with a CSV name; rename it to .parquet", path=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte {raw[exc.start : exc.start + 1]!r} at offset {exc.start} is not UTF-8; "
            "re-save the file as UTF-8 (in Excel: 'CSV UTF-8')",
            path=path,
            line=line,
        ) from exc
    del raw
    if not text.strip():
        raise InputError("the file is empty; expected a header row and data rows", path=path)
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).rstrip("\r")  # the whole header, however long
    delimiter = _sniff_delimiter(path, first)
    try:
        header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    except csv.Error:
        header = []
    _check_header(path, header, delimiter)
    return text, delimiter, header


def ragged_row(path: Path, text: str, delimiter: str, width: int) -> InputError:
    """The error for the first row of ``text`` with more fields than the header's ``width``."""
    return _ragged(path, text, delimiter, width)


_QUOTE_RE = re.compile(r"EOF inside string starting at row (\d+)")
"""pandas' C parser's message for an unclosed quote; its row counts the header as row 0."""


def _read_csv(path: Path, usecols: Sequence[str] | None) -> pd.DataFrame:
    import pandas as pd

    text, delimiter, header = csv_text(path)
    source, full = io.StringIO(text), text
    try:
        with warnings.catch_warnings():
            # index_col=False: a first data row with one field more than the header must not
            # silently become the index (pandas' default), shifting every column by one.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                source,
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                usecols=list(usecols) if usecols else None,
                engine="c",
                index_col=False,
            )
    except pd.errors.EmptyDataError as exc:
        raise InputError("the file has no header row", path=path) from exc
    except pd.errors.ParserWarning as exc:
        raise _ragged(path, full, delimiter, len(header)) from exc
    except pd.errors.ParserError as exc:
        if (quote := _QUOTE_RE.search(str(exc))) is not None:
            raise InputError(
                "a quoted field opened on this line is never closed; close the quote or remove "
                "it (a field with a comma or line break inside must be quoted at both ends)",
                path=path,
                line=int(quote.group(1)) + 1,
            ) from exc
        if "fields in line" not in str(exc):
            raise InputError(
                f"cannot parse as CSV ({exc}); check the delimiter and quoting", path=path
            ) from exc
        raise _ragged(path, full, delimiter, len(header), str(exc)) from exc
    except ValueError as exc:  # usecols naming absent columns
        raise InputError(str(exc), path=path) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("no such file; check the path", path=path)
    if path.is_dir():
        raise InputError("this is a folder, not a table file", path=path)


def _check_parquet(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from exc
    if head != _PARQUET_MAGIC:
        raise InputError(
            "this is not a Parquet file (no PAR1 magic bytes); if it is CSV, rename it to .csv",
            path=path,
        )


def parquet_names(path: str | Path) -> list[str]:
    """The column names of a Parquet file, with :func:`read_table`'s errors.

    Raises:
        InputError: missing, a folder, not Parquet, or a footer that cannot be read.
    """
    import pyarrow.parquet as pq

    p = Path(path)
    _check_file(p)
    _check_parquet(p)
    try:
        return [str(n) for n in pq.read_schema(p).names]
    except Exception as exc:  # pyarrow raises many types; all mean the same thing to a user
        raise InputError(f"cannot read as Parquet: {exc}", path=p) from exc


def _read_parquet(path: Path, usecols: Sequence[str] | None) -> pd.DataFrame:
    import pandas as pd

    _check_parquet(path)
    try:
        return pd.read_parquet(path, columns=list(usecols) if usecols else None)
    except Exception as exc:  # pyarrow raises many types; all mean the same thing to a user
        raise InputError(f"cannot read as Parquet: {exc}", path=path) from exc


def read_table(path: str | Path, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a CSV (all columns as strings) or Parquet file into a DataFrame.

    Args:
        path: the file; ``.parquet``/``.pq`` is Parquet, anything else CSV (delimiter sniffed).
        columns: read only these columns (all must exist).

    Returns:
        The table; CSV values are strings with empty cells as NaN.

    Raises:
        InputError: missing, empty, undecodable, duplicated header, wrong delimiter, not Parquet.
    """
    p = Path(path)
    _check_file(p)
    frame = _read_parquet(p, columns) if table_format(p) == "parquet" else _read_csv(p, columns)
    if frame.shape[1] == 0:
        raise InputError("the file has no columns", path=p)
    return frame


def require_columns(
    frame: pd.DataFrame, required: Sequence[str], *, path: str | Path | None = None, hint: str = ""
) -> None:
    """Raise :class:`InputError` naming the missing columns and the ones present.

    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"])
    """
    missing = [c for c in required if c not in frame.columns]
    if missing:
        present = ", ".join(map(repr, list(frame.columns)[:20]))
        raise InputError(
            f"missing required column(s) {', '.join(map(repr, missing))}; the header has "
            f"{present}{'; ' + hint if hint else ''}",
            path=path,
            line=1,
        )


def no_rows_error(path: str | Path, hint: str) -> InputError:
    """The error for a table file with a header and no data rows (line 1 of a CSV), with what
    that means for the command (``hint``).

    >>> str(no_rows_error("s.csv", "nothing to measure"))
    's.csv, line 1: the file has a header but no data rows; nothing to measure'
    """
    return InputError(
        f"the file has a header but no data rows; {hint}",
        path=path,
        line=1 if table_format(path) == "csv" else None,
    )
