"""Numerai's files as they are: column detection, and reading by date with column pruning.

* The signal column is ``signal`` or ``prediction`` (numerai-tools ``SIGNALS_ALLOWED_PRED_COLS``)
  or named with ``--signal-column``; the ID column one of ``SIGNALS_ALLOWED_ID_COLS``; the date
  ``date`` or ``friday_date`` (``YYYY-MM-DD``, ``YYYYMMDD`` or a Parquet date/timestamp).
* Parquet inputs (neutralizers, sample weights: hundreds of columns, gigabytes) are never read
  whole: the date column is read first, then each block of dates with a ``pyarrow.dataset``
  filter (row groups whose statistics miss the dates are skipped) and only the needed columns.
* An input keyed ``bloomberg_ticker`` when the signal is keyed ``numerai_ticker`` (or the other
  way round) is converted (:func:`tickermap.tickers.bloomberg_to_numerai`); other ID mismatches
  are an :class:`~tickermap.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tickermap.columns import SIGNAL_COLUMNS, detect_signal_column
from tickermap.errors import InputError
from tickermap.exposure.row_order import sorted_unique
from tickermap.tables import Where, parse_numbers, read_table, table_format

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "DATE_COLUMNS",
    "ID_COLUMNS",
    "SIGNAL_COLUMNS",
    "Source",
    "detect_signal_column",
    "open_source",
    "parse_dates",
]

ID_COLUMNS = ("numerai_ticker", "bloomberg_ticker", "composite_figi", "ticker", "sedol")
"""numerai-tools ``SIGNALS_ALLOWED_ID_COLS`` (in the order tickermap looks for them)."""
DATE_COLUMNS = ("date", "friday_date")
_CONVERTIBLE = {"numerai_ticker", "bloomberg_ticker"}


def _pick(columns: Sequence[str], options: Sequence[str], what: str, path: Path) -> str:
    for c in options:
        if c in columns:
            return c
    raise InputError(
        f"no {what} column (one of {', '.join(options)}); the header has "
        f"{', '.join(map(repr, list(columns)[:12]))}",
        path=path,
        line=1,
    )


def parse_dates(raw: pd.Series, path: Path, column: str) -> pd.Series:
    """Dates as ``datetime64[ns]``; a bad value raises naming its line (CSV) and value."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return raw.astype("datetime64[ns]")
    text = raw.astype(str)
    compact = bool(text.str.fullmatch(r"\d{8}").all())
    parsed = pd.to_datetime(text, errors="coerce", format="%Y%m%d" if compact else "ISO8601")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        line = int(bad[0]) + 2 if table_format(path) == "csv" else None
        raise InputError(
            "not a date (use YYYY-MM-DD or YYYYMMDD)",
            path=path,
            line=line,
            column=column,
            value=raw.iloc[int(bad[0])],
        )
    return parsed.astype("datetime64[ns]")


def _numeric(frame: pd.DataFrame, columns: Sequence[str], path: Path, whole: bool) -> pd.DataFrame:
    """Value columns as float64 by the one number parser (NA tokens are missing; text and
    infinities raise naming the cell: its line for CSV, its row for a whole Parquet file)."""
    if _finite_floats(frame, columns):  # numbers already (Parquet): nothing to parse; the
        return frame  # block converts them to float64 once, into its own matrix
    csv = table_format(path) == "csv"
    where = Where(path, first_line=2 if csv else None, named_rows=whole or csv)
    for col in columns:
        frame[col] = parse_numbers(frame[col], column=col, where=where).to_numpy()
    return frame


def _finite_floats(frame: pd.DataFrame, columns: Sequence[str]) -> bool:
    """Whether the columns are all NumPy floats with nothing infinite: the parser would only
    widen them to float64 (which every reader of the frame does anyway)."""
    for c in columns:
        dtype = frame[c].dtype
        if not (isinstance(dtype, np.dtype) and dtype.kind == "f"):
            return False
    return not any(np.isinf(frame[c].to_numpy()).any() for c in columns)


