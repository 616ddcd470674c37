"""Checking every output path of a command before any work starts.

A command calls :func:`check_outputs` first, with all its inputs and all the files it will write,
so that ``validate m.csv --out m.csv`` (the map replaced by its findings), ``reconcile --out o.csv
--review o.csv`` (the universe lost) or ``--out afile/o.csv`` fail at once with exit 2, before an
OpenFIGI request is sent or a single output is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from tickermap.errors import ConfigError

__all__ = ["OUTPUT_SUFFIXES", "check_outputs"]

OUTPUT_SUFFIXES: dict[str, tuple[str, ...]] = {
    # written as comma-separated CSV or Parquet; .txt/.tsv are read (delimiter sniffed), never
    # written: a .tsv output with commas inside would be a lie
    "table": (".csv", ".parquet", ".csv.gz", ".pq"),
    "png": (".png",),
    "html": (".html", ".htm"),
}
"""The file name endings each kind of output accepts."""
_KIND_BY_OPTION = {"--plot": "png", "--report": "html"}
"""Options whose output is not a table (every other option writes a table)."""


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path.expanduser()))


def _same_file(a: Path, b: Path) -> bool:
    if _real(a) == _real(b):
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def _check_one(option: str, path: Path, kind: str) -> None:
    shown = f"{option} {str(path)!r}"
    if path.is_dir():
        raise ConfigError(f"{shown} is a folder; give a file name")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"{shown}: {str(parent)!r} is a file, not a folder")
            break
    suffixes = OUTPUT_SUFFIXES[kind]
    if not path.name.lower().endswith(suffixes):
        ext = f"extension {path.suffix!r}" if path.suffix else "no extension"
        raise ConfigError(f"{shown} has {ext}; name it {' or '.join(suffixes[:2])}")


def check_outputs(
    *,
    inputs: Iterable[Path | str | None],
    outputs: Mapping[str, Path | str | None],
    kinds: Mapping[str, str] | None = None,
) -> None:
    """Refuse outputs that would overwrite an input or each other, or cannot be written.

    Args:
        inputs: every file the command reads (None entries are skipped).
        outputs: option name (as the user typed it, e.g. ``"--out"``) -> path (None: not asked).
        kinds: option -> ``"table"``, ``"png"`` or ``"html"``; by default ``--plot`` is PNG,
            ``--report`` HTML and anything else a table.

    Raises:
        ConfigError: (exit 2) an output is an input or another output, is a folder, sits under a
            file, or has an extension its kind does not accept.

    >>> check_outputs(inputs=["m.csv"], outputs={"--out": "findings.csv", "--plot": None})
    >>> check_outputs(inputs=["m.csv"], outputs={"--out": "./m.csv"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tickermap.errors.ConfigError: --out 'm.csv' is also an input; ...
    """
    given = [Path(p) for p in inputs if p is not None]
    seen: list[tuple[str, Path]] = []
    for option, value in outputs.items():
        if value is None:
            continue
        path = Path(value)
        kind = (kinds or {}).get(option) or _KIND_BY_OPTION.get(option.split()[0], "table")
        _check_one(option, path, kind)
        for source in given:
            if _same_file(path, source):
                raise ConfigError(
                    f"{option} {str(path)!r} is also an input; writing it would destroy that "
                    "input; choose another name"
                )
        for other, earlier in seen:
            if _same_file(path, earlier):
                raise ConfigError(
                    f"{option} and {other} are the same file {str(path)!r}; give each output "
                    "its own name"
                )
        seen.append((option, path))
