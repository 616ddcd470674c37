"""``tickermap exposure`` without pandas, for inputs shaped like Numerai's own files.

Importing pandas takes about 0.6 s, a third of an ``exposure`` run on 2,000 tickers x 120 dates.
When the inputs are what Numerai's files look like, :func:`fast_exposure` does the whole run
(read, exposures, churn, summaries, the five CSV files) with pyarrow and NumPy through the same
kernels as the pandas run (:mod:`~tickermap.exposure.kernels`,
:mod:`~tickermap.exposure.churn_arrays`), so its files are the same bytes
(``tests/test_exposure_fast.py`` compares them). It applies when:

* the signal and the features are Parquet files (features under :data:`STREAM_BYTES`) with the
  same key column, the same (date, key) rows, sorted by date then key, each pair once;
* dates are timestamps at midnight without time zone, keys text, values float64; no missing
  date, key or signal, and no infinity anywhere;
* no universe, history, neutralisation, plot or report, and ``--out`` is a ``.csv`` file.

Otherwise it returns None (the reason is logged at DEBUG) and the pandas run takes the inputs,
which also words every error: this path never raises for a bad input, it declines it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tickermap.columns import DATE, SIGNAL, detect_signal_column, pick_key
from tickermap.errors import InputError
from tickermap.exposure.command import ChurnLine, ExposureView, forum_rows, output_paths

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from tickermap.exposure.kernels import Method

__all__ = ["STREAM_BYTES", "fast_exposure"]

log = logging.getLogger(__name__)

STREAM_BYTES = 1 << 30
"""Parquet features files above 1 GiB are streamed per batch of dates (by the pandas run)."""

_NOT_FOR_FAST = ("universe_path", "history_path", "plot", "html_path")


@dataclass(frozen=True, slots=True)
class _Inputs:
    key: str
    dates: np.ndarray
    keys: pa.Array
    signal: np.ndarray
    names: list[str]
    features: list[np.ndarray]


class _Declined(Exception):
    """The inputs need the pandas run (the message says why, for the DEBUG log)."""


def fast_exposure(
    signal_path: Path,
    features_path: Path,
    out: Path,
    *,
    signal_key: str | None = None,
    signal_column: str | None = None,
    features_key: str | None = None,
    top_n: int | None = 50,
    methods: Sequence[Method] = ("numerai", "spearman"),
    **options: Any,
) -> tuple[ExposureView, list[Path]] | None:
    """The exposure run and its files, or None when the inputs need the pandas run.

    Takes the keywords of :func:`tickermap.exposure.run.run_exposure`; see the module doc for
    when it applies. The files and the view are those of the pandas run on the same inputs.
    """
    try:
        _check_options(out, options)
        inputs = _read(signal_path, features_path, signal_key, signal_column, features_key)
    except _Declined as why:
        log.debug("exposure: the pandas run takes these inputs (%s)", why)
        return None
    return _run(inputs, out, top_n, list(methods))


def _check_options(out: Path, options: dict[str, Any]) -> None:
    for name in _NOT_FOR_FAST:
        if options.get(name) is not None:
            raise _Declined(name)
    if options.get("neutralize_to"):
        raise _Declined("neutralisation")
    if options.get("stream"):
        raise _Declined("streaming asked")
    if not out.name.lower().endswith(".csv"):
        raise _Declined("not a .csv output")


def _parquet(path: Path) -> Any:
    import pyarrow.parquet as pq

    from tickermap.tables import table_format

    if table_format(path) != "parquet" or not path.is_file():
        raise _Declined(f"{path.name} is not a Parquet file")
    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises many types; the pandas run words the error
        raise _Declined(f"{path.name}: {exc}") from exc


def _pick(names: list[str], given: str | None, path: Path, what: str) -> str:
    try:
        return pick_key(names, given, path, what)
    except InputError as exc:
        raise _Declined(str(exc)) from exc


def _read(
    signal_path: Path,
    features_path: Path,
    signal_key: str | None,
    signal_column: str | None,
    features_key: str | None,
) -> _Inputs:
    if features_path.is_file() and features_path.stat().st_size > STREAM_BYTES:
        raise _Declined("a features file to stream")
    with contextlib.ExitStack() as files:  # both files closed on every path
        s_file = files.enter_context(contextlib.closing(_parquet(signal_path)))
        f_file = files.enter_context(contextlib.closing(_parquet(features_path)))
        s_names, f_names = list(s_file.schema_arrow.names), list(f_file.schema_arrow.names)
        if len(set(s_names)) < len(s_names) or len(set(f_names)) < len(f_names):
            raise _Declined("repeated column names")
        try:
            column = detect_signal_column(s_names, signal_column, signal_path)
        except InputError as exc:
            raise _Declined(str(exc)) from exc
        if DATE not in s_names or DATE not in f_names:
            raise _Declined("no signal or date column")
        others = [c for c in s_names if c not in (column, SIGNAL)]
        key = _pick(others, signal_key, signal_path, "signal")
        if _pick(f_names, features_key, features_path, "features") != key:
            raise _Declined("different key columns")
        names = [c for c in f_names if c not in (DATE, key)]
        if not names:
            raise _Declined("no feature column")
        try:
            s_tab = s_file.read(columns=[DATE, key, column])
            f_tab = f_file.read(columns=[DATE, key, *names])
        except Exception as exc:  # a damaged file: the pandas run words the error
            raise _Declined(str(exc)) from exc
        dates, keys = _rows(s_tab, f_tab, key)
        signal = _values(s_tab.column(column))
        return _Inputs(key, dates, keys, signal, names, _features(f_tab, names))


def _rows(s_tab: pa.Table, f_tab: pa.Table, key: str) -> tuple[np.ndarray, pa.Array]:
    """The shared (date, key) rows, when both tables have the same sorted, distinct ones."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from tickermap.exposure.kernels import non_decreasing

    if s_tab.num_rows != f_tab.num_rows or s_tab.num_rows < 2:
        raise _Declined("not the same rows")
    date_type = s_tab.schema.field(DATE).type
    if not (pa.types.is_timestamp(date_type) and date_type.tz is None):
        raise _Declined("dates are not plain timestamps")
    if f_tab.schema.field(DATE).type != date_type:
        raise _Declined("dates of different types")
    for tab in (s_tab, f_tab):
        key_type = tab.schema.field(key).type
        if not (pa.types.is_string(key_type) or pa.types.is_large_string(key_type)):
            raise _Declined("keys are not text")
        if tab.column(DATE).null_count or tab.column(key).null_count:
            raise _Declined("a missing date or key")
    dates = _datetimes(s_tab.column(DATE))
    if not np.array_equal(dates, _datetimes(f_tab.column(DATE))):
        raise _Declined("not the same dates")
    if not bool((dates.astype("datetime64[D]") == dates).all()):
        raise _Declined("dates with a time of day")
    keys = pc.cast(s_tab.column(key), pa.large_string()).combine_chunks()
    if not keys.equals(pc.cast(f_tab.column(key), pa.large_string()).combine_chunks()):
        raise _Declined("not the same keys")
    lengths = pc.utf8_length(pc.utf8_trim_whitespace(keys))  # int64 for large_string
    if bool((_numpy(lengths, "int64") == 0).any()):  # (a pyarrow scalar imports pandas)
        raise _Declined("a blank key (missing, as an empty CSV cell)")
    increasing = _numpy(pc.cast(pc.greater(keys[1:], keys[:-1]), pa.int8()), "int8") > 0
    new_date = dates[1:] != dates[:-1]
    if not (non_decreasing(dates) and bool((increasing | new_date).all())):
        raise _Declined("rows not sorted by (date, key), each pair once")
    return dates, keys


