"""Stream dated universe files into compact (ticker, date, entity) observations.

A Numerai v2.x ``train``/``validation``/``live`` file has ``date``, ``numerai_ticker``,
``composite_figi`` and hundreds of feature and target columns. Only the three identity columns are
read (column pruning), one Parquet row group (or one CSV block) at a time, and each batch is
turned into small integer codes at once: memory grows with the number of rows times 14 bytes, not
with the file size. Distinct values (a few thousand tickers, a few hundred dates) are parsed once.

Columns are found by name: the date is ``date`` or ``friday_date`` (int ``YYYYMMDD``), the ticker
``numerai_ticker``, ``bloomberg_ticker`` or ``ticker``, the entity ``composite_figi`` when present;
each can be named explicitly. The ticker column's name sets its namespace
(:func:`tickermap.tickers.namespace_for_column`); files in different namespaces cannot be mixed.

Bad input: an unparseable or empty date, a file mixing two date formats, a missing column or an
unreadable file raise :class:`~tickermap.errors.InputError` naming the file and row. Empty tickers,
tickers that do not parse and a file without the entity column are reported as findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tickermap.columns import COMPOSITE_FIGI
from tickermap.errors import ConfigError, InputError
from tickermap.history._dates import DateFormat, parse_date_value
from tickermap.history.files import (
    FileColumns,
    batches,
    resolve_columns,
)
from tickermap.history.findings import Finding
from tickermap.progress import Progress, ensure
from tickermap.tables import no_rows_error, table_format
from tickermap.tickers.parse import parse_ticker

__all__ = [
    "ENTITY",
    "Observations",
    "read_universe_files",
]

ENTITY = "entity"
"""The entity column's name in outputs when the inputs have none."""


@dataclass(frozen=True, slots=True)
class Observations:
    """Every usable row of the inputs, as integer codes.

    Attributes:
        ticker_column: the ticker column's name (outputs use it, e.g. ``numerai_ticker``).
        entity_column: the entity column's name, or :data:`ENTITY` when there is none.
        namespace: ``bloomberg``, ``numerai`` or ``other`` (a column name that implies neither).
        files: the input paths, in order (``frame.f`` indexes them).
        tickers: code -> ticker text.
        entities: code -> entity text.
        frame: ``t`` ticker code, ``d`` days since 1970-01-01, ``e`` entity code (-1: empty),
            ``f`` file index, ``row`` 1-based data row in that file.
        findings: what was reported while reading.
        rows_read: rows in the inputs (before any empty ticker was set aside).
    """

    ticker_column: str
    entity_column: str
    namespace: str
    files: tuple[Path, ...]
    tickers: list[str]
    entities: list[str]
    frame: pd.DataFrame
    findings: tuple[Finding, ...]
    rows_read: int


