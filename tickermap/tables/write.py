"""Writing tables and files atomically, and keeping CSV outputs safe to open in a spreadsheet.

Atomic: :func:`atomic_path` yields a hidden temporary file in the target's folder
(``.NAME.XXXXXXXX.tmp``) and renames it over the target only on success. The temporary file is
removed when the write fails, on Ctrl-C and on SIGTERM; one left behind by a ``kill -9`` or a
power cut is swept by the next write of the same output once it is older than
:data:`STALE_TEMP_SECONDS`.

Formula guard (CSV only): a text cell that starts with ``=``, ``+``, ``-`` or ``@`` and is not a
plain number is written with a leading ``'``, so a spreadsheet shows it as text instead of running
it as a formula (OWASP "CSV injection"). Numbers (``-0.5``) are left alone, Parquet keeps the raw
value, and tickermap's own reader does not undo the guard.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from tickermap.errors import ConfigError
from tickermap.tables.formats import CSV_SUFFIXES, PARQUET_SUFFIXES, table_format

if TYPE_CHECKING:  # imported where a frame is written: tables.rows writes without them
    import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "STALE_TEMP_SECONDS",
    "atomic_path",
    "check_table_path",
    "guard_cell",
    "guard_formulas",
    "write_table",
]

FORMULA_PREFIXES = ("=", "+", "-", "@")
"""Text cells starting with one of these get a leading ``'`` in CSV outputs."""
STALE_TEMP_SECONDS = 6 * 3600
"""A temporary file of ours older than this (6 hours) is a leftover of a killed run."""

_NUMBER = r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*"
"""A plain decimal: such a cell is a number to a spreadsheet, not a formula."""
_LIVE: set[Path] = set()
_LOCK = threading.Lock()
_HANDLER_INSTALLED = False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    with _LOCK:
        for tmp in list(_LIVE):
            tmp.unlink(missing_ok=True)
        _LIVE.clear()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)  # die as the signal asked, now without leftovers


def _install_sigterm_cleanup() -> None:
    """Remove live temporary files on SIGTERM (Ctrl-C already runs the ``finally``)."""
    global _HANDLER_INSTALLED
    if _HANDLER_INSTALLED or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)
    _HANDLER_INSTALLED = True


def _sweep_stale(target: Path) -> None:
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[A-Za-z0-9_]{{8}}\.tmp")
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        candidates = list(target.parent.glob(f".{target.name}.*.tmp"))
    except OSError:
        return
    for old in candidates:
        try:
            if pattern.fullmatch(old.name) and old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue


def _file_ancestor(target: Path) -> Path | None:
    for parent in target.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def _unwritable(target: Path, reason: str) -> ConfigError:
    return ConfigError(f"cannot write output {str(target)!r}: {reason}; choose another path")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` only on success.

    The file gets the usual permissions (``0o666`` less the umask), not ``mkstemp``'s 0600.

    Raises:
        ConfigError: the output path cannot be written (a folder, a missing or read-only parent).
    """
    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"output {str(target)!r} is a folder; give a file name")
    blocker = _file_ancestor(target)
    if blocker is not None:
        raise _unwritable(target, f"{str(blocker)!r} is a file, not a folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _sweep_stale(target)
        _install_sigterm_cleanup()
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _unwritable(target, str(exc.strerror)) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    with _LOCK:
        _LIVE.add(tmp_path)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    except OSError as exc:
        raise _unwritable(target, str(exc.strerror)) from exc
    finally:
        with _LOCK:
            _LIVE.discard(tmp_path)
        tmp_path.unlink(missing_ok=True)


def guard_cell(value: str) -> str:
    """One text cell as :func:`guard_formulas` writes it to CSV.

    >>> [guard_cell(v) for v in ("=1+1", "-0.5", "@x", "ok")]
    ["'=1+1", '-0.5', "'@x", 'ok']
    """
    if value[:1] in FORMULA_PREFIXES and re.fullmatch(_NUMBER, value) is None:
        return "'" + value
    return value


def check_table_path(path: str | Path) -> Path:
    """``path`` as a table output: refuse a folder or an extension other than CSV/Parquet.

    Raises:
        ConfigError: naming the path and what to do.
    """
    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"output {str(target)!r} is a folder; give a file name like out.csv")
    if not target.name.lower().endswith((*PARQUET_SUFFIXES, *CSV_SUFFIXES)):
        kind = f"unknown table format {target.suffix!r}" if target.suffix else "no extension"
        raise ConfigError(f"output {str(target)!r}: {kind}; name it .csv or .parquet")
    return target


def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose risky text cells (see the module doc) start with ``'``.

    >>> guard_formulas(pd.DataFrame({"a": ["=1+1", "-0.5", "@x", "ok"]}))["a"].tolist()
    ["'=1+1", '-0.5', "'@x", 'ok']
    """
    import numpy as np
    import pandas as pd

    out = frame
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        try:
            first = values.str[:1]  # NaN for cells that are not text
        except AttributeError:  # an object column without any text
            continue
        pos = np.flatnonzero(first.isin(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool))
        if not len(pos):
            continue
        text = values.iloc[pos].astype(str)
        number = text.str.fullmatch(_NUMBER).fillna(False).to_numpy(dtype=bool)
        pos, text = pos[~number], text[~number]
        if not len(pos):
            continue
        if out is frame:
            out = frame.copy()
        guarded = values.to_numpy(dtype=object, copy=True)
        guarded[pos] = ("'" + text).to_numpy(dtype=object)
        out[column] = guarded
    return out


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV (formula-guarded) or Parquet (raw), by extension, atomically.

    Returns:
        The path written.

    Raises:
        ConfigError: the path is a folder, has an unknown extension or cannot be written.
    """
    target = check_table_path(path)
    name = target.name.lower()
    with atomic_path(target) as tmp:
        if table_format(target) == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            guarded = guard_formulas(frame)
            if name.endswith(".gz"):  # the temporary name hides the suffix from pandas
                guarded.to_csv(tmp, index=False, compression="gzip")
            else:
                guarded.to_csv(tmp, index=False)
    return target