def _numpy(array: pa.Array | pa.ChunkedArray, dtype: str) -> np.ndarray:
    """A fixed-width Arrow array without nulls as NumPy, read from its buffer (no copy).

    pyarrow's own ``to_numpy`` (and ``numpy.asarray`` of an Arrow array) imports pandas.
    """
    import numpy as np
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    data = array.buffers()[1]
    return np.frombuffer(data, dtype=dtype, count=len(array) + array.offset)[array.offset :]


def _datetimes(column: pa.ChunkedArray) -> np.ndarray:
    """Timestamps as ``datetime64`` of their unit."""
    import pyarrow as pa

    unit = column.type.unit
    return _numpy(column.cast(pa.int64()), "int64").view(f"datetime64[{unit}]")


def _values(column: pa.ChunkedArray) -> np.ndarray:
    import numpy as np
    import pyarrow as pa

    if column.type != pa.float64() or column.null_count:
        raise _Declined("the signal is not float64 without missing values")
    values = _numpy(column, "float64")
    if not np.isfinite(values).all():
        raise _Declined("a signal that is NaN or infinite")
    return values


def _features(f_tab: pa.Table, names: list[str]) -> list[np.ndarray]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out = []
    for name in names:
        column = f_tab.column(name)
        if column.type != pa.float64():
            raise _Declined(f"feature {name!r} is not float64")
        values = _numpy(column, "float64")
        if column.null_count:  # NaN, as pandas reads them (pc.fill_null imports pandas)
            values = values.copy()
            values[_numpy(pc.cast(pc.is_null(column), pa.int8()), "int8") > 0] = np.nan
        if np.isinf(values).any():
            raise _Declined(f"feature {name!r} has an infinity")
        out.append(values)
    return out


