"""Refresh a previous ticker map for a new universe: the refreshed map and a diff of changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.refresh.diff import (
        DIFF_COLUMNS,
        LINK_KEYS,
        Change,
        diff_frame,
        find_changes,
    )
    from tickermap.refresh.facts import (
        ID_KEYS,
        SYMBOL,
        TickerEvidence,
        add_symbol_facts,
        canonical_tickers,
        eodhd_to_yahoo,
        facts_from_maps,
        merge_facts,
        merge_into,
        table_facts,
        table_tickers,
    )
    from tickermap.refresh.link import (
        KEYS,
        MARGIN,
        NAME_LIKELY,
        NAME_SURE,
        STRENGTHS,
        Link,
        find_links,
        other_line,
        root_similarity,
        share_class_siblings,
        two_listings,
    )
    from tickermap.refresh.run import (
        RefreshOutputs,
        RefreshResult,
        refresh,
        refresh_files,
    )

__all__ = [
    "DIFF_COLUMNS",
    "ID_KEYS",
    "KEYS",
    "LINK_KEYS",
    "MARGIN",
    "NAME_LIKELY",
    "NAME_SURE",
    "STRENGTHS",
    "SYMBOL",
    "Change",
    "Link",
    "RefreshOutputs",
    "RefreshResult",
    "TickerEvidence",
    "add_symbol_facts",
    "canonical_tickers",
    "diff_frame",
    "eodhd_to_yahoo",
    "facts_from_maps",
    "find_changes",
    "find_links",
    "merge_facts",
    "merge_into",
    "other_line",
    "refresh",
    "refresh_files",
    "root_similarity",
    "share_class_siblings",
    "table_facts",
    "table_tickers",
    "two_listings",
]

__getattr__, __dir__ = lazy_exports(__name__)
