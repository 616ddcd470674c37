"""Which columns of a dated universe file are read, and the file read in batches.

A history file's date column is ``date`` or ``friday_date``, its ticker column
``numerai_ticker``, ``bloomberg_ticker`` or ``ticker`` and its entity ``composite_figi`` when
present (each can be named). :func:`resolve_columns` finds them from the header alone (CSV header
line or Parquet schema) and :func:`batches` yields only those columns, one Parquet row group or
one CSV block at a time.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from tickermap.columns import BLOOMBERG_TICKER, COMPOSITE_FIGI, DATE, NUMERAI_TICKER
from tickermap.errors import ConfigError, InputError
from tickermap.tables import table_format
from tickermap.tickers.parse import namespace_for_column

__all__ = ["DATE_COLUMNS", "TICKER_COLUMN_NAMES", "FileColumns", "batches", "resolve_columns"]

DATE_COLUMNS = (DATE, "friday_date")
TICKER_COLUMN_NAMES = (NUMERAI_TICKER, BLOOMBERG_TICKER, "ticker")
_CSV_BLOCK = 1 << 24


@dataclass(frozen=True, slots=True)
class FileColumns:
    """Which columns of one file are read, and the ticker namespace they imply."""

    path: Path
    date: str
    ticker: str
    entity: str | None
    namespace: str


def _csv_header(path: Path) -> tuple[list[str], str]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            first = fh.readline(1 << 20)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc}", path=path) from exc
    if first.startswith(b"PAR1"):
        raise InputError("this is a Parquet file with a CSV name; rename it to .parquet", path=path)
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputError("the header is not UTF-8; re-save the file as UTF-8", path=path) from exc
    if not text.strip():
        raise InputError("the file is empty; expected a header row and data rows", path=path)
    counts = {d: text.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    names = [c.strip().strip('"') for c in text.split(delimiter if counts[delimiter] else ",")]
    return names, delimiter if counts[delimiter] else ","


def _columns_of(path: Path) -> list[str]:
    if not path.exists():
        raise InputError("no such file; check the path", path=path)
    if path.is_dir():
        raise InputError("this is a folder, not a table file", path=path)
    if table_format(path) == "csv":
        return _csv_header(path)[0]
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises many types; all mean the same to a user
        raise InputError(f"cannot read as Parquet: {exc}", path=path) from exc


def _pick(
    names: list[str], given: str | None, defaults: Sequence[str], path: Path, what: str
) -> str:
    if given is not None:
        if given not in names:
            raise InputError(
                f"no {what} column {given!r}; the header has {', '.join(map(repr, names[:12]))}",
                path=path,
                line=1,
            )
        return given
    for name in defaults:
        if name in names:
            return name
    raise InputError(
        f"no {what} column (looked for {', '.join(defaults)}); name it with --{what}-column",
        path=path,
        line=1,
    )


def resolve_columns(
    path: Path, date: str | None, ticker: str | None, entity: str | None
) -> FileColumns:
    """The columns of ``path`` to read: the given names, else the first default present."""
    names = _columns_of(path)
    date_col = _pick(names, date, DATE_COLUMNS, path, "date")
    ticker_col = _pick(names, ticker, TICKER_COLUMN_NAMES, path, "ticker")
    wanted = entity if entity is not None else COMPOSITE_FIGI
    try:
        namespace: str = namespace_for_column(ticker_col)
    except ConfigError:
        namespace = "other"
    return FileColumns(path, date_col, ticker_col, wanted if wanted in names else None, namespace)


def batches(cols: FileColumns) -> Iterator[pa.Table]:
    """The date, ticker and entity columns of the file, one row group or CSV block at a time."""
    wanted = [c for c in (cols.date, cols.ticker, cols.entity) if c is not None]
    if table_format(cols.path) == "parquet":
        import pyarrow.parquet as pq

        try:
            schema = pq.read_schema(cols.path)
            text = [
                c
                for c in (cols.ticker, cols.entity)
                if c is not None
                and (
                    pa.types.is_string(schema.field(c).type)
                    or pa.types.is_large_string(schema.field(c).type)
                )
            ]
            pf = pq.ParquetFile(cols.path, read_dictionary=text)  # decoded straight to codes
            for i in range(pf.num_row_groups):
                yield pf.read_row_group(i, columns=wanted)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read as Parquet: {exc}", path=cols.path) from exc
        return
    import pyarrow.csv as pacsv

    _, delimiter = _csv_header(cols.path)
    try:
        reader = pacsv.open_csv(
            cols.path,
            read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={c: pa.string() for c in wanted},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        for batch in reader:
            yield pa.Table.from_batches([batch])
    except (OSError, pa.ArrowException) as exc:
        if "UTF8" in str(exc) and (bad := _first_non_utf8(cols.path)) is not None:
            line, offset, byte = bad
            raise InputError(
                f"byte {byte!r} at offset {offset} is not UTF-8; re-save the file as UTF-8 "
                "(in Excel: 'CSV UTF-8')",
                path=cols.path,
                line=line,
            ) from exc
        raise InputError(
            f"cannot parse as CSV ({exc}); check the delimiter and quoting", path=cols.path
        ) from exc


def _first_non_utf8(path: Path) -> tuple[int, int, bytes] | None:
    """``(line, byte offset, byte)`` of the first byte that is not UTF-8, read in blocks."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    base, lines, carry = 0, 1, b""
    with opener(path, "rb") as fh:
        while block := fh.read(1 << 20):
            data, carry = carry + block, b""
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
                    carry, data = data[exc.start :], data[: exc.start]  # cut inside a character
                else:
                    line = lines + data[: exc.start].count(b"\n")
                    return line, base + exc.start, data[exc.start : exc.start + 1]
            base += len(data)
            lines += data.count(b"\n")
    return (lines, base, carry[:1]) if carry else None