def _run(inp: _Inputs, out: Path, top_n: int | None, methods: list[Method]) -> tuple[
    ExposureView, list[Path]
]:  # fmt: skip
    import numpy as np

    from tickermap.exposure.kernels import (
        PER_DATE_COLUMNS,
        aligned_row_for_row,
        exposure_columns,
        feature_exposures,
    )

    al = aligned_row_for_row(inp.dates, inp.signal)
    blocks = [
        exposure_columns(al, inp.names, feature_exposures(al, inp.features, method=m, whole=True))
        for m in methods
    ]
    n_rows = len(blocks[0][DATE])
    per_date: dict[str, np.ndarray] = {
        "stage": np.full(n_rows * len(blocks), "raw", dtype=object),
        "method": np.repeat(np.asarray(methods, dtype=object), n_rows),
        **{c: np.concatenate([b[c] for b in blocks]) for c in PER_DATE_COLUMNS},
    }
    summary = _summary(per_date, methods, inp.names, len(al.date_index))
    churn, churn_lines = _churn(inp, al.codes, al.dates, top_n)
    sizes = np.diff(np.r_[al.starts, len(al.codes)]).astype(np.int64)
    coverage = {
        DATE: al.dates,
        "signal_rows": sizes,
        "matched": sizes,
        "coverage": sizes / sizes,
        "low_coverage": np.zeros(len(sizes), dtype=bool),
    }
    empty = np.zeros(0, dtype=object)
    unmatched = {DATE: empty, inp.key: empty, "reason": empty}
    from tickermap.tables.rows import write_columns

    paths = output_paths(out)
    tables = {
        "summary": summary,
        "per_date": per_date,
        "coverage": coverage,
        "unmatched": unmatched,
        "churn": churn,
    }
    for name, columns in tables.items():
        write_columns(columns, paths[name])
    rows = len(inp.signal)
    forum_columns, forum = forum_rows(summary)
    view = ExposureView(
        columns=forum_columns,
        rows=tuple(forum),
        matched=rows,
        signal_rows=rows,
        worst_coverage=1.0,
        low_dates=0,
        kept_out=None,
        churn=churn_lines,
    )
    return view, list(paths.values())


def _summary(
    per_date: dict[str, np.ndarray], methods: list[Method], names: list[str], n_dates: int
) -> dict[str, np.ndarray]:
    """:func:`~tickermap.exposure.per_date.summarize_exposures` of the per-date columns."""
    import numpy as np

    from tickermap.exposure.kernels import SUMMARY_STATS, summarize_groups, summary_order

    labels = [("raw", m, f) for m in methods for f in names]  # one chunk of dates each
    order = sorted(range(len(labels)), key=labels.__getitem__)
    rows = (np.asarray(order)[:, None] * n_dates + np.arange(n_dates)).ravel()
    group = np.repeat(np.arange(len(order)), n_dates)
    stats = summarize_groups(group, len(order), per_date[DATE][rows], per_date["exposure"][rows])
    sorted_labels = [labels[i] for i in order]
    method_code = np.asarray([sorted(set(methods)).index(m) for _, m, _ in sorted_labels])
    columns: dict[str, np.ndarray] = {
        "stage": np.asarray([s for s, _, _ in sorted_labels], dtype=object),
        "method": np.asarray([m for _, m, _ in sorted_labels], dtype=object),
        "feature": np.asarray([f for _, _, f in sorted_labels], dtype=object),
    }
    columns.update({name: stats[name] for name in SUMMARY_STATS})
    final = summary_order(stats["mean"], np.zeros(len(order), dtype=np.int64), method_code)
    return {name: values[final] for name, values in columns.items()}


def _churn(
    inp: _Inputs, codes: np.ndarray, days: np.ndarray, top_n: int | None
) -> tuple[dict[str, np.ndarray], tuple[ChurnLine, ...]]:
    """The churn table and summary lines; ``codes`` index each row's date in ``days``."""
    import numpy as np
    import pyarrow.compute as pc

    from tickermap.exposure.churn_arrays import CHURN_COLUMNS, churn_arrays, summarize_churn_columns

    if len(days) < 2:
        return {c: np.zeros(0, dtype=object) for c in CHURN_COLUMNS}, ()
    distinct = pc.unique(inp.keys)
    ordered = distinct.take(pc.sort_indices(distinct))
    kcodes = _numpy(pc.index_in(inp.keys, value_set=ordered), "int32").astype(np.int64)
    cols = churn_arrays(codes, kcodes, len(ordered), inp.signal, len(days), top_n=top_n,
                        scale_top_n=True)  # fmt: skip
    missing = cols["top_n_missing"]
    top = cols["top_n"].astype(object)
    top[missing] = None
    table = {DATE: days[1:], "previous_date": days[:-1]}
    table.update({c: cols[c] for c in CHURN_COLUMNS[2:]})
    table["top_n"] = top
    used = np.where(missing, -1, cols["top_n"])
    lines = tuple(ChurnLine.of(r) for r in summarize_churn_columns(cols, used))
    return table, lines