class _Registry:
    """Text -> dense integer code, shared by all batches and files."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.values: list[str] = []
        self.raw: dict[object, int] = {}  # value as read -> code (-1: empty), the fast path

    def _code(self, value: object) -> int:
        text = "" if value is None else str(value).strip()
        code = -1
        if text:
            found = self.index.get(text)
            if found is None:
                found = self.index[text] = len(self.values)
                self.values.append(text)
            code = found
        self.raw[value] = code
        return code

    def codes(self, values: Sequence[object]) -> np.ndarray:
        raw = self.raw
        got = [raw.get(v, -2) for v in values]
        for i, code in enumerate(got):
            if code == -2:
                got[i] = self._code(values[i])
        return np.asarray(got, dtype=np.int32)


def _dictionary(column: pa.ChunkedArray) -> tuple[np.ndarray, list[object]]:
    """(index per row, -1 when null; the distinct values) of one column of one batch."""
    arr = column.combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    indices = pc.fill_null(arr.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return indices, arr.dictionary.to_pylist()


def _where(cols: FileColumns, row: int) -> dict[str, object]:
    """InputError location: CSV gets the line (header is line 1), Parquet the data row."""
    if table_format(cols.path) == "csv":
        return {"path": cols.path, "line": row + 1}
    return {"path": cols.path}


class _FileReader:
    """Turns the batches of one file into code arrays, checking dates as it goes."""

    def __init__(self, cols: FileColumns, tickers: _Registry, entities: _Registry) -> None:
        self.cols = cols
        self.tickers = tickers
        self.entities = entities
        self.formats: dict[DateFormat, tuple[int, object]] = {}
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.rows = 0
        self.missing_tickers = 0
        self.first_missing: int | None = None

    def _dates(self, table: pa.Table, offset: int) -> np.ndarray:
        col = self.cols.date
        indices, values = _dictionary(table.column(col))
        empty = np.flatnonzero(indices < 0)
        if len(empty):
            row = offset + int(empty[0]) + 1
            raise InputError(
                f"empty date (data row {row}); every row needs a date",
                column=col,
                **_where(self.cols, row),  # type: ignore[arg-type]
            )
        days = np.empty(len(values), dtype=np.int32)
        codes, first_pos = np.unique(indices, return_index=True)
        first_row = dict(zip(codes.tolist(), (offset + first_pos + 1).tolist(), strict=True))
        for k, value in enumerate(values):
            parsed = parse_date_value(value)
            row = first_row.get(k, offset + 1)
            if parsed is None:
                raise InputError(
                    f"not a date (data row {row}); use YYYY-MM-DD, or YYYYMMDD as in friday_date",
                    column=col,
                    value=value,
                    **_where(self.cols, row),  # type: ignore[arg-type]
                )
            days[k], fmt = parsed
            self.formats.setdefault(fmt, (row, value))
            if len(self.formats) > 1:
                (f1, (r1, v1)), (f2, (r2, v2)) = sorted(self.formats.items(), key=lambda x: x[1][0])
                raise InputError(
                    f"the date column mixes two formats: {f1} ({v1!r}, data row {r1}) and {f2} "
                    f"({v2!r}, data row {r2}); write every date one way",
                    column=col,
                    **_where(self.cols, r2),  # type: ignore[arg-type]
                )
        return days[indices]

    def _codes(self, table: pa.Table, column: str, registry: _Registry) -> np.ndarray:
        parts = []
        for chunk in table.column(column).chunks:  # chunks may carry their own dictionaries
            if not pa.types.is_dictionary(chunk.type):
                chunk = pc.dictionary_encode(chunk)
            indices = pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False)
            codes = registry.codes(chunk.dictionary.to_pylist())
            parts.append(np.where(indices >= 0, codes[np.maximum(indices, 0)], -1))
        return np.concatenate(parts).astype(np.int32) if parts else np.empty(0, np.int32)

    def add(self, table: pa.Table, file_index: int) -> None:
        offset, n = self.rows, table.num_rows
        self.rows += n
        if n == 0:
            return
        d = self._dates(table, offset)
        t = self._codes(table, self.cols.ticker, self.tickers)
        if self.cols.entity is None:
            e = np.full(n, -1, dtype=np.int32)
        else:
            e = self._codes(table, self.cols.entity, self.entities)
        rows = np.arange(offset + 1, offset + n + 1, dtype=np.int64)
        keep = t >= 0
        if not keep.all():
            self.missing_tickers += int((~keep).sum())
            if self.first_missing is None:
                self.first_missing = int(rows[~keep][0])
            d, t, e, rows = d[keep], t[keep], e[keep], rows[keep]
        f = np.full(len(t), file_index, dtype=np.int16)
        self.parts.append((t, d, e, f, rows))


def _check_namespaces(columns: list[FileColumns]) -> None:
    first = columns[0]
    for cols in columns[1:]:
        if cols.namespace != first.namespace:
            raise InputError(
                f"its tickers ({cols.ticker!r}, {cols.namespace} namespace) cannot be mixed with "
                f"those of {str(first.path)!r} ({first.ticker!r}, {first.namespace} namespace): "
                "the same two letters mean different countries (CH, CN, GR, ID, IT, PL); convert "
                "one file first with `tickermap symbols FILE --to bloomberg` (or --to numerai)",
                path=cols.path,
                column=cols.ticker,
            )


def _bad_tickers(
    obs_t: np.ndarray,
    files: np.ndarray,
    rows: np.ndarray,
    tickers: list[str],
    namespace: str,
    paths: Sequence[Path],
) -> list[Finding]:
    if namespace not in ("bloomberg", "numerai"):
        return []
    bad = {}
    for code, text in enumerate(tickers):
        parsed = parse_ticker(text, namespace=namespace)  # type: ignore[arg-type]
        if parsed.error is not None:
            bad[code] = parsed.message
    if not bad:
        return []
    mask = np.isin(obs_t, np.fromiter(bad, dtype=np.int32))
    sub = pd.DataFrame({"t": obs_t[mask], "f": files[mask], "row": rows[mask]})
    out = []
    for _, group in sub.groupby("t", sort=True):
        code = int(group["t"].iloc[0])
        out.append(
            Finding(
                "bad_ticker",
                str(paths[int(group["f"].iloc[0])]),
                int(group["row"].iloc[0]),
                "",
                tickers[code],
                "",
                len(group),
                f"{bad[code]}; kept as written",
            )
        )
    return out


def read_universe_files(
    paths: Sequence[str | Path],
    *,
    date_column: str | None = None,
    ticker_column: str | None = None,
    entity_column: str | None = None,
    progress: Progress | None = None,
) -> Observations:
    """Read dated universe files (CSV or Parquet) into :class:`Observations`, streaming.

    Args:
        paths: the files, in any order (train, validation, live, old bloomberg-era files).
        date_column: the date column (default ``date``, else ``friday_date``).
        ticker_column: the ticker column (default ``numerai_ticker``, ``bloomberg_ticker``,
            ``ticker``).
        entity_column: the entity column (default ``composite_figi`` where present). A file
            without it is reported (``entity_unavailable``); no file having it is an error.

    Raises:
        InputError: missing file or column, unreadable file, bad or mixed-format dates,
            files in different ticker namespaces.
        ConfigError: no paths.
    """
    if not paths:
        raise ConfigError("give at least one dated universe file")
    prog = ensure(progress)
    files = tuple(Path(p) for p in paths)
    columns = [resolve_columns(p, date_column, ticker_column, entity_column) for p in files]
    _check_namespaces(columns)
    if entity_column is not None and all(c.entity is None for c in columns):
        raise InputError(
            f"no input has the entity column {entity_column!r}; check --entity-column",
            path=files[0],
            line=1,
        )
    any_entity = any(c.entity is not None for c in columns)
    entity_name = (entity_column or COMPOSITE_FIGI) if any_entity else ENTITY
    tickers, entities = _Registry(), _Registry()
    findings: list[Finding] = []
    parts: list[tuple[np.ndarray, ...]] = []
    rows_read = 0
    for index, cols in enumerate(columns):
        reader = _FileReader(cols, tickers, entities)
        prog.start(f"history: {cols.path.name}", None)
        for table in batches(cols):
            reader.add(table, index)
            prog.advance(table.num_rows)
        prog.finish()
        if reader.rows == 0:
            raise no_rows_error(
                cols.path,
                "a history file needs one row per (date, ticker): add rows or leave the file out",
            )
        parts.extend(reader.parts)
        rows_read += reader.rows
        findings.extend(_file_findings(cols, reader, entity_name if any_entity else None))
    stacked = [np.concatenate([p[i] for p in parts]) if parts else np.empty(0) for i in range(5)]
    frame = pd.DataFrame(
        {
            "t": stacked[0].astype(np.int32),
            "d": stacked[1].astype(np.int32),
            "e": stacked[2].astype(np.int32),
            "f": stacked[3].astype(np.int16),
            "row": stacked[4].astype(np.int64),
        }
    )
    namespace = columns[0].namespace
    findings.extend(
        _bad_tickers(stacked[0], stacked[3], stacked[4], tickers.values, namespace, files)
    )
    return Observations(
        ticker_column=columns[0].ticker,
        entity_column=entity_name,
        namespace=namespace,
        files=files,
        tickers=tickers.values,
        entities=entities.values,
        frame=frame,
        findings=tuple(findings),
        rows_read=rows_read,
    )


def _file_findings(cols: FileColumns, reader: _FileReader, entity: str | None) -> list[Finding]:
    out = []
    if reader.missing_tickers:
        out.append(
            Finding(
                "missing_ticker",
                str(cols.path),
                reader.first_missing,
                "",
                "",
                "",
                reader.missing_tickers,
                f"{reader.missing_tickers} row(s) have an empty {cols.ticker!r}; they cannot be "
                "placed in the history and were set aside",
            )
        )
    if cols.entity is None and entity is not None:
        name = entity
        out.append(
            Finding(
                "entity_unavailable",
                str(cols.path),
                None,
                "",
                "",
                "",
                reader.rows,
                f"the file has no {name!r} column: its {reader.rows} rows have no entity, so "
                "no reuse or rename can be seen in them",
            )
        )
    return out
