"""Where bundled data lives: ``mappings/`` tables and the synthetic sample data.

In a source checkout (editable install) ``mappings/`` is the top-level folder of the repository;
in a wheel it is packaged as ``tickermap/_mappings``. Nothing here reads the environment.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def mappings_dir() -> Path:
    """Return the folder holding ``exchanges.csv``, ``sources.toml`` and the other tables."""
    packaged = _PACKAGE / "_mappings"
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / "mappings"


def mappings_path(name: str) -> Path:
    """Return the path of one bundled table, e.g. ``mappings_path("exchanges.csv")``."""
    return mappings_dir() / name


def sample_dir() -> Path:
    """Return the folder of bundled synthetic sample data (clearly marked synthetic)."""
    return _PACKAGE / "data" / "sample"


def sample_path(name: str) -> Path:
    """Return the path of one bundled synthetic sample file."""
    return sample_dir() / name