@dataclass
class Source:
    """One input file: which columns mean what, and its rows for any set of dates.

    Attributes:
        path: the file.
        name: the input's role (``signal``, ``targets``, ``neutralizers``, ...).
        id_col / date_col: its ID and date columns.
        value_cols: the value columns read (renamed to ``name`` for single-value inputs).
        dates: the distinct dates in the file.
        convert: ``bloomberg_to_numerai`` style conversion to the signal's ID column, or None.
    """

    path: Path
    name: str
    id_col: str
    date_col: str
    value_cols: list[str]
    dates: pd.DatetimeIndex
    frame: pd.DataFrame | None = None
    raw_dates: dict[object, object] = field(default_factory=dict)
    convert: str | None = None
    _rows: dict[object, np.ndarray] | None = field(default=None, repr=False)

    def read(self, dates: Sequence[np.datetime64] | np.ndarray, id_col: str) -> pd.DataFrame:
        """``date, <id_col>, values`` for these dates (rows of other dates never leave disk)."""
        if self.frame is not None:
            if self._rows is None:  # row positions of each date, found once
                groups = self.frame.groupby("date", sort=False).indices
                self._rows = {k: np.asarray(v) for k, v in groups.items()}
            rows = self._rows
            pos = [rows[d] for d in pd.DatetimeIndex(np.asarray(dates)) if d in rows]
            at = np.concatenate(pos) if pos else np.zeros(0, dtype=np.int64)
            if len(at) and at[-1] - at[0] + 1 == len(at) and (np.diff(at) == 1).all():
                frame = self.frame.iloc[int(at[0]) : int(at[-1]) + 1]  # contiguous: no copy
            else:
                frame = self.frame.iloc[at]
        else:
            keys = pd.DatetimeIndex(np.asarray(dates)).to_numpy()
            wanted = [self.raw_dates[d] for d in keys if d in self.raw_dates]
            frame = self._tidy(self._table(wanted).to_pandas(), whole=False)
        if self.convert is not None:
            frame = self._converted(frame, id_col)
        return frame.rename(columns={self.id_col: id_col}) if self.id_col != id_col else frame

    def _table(self, wanted: list[object]) -> pa.Table:
        """The needed columns of the rows on the ``wanted`` raw dates (all of them: no filter)."""
        import pyarrow.dataset as ds
        import pyarrow.parquet as pq

        cols = [self.date_col, self.id_col, *self.value_cols]
        try:
            if len(set(wanted)) == len(self.raw_dates):  # every date: a plain column read
                return pq.read_table(self.path, columns=cols)
            dataset = ds.dataset(str(self.path), format="parquet")
            return dataset.to_table(columns=cols, filter=ds.field(self.date_col).isin(wanted))
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise InputError(f"cannot read as Parquet: {exc}", path=self.path) from exc

    def _tidy(self, frame: pd.DataFrame, *, whole: bool) -> pd.DataFrame:
        frame = frame.rename(columns={self.date_col: "date"})
        frame["date"] = parse_dates(frame["date"], self.path, self.date_col)
        frame[self.id_col] = frame[self.id_col].astype(str)
        frame = _numeric(frame, self.value_cols, self.path, whole)
        if len(self.value_cols) == 1 and self.name not in ("neutralizers", "features"):
            frame = frame.rename(columns={self.value_cols[0]: self.name})
        if sorted_unique(frame["date"], frame[self.id_col]):  # the usual layout: no hashing
            return frame
        dup = frame.duplicated(["date", self.id_col])
        if dup.any():
            pos = int(np.flatnonzero(dup.to_numpy())[0])
            raise InputError(
                f"duplicate (date, {self.id_col}) row ({int(dup.sum())} in total); keep one "
                "row per ticker and date",
                path=self.path,
                line=pos + 2 if table_format(self.path) == "csv" else None,
                column=self.id_col,
                value=frame[self.id_col].iloc[pos],
            )
        return frame

    def _converted(self, frame: pd.DataFrame, id_col: str) -> pd.DataFrame:
        from tickermap.tickers import bloomberg_to_numerai, numerai_to_bloomberg

        fn = bloomberg_to_numerai if id_col == "numerai_ticker" else numerai_to_bloomberg
        uniq = pd.unique(frame[self.id_col])
        mapping = {u: fn(u) for u in uniq}
        frame = frame.assign(**{self.id_col: frame[self.id_col].map(mapping)})
        return frame[frame[self.id_col].notna()]

    @property
    def value_names(self) -> list[str]:
        """The value columns as they appear in :meth:`read` frames."""
        if len(self.value_cols) == 1 and self.name not in ("neutralizers", "features"):
            return [self.name]
        return list(self.value_cols)


