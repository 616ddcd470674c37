"""Parse the ``--map`` and ``--map-columns`` command-line values into :class:`MapSpec` records.

Rules (documented in the README, reconcile section):

- ``--map FILE`` loads FILE (a table, or a folder of FinanceDatabase CSVs) and detects its preset
  from the header.
- ``--map FILE:PRESET`` forces a preset. The text after the LAST ``:`` is read as a preset only
  when it is exactly one of :data:`~tickermap.maps.load.PRESETS`, the text before it is not
  empty, and no file or folder named by the whole value exists. So Windows paths
  (``C:\\maps\\m.csv``) and names containing ``:`` stay paths; to force a preset on a file whose
  name ends in ``:signals_map``, write ``that:signals_map:signals_map``.
- ``--map-columns FILE=KEY=COLUMN,KEY=COLUMN`` describes the columns of the ``--map`` with the same
  FILE (compared after resolving the path). The split between FILE and the description is at the
  first ``=`` followed by a known key and another ``=``, so a FILE containing ``=`` works.

Pure: no file is read here except existence checks (:func:`parse_map_options`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tickermap.errors import ConfigError
from tickermap.maps.load import (
    COLUMN_KEYS,
    PRESETS,
    LoadedMap,
    Preset,
    load_map,
    parse_columns_option,
)

__all__ = ["MapSpec", "load_map_spec", "parse_map_option", "parse_map_options"]

_KEYS = "|".join(sorted(map(re.escape, COLUMN_KEYS), key=len, reverse=True))
_SPLIT = re.compile(rf"=(?=(?:{_KEYS})\s*=)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MapSpec:
    """One ``--map`` value, resolved.

    Attributes:
        path: the file or folder.
        preset: the forced preset (``FILE:PRESET``), or None to detect it from the header.
        columns: the ``--map-columns`` description for this map, or None.
        text: the value as the user wrote it (for messages).
    """

    path: Path
    preset: Preset | None = None
    columns: Mapping[str, str] | None = field(default=None)
    text: str = ""


def parse_map_option(text: str) -> MapSpec:
    """Split one ``--map`` value into a path and an optional forced preset.

    >>> parse_map_option("m.csv:signals_map").preset
    'signals_map'
    >>> parse_map_option(r"C:\\maps\\m.csv").preset is None
    True
    """
    value = text.strip()
    if not value:
        raise ConfigError("--map is empty; give a file or folder, optionally FILE:PRESET")
    head, sep, tail = value.rpartition(":")
    if sep and head and tail in PRESETS and not Path(value).exists():
        preset: Preset = tail
        return MapSpec(path=Path(head), preset=preset, text=value)
    misspelt = sep and head and re.fullmatch(r"[a-z_]+", tail) and not Path(value).exists()
    if misspelt and Path(head).exists():
        # Looks like FILE:PRESET with a misspelt preset (a path part would hold / \ or .).
        raise ConfigError(
            f"--map {value}: unknown preset {tail!r}; choose one of {', '.join(PRESETS)} "
            "(or drop ':PRESET' to detect it from the header)"
        )
    return MapSpec(path=Path(value), text=value)


def _split_map_columns(text: str) -> tuple[str, dict[str, str]]:
    found = _SPLIT.search(text)
    if found is None or not text[: found.start()].strip():
        raise ConfigError(
            f"--map-columns {text!r} is not FILE=KEY=COLUMN,...; write e.g. "
            f"--map-columns listings.csv=ticker=sym,exchange=exch,isin=ISIN "
            f"(keys: {', '.join(COLUMN_KEYS)})"
        )
    file_part, spec = text[: found.start()].strip(), text[found.end() :]
    try:
        return file_part, parse_columns_option(spec)
    except ConfigError as exc:
        raise ConfigError(f"--map-columns {file_part}: {exc}") from exc


def _same_file(a: Path, b: Path) -> bool:
    return a == b or a.expanduser().resolve() == b.expanduser().resolve()


def parse_map_options(maps: Sequence[str], map_columns: Sequence[str] = ()) -> list[MapSpec]:
    """Resolve every ``--map`` value and attach each ``--map-columns`` description to its map.

    Args:
        maps: the ``--map`` values in order.
        map_columns: the ``--map-columns`` values (``FILE=KEY=COLUMN,...``).

    Returns:
        One :class:`MapSpec` per ``--map``, in order.

    Raises:
        ConfigError: empty or malformed values, a description for a FILE given by no ``--map``,
            two descriptions for one map.

    >>> [s.columns for s in parse_map_options(["a.csv"], ["a.csv=ticker=sym,exchange=ex"])]
    [{'ticker': 'sym', 'exchange': 'ex'}]
    """
    specs = [parse_map_option(m) for m in maps]
    described: dict[int, str] = {}
    for text in map_columns:
        file_part, columns = _split_map_columns(text)
        target = parse_map_option(file_part).path
        hits = [i for i, s in enumerate(specs) if _same_file(s.path, target)]
        if not hits:
            given = ", ".join(s.text for s in specs) or "none"
            raise ConfigError(
                f"--map-columns names {file_part!r}, which no --map gives (maps: {given}); add "
                f"--map {file_part}"
            )
        for i in hits:
            if i in described:
                raise ConfigError(f"--map-columns describes {file_part!r} twice; keep one")
            described[i] = text
            s = specs[i]
            specs[i] = MapSpec(path=s.path, preset=s.preset, columns=columns, text=s.text)
    return specs


def load_map_spec(spec: MapSpec | str | Path) -> LoadedMap:
    """Load one ``--map`` (a :class:`MapSpec`, or a path whose preset is detected).

    A plain ``str`` is parsed as a ``--map`` value (so ``FILE:PRESET`` works); a ``Path`` is
    taken as it is.
    """
    if isinstance(spec, Path):
        return load_map(spec)
    if isinstance(spec, str):
        spec = parse_map_option(spec)
    return load_map(spec.path, preset=spec.preset, columns=spec.columns)


def describe_map_spec(spec: MapSpec) -> str:
    """One line saying how a ``--map`` will be read, from its header only (cheap).

    For example ``signals_map.csv: preset signals_map (detected from the header)``.
    """
    from tickermap.maps.load import detect_preset, read_header
    from tickermap.tables import table_format

    if spec.columns:
        described = ",".join(f"{k}={v}" for k, v in spec.columns.items())
        how = f"preset {spec.preset or 'generic'} with --map-columns {described}"
    elif spec.preset is not None:
        how = f"preset {spec.preset} (given as FILE:PRESET)"
    elif spec.path.is_dir():
        how = "preset financedatabase (a folder)"
    elif spec.path.is_file() and table_format(spec.path) != "parquet":
        found = detect_preset(read_header(spec.path))
        how = f"preset {found} (detected from the header)" if found else "format not recognised"
    else:
        how = "preset detected when loaded"
    return f"{spec.path}: {how}"
