"""Reading the exposure inputs: the signal and the features (whole, or streamed per date batch).

Numbers and dates go through :mod:`tickermap.tables.parse`, like every command: NA tokens are
missing, ISO or ``YYYYMMDD`` dates, non-finite numbers refused. Every problem is an
:class:`~tickermap.errors.InputError` naming the file, line (CSV) or row (Parquet), column and
value.

Streaming: a Parquet features file larger than :data:`STREAM_BYTES` (or ``stream=True``) is read
per batch of :data:`DATES_PER_BATCH` dates with a ``pyarrow.dataset`` filter on the date column,
so only one batch of feature rows is in memory; the results are identical (every number is per
date).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tickermap.columns import DATE, SIGNAL, detect_signal_column, pick_key
from tickermap.errors import InputError
from tickermap.exposure.fast import STREAM_BYTES
from tickermap.exposure.row_order import sorted_unique
from tickermap.progress import Progress
from tickermap.tables import (
    Where,
    no_rows_error,
    parquet_names,
    parse_dates,
    parse_numbers,
    read_table,
    table_format,
)

__all__ = ["DATES_PER_BATCH", "STREAM_BYTES", "feature_batches", "load_numeric", "read_signal"]

DATES_PER_BATCH = 20


def _where(path: Path) -> Where:
    # CSV line numbers: the header is line 1; Parquet cells are named by row
    return Where(path, 2 if table_format(path) == "csv" else None)


def load_numeric(
    frame: pd.DataFrame, columns: Sequence[str], path: Path, *, where: Where | None = None
) -> pd.DataFrame:
    """Convert ``columns`` to float64 in place of strings; a bad cell raises with its line.

    Raises:
        InputError: naming the file, line, column and value that is not a finite number.
    """
    at = where or _where(path)
    for col in columns:
        if frame[col].dtype != np.float64 or np.isinf(frame[col].to_numpy()).any():
            frame[col] = parse_numbers(frame[col], column=col, where=at).to_numpy()
    return frame


def _check_duplicates(frame: pd.DataFrame, key: str, path: Path) -> None:
    if sorted_unique(frame[DATE], frame[key]):  # the usual layout: no hashing needed
        return
    dup = frame.duplicated([DATE, key])
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise _where(path).fail(
            f"duplicate ({DATE}, {key}) row ({int(dup.sum())} in total); keep one row per "
            "ticker and date",
            pos=pos,
            column=key,
            value=frame[key].iloc[pos],
        )


def _prepare(
    frame: pd.DataFrame,
    key: str,
    numeric: Sequence[str],
    path: Path,
    *,
    where: Where | None = None,
    duplicates: bool = True,
) -> pd.DataFrame:
    if DATE not in frame.columns:
        raise InputError(f"missing required column {DATE!r}", path=path, line=1)
    at = where or _where(path)
    frame[DATE] = parse_dates(frame[DATE], column=DATE, where=at).to_numpy()
    if duplicates:
        _check_duplicates(frame, key, path)
    return load_numeric(frame, numeric, path, where=at)


def read_signal(path: Path, key: str | None, column: str | None = None) -> tuple[pd.DataFrame, str]:
    """``(date, <key>, signal)`` typed, and the key column used.

    The value column is ``column``, else ``signal``, else ``prediction`` (renamed ``signal``).
    """
    raw = read_table(path)
    if raw.empty:
        raise no_rows_error(path, "there is no signal to measure")
    col = detect_signal_column(list(raw.columns), column, path)  # both names: say which
    if col != SIGNAL:
        raw = raw.drop(columns=[SIGNAL], errors="ignore").rename(columns={col: SIGNAL})
    skey = pick_key([c for c in raw.columns if c != SIGNAL], key, path, "signal")
    frame = blank_keys_missing(raw[[DATE, skey, SIGNAL]].copy(), skey)
    return _prepare(frame, skey, [SIGNAL], path), skey  # a missing key: an unmatched row


def blank_keys_missing(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Empty or blank keys as missing, as an empty CSV cell is (a Parquet file can hold ``""``)."""
    keys = frame[key]
    if keys.dtype == object or isinstance(keys.dtype, pd.StringDtype):
        blank = keys.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
        if blank.any():
            frame[key] = keys.mask(blank)
    return frame


def _require_keys(frame: pd.DataFrame, key: str, path: Path) -> None:
    """A feature row without its key cannot be joined: stop at the first, naming it."""
    missing = frame[key].isna().to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise _where(path).fail(
            f"missing {key} ({int(missing.sum())} feature rows in total); fill it in or drop "
            "those rows",
            pos=pos,
            column=key,
            value="",
        )


def feature_batches(
    path: Path, key: str | None, stream: bool | None, progress: Progress
) -> tuple[pd.DataFrame, Iterator[pd.DataFrame]]:
    """(date and key of every feature row, an iterator over feature batches by date)."""
    parquet = table_format(path) == "parquet"
    if stream is None:
        stream = parquet and path.is_file() and path.stat().st_size > STREAM_BYTES
    if stream and not parquet:
        raise InputError("streaming needs a Parquet features file; convert it", path=path)
    if not stream:
        frame = read_table(path)
        if frame.empty:
            raise no_rows_error(path, "there are no features to measure against")
        key = pick_key(list(frame.columns), key, path, "features")
        _require_keys(blank_keys_missing(frame, key), key, path)
        numeric = [c for c in frame.columns if c not in (DATE, key)]
        frame = _prepare(frame, key, numeric, path)
        return frame[[DATE, key]], iter([frame])
    import pyarrow.dataset as ds  # only needed when streaming

    key = pick_key(parquet_names(path), key, path, "features")
    key_frame = read_table(path, columns=[DATE, key])
    _require_keys(blank_keys_missing(key_frame, key), key, path)
    raw_dates = key_frame[DATE].drop_duplicates().sort_values()
    keys = _prepare(key_frame, key, [], path)
    step = DATES_PER_BATCH
    batches = [raw_dates.iloc[i : i + step] for i in range(0, len(raw_dates), step)]

    def gen() -> Iterator[pd.DataFrame]:
        dataset = ds.dataset(str(path), format="parquet")
        progress.start("features (streamed)", total=len(batches))
        for batch in batches:
            try:
                table = dataset.to_table(filter=ds.field(DATE).isin(batch.tolist()))
            except Exception as exc:  # pyarrow raises many types: a damaged data page
                raise InputError(f"cannot read as Parquet: {exc}", path=path) from exc
            frame = table.to_pandas()  # its keys were checked in key_frame: none is blank
            numeric = [c for c in frame.columns if c not in (DATE, key)]
            # rows of a batch are not file rows: name the column and value, not a row number
            at = Where(path, None, named_rows=False)
            yield _prepare(frame, key, numeric, path, where=at, duplicates=False)
            progress.advance(1)
        progress.finish()

    return keys, gen()