def _distinct_dates(path: Path, column: str) -> pd.Series:
    """The distinct values of a Parquet file's date column, in file order, as pandas reads
    them (only the distinct values leave Arrow)."""
    import pyarrow.parquet as pq

    try:
        distinct = pq.read_table(path, columns=[column]).column(0).unique()
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise InputError(f"cannot read as Parquet: {exc}", path=path) from exc
    return pd.Series(distinct.to_pandas(), name=column)


def open_source(
    path: Path,
    name: str,
    *,
    value_col: str | None = None,
    value_candidates: Sequence[str] = (),
    prefix: str | None = None,
    id_col: str | None = None,
) -> Source:
    """Open an input: detect its columns; read it whole unless it is Parquet.

    Args:
        path: CSV or Parquet.
        name: the input's role.
        value_col: the value column, when named by an option.
        value_candidates: otherwise the first of these present (single-value inputs).
        prefix: matrix inputs: the value columns are those starting with it (else every numeric
            column besides ID and date).
        id_col: the ID column, when named; else the first of :data:`ID_COLUMNS` present.
    """
    parquet = table_format(path) == "parquet"
    if not path.is_file():
        what = "a folder, not a table file" if path.is_dir() else "no such file; check the path"
        raise InputError(what, path=path)
    if parquet:
        import pyarrow.parquet as pq

        try:
            schema = pq.read_schema(path)
        except Exception as exc:
            raise InputError(f"cannot read as Parquet: {exc}", path=path) from exc
        columns = [str(c) for c in schema.names if not str(c).startswith("__index_level")]
    else:
        frame = read_table(path)
        columns = [str(c) for c in frame.columns]
    idc = id_col if id_col in columns else _pick(columns, ID_COLUMNS, "ID", path)
    datec = _pick(columns, DATE_COLUMNS, "date", path)
    if name == "signal" or value_col is not None:
        values = [detect_signal_column(columns, value_col, path)]
    elif value_candidates:
        values = [_pick(columns, value_candidates, f"{name} value", path)]
    else:
        rest = [c for c in columns if c not in (idc, datec) and c != "data_type"]
        values = [c for c in rest if prefix is None or c.startswith(prefix)] or rest
        if parquet:
            import pyarrow.types as pat

            kinds = {f.name: f.type for f in schema}
            values = [c for c in values if pat.is_floating(kinds[c]) or pat.is_integer(kinds[c])]
        if not values:
            raise InputError(f"no {name} columns found", path=path, line=1)
    src = Source(path, name, idc, datec, values, pd.DatetimeIndex([]))
    if parquet and name == "signal":  # the signal is small and decides the dates: read it once
        frame = read_table(path, columns=[datec, idc, *values])
        parquet = False
    if parquet:
        raw = _distinct_dates(path, datec)
        parsed = parse_dates(raw, path, datec)
        src.raw_dates = dict(zip(parsed.to_numpy(), raw.tolist(), strict=True))
        src.raw_dates = {
            k: v.to_pydatetime() if isinstance(v, pd.Timestamp) else v
            for k, v in src.raw_dates.items()
        }
        src.dates = pd.DatetimeIndex(sorted(src.raw_dates))
    else:
        src.frame = src._tidy(frame[[datec, idc, *values]].copy(), whole=True)
        src.dates = pd.DatetimeIndex(np.sort(src.frame["date"].unique()))
    return src
