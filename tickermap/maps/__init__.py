"""Community maps: loading and presets, the source registry, and offline map validation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.maps.facts import (
        COUNTRY_TABLE_COLUMNS,
        ID_COLUMNS,
        OFFSHORE_DOMICILES,
        IsinCountryFact,
        MapFacts,
        NameSpreadFact,
        isin_country_facts,
        isin_country_table,
        map_facts,
        name_spread_facts,
    )
    from tickermap.maps.folders import (
        fetch_folder,
        folder_cache_path,
        parse_file_checksums,
    )
    from tickermap.maps.load import (
        COLUMN_KEYS,
        EXCHANGE,
        PRESETS,
        TICKER,
        LoadedMap,
        Namespace,
        Preset,
        detect_preset,
        header_lookup,
        load_map,
        parse_columns_option,
        preset_columns,
        read_header,
    )
    from tickermap.maps.local_tickers import (
        COUNTRY,
        LISTING_COLUMNS,
        MARKET_KEYS,
        MIC,
        local_tickers,
        yahoo_listings,
    )
    from tickermap.maps.markets import (
        MARKET_COLUMNS,
        Market,
        country_market,
        market_table,
        resolve_market,
    )
    from tickermap.maps.options import (
        MapSpec,
        load_map_spec,
        parse_map_option,
        parse_map_options,
    )
    from tickermap.maps.sources import (
        Source,
        fetch_source,
        load_registry,
        source_cache_path,
    )
    from tickermap.maps.suggest import (
        suggest_columns,
    )
    from tickermap.maps.validate import (
        FINDING_COLUMNS,
        FINDINGS,
        Severity,
        ValidationReport,
        validate_file,
        validate_map,
    )
    from tickermap.maps.witnesses import (
        FINANCEDATABASE_COLUMNS,
        WITNESS_PRESETS,
        is_financedatabase_header,
        load_witness,
        load_witness_map,
        witness_preset,
    )
    from tickermap.maps.yahoo_evidence import (
        LINK_WEIGHTS,
        TickerFacts,
        YahooEvidence,
        YahooPick,
        witness_label,
    )

__all__ = [
    "COLUMN_KEYS",
    "COUNTRY",
    "COUNTRY_TABLE_COLUMNS",
    "EXCHANGE",
    "FINANCEDATABASE_COLUMNS",
    "FINDINGS",
    "FINDING_COLUMNS",
    "ID_COLUMNS",
    "LINK_WEIGHTS",
    "LISTING_COLUMNS",
    "MARKET_COLUMNS",
    "MARKET_KEYS",
    "MIC",
    "OFFSHORE_DOMICILES",
    "PRESETS",
    "TICKER",
    "WITNESS_PRESETS",
    "IsinCountryFact",
    "LoadedMap",
    "MapFacts",
    "MapSpec",
    "Market",
    "NameSpreadFact",
    "Namespace",
    "Preset",
    "Severity",
    "Source",
    "TickerFacts",
    "ValidationReport",
    "YahooEvidence",
    "YahooPick",
    "country_market",
    "detect_preset",
    "fetch_folder",
    "fetch_source",
    "folder_cache_path",
    "header_lookup",
    "is_financedatabase_header",
    "isin_country_facts",
    "isin_country_table",
    "load_map",
    "load_map_spec",
    "load_registry",
    "load_witness",
    "load_witness_map",
    "local_tickers",
    "map_facts",
    "market_table",
    "name_spread_facts",
    "parse_columns_option",
    "parse_file_checksums",
    "parse_map_option",
    "parse_map_options",
    "preset_columns",
    "read_header",
    "resolve_market",
    "source_cache_path",
    "suggest_columns",
    "validate_file",
    "validate_map",
    "witness_label",
    "witness_preset",
    "yahoo_listings",
]

__getattr__, __dir__ = lazy_exports(__name__)
