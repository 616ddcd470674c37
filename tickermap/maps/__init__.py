"""Community maps: loading and presets, the source registry, and offline map validation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.maps.load import (
        COLUMN_KEYS,
        EXCHANGE,
        PRESETS,
        TICKER,
        LoadedMap,
        Namespace,
        Preset,
        detect_preset,
        load_map,
        parse_columns_option,
    )
    from tickermap.maps.sources import (
        Source,
        fetch_source,
        load_registry,
        source_cache_path,
    )
    from tickermap.maps.validate import (
        FINDING_COLUMNS,
        FINDINGS,
        OFFSHORE_DOMICILES,
        Severity,
        ValidationReport,
        validate_file,
        validate_map,
    )

__all__ = [
    "COLUMN_KEYS",
    "EXCHANGE",
    "FINDINGS",
    "FINDING_COLUMNS",
    "OFFSHORE_DOMICILES",
    "PRESETS",
    "TICKER",
    "LoadedMap",
    "Namespace",
    "Preset",
    "Severity",
    "Source",
    "ValidationReport",
    "detect_preset",
    "fetch_source",
    "load_map",
    "load_registry",
    "parse_columns_option",
    "source_cache_path",
    "validate_file",
    "validate_map",
]

__getattr__, __dir__ = lazy_exports(__name__)
