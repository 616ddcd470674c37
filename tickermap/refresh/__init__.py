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
    from tickermap.refresh.run import (
        RefreshOutputs,
        RefreshResult,
        refresh,
        refresh_files,
    )

__all__ = [
    "DIFF_COLUMNS",
    "LINK_KEYS",
    "Change",
    "RefreshOutputs",
    "RefreshResult",
    "diff_frame",
    "find_changes",
    "refresh",
    "refresh_files",
]

__getattr__, __dir__ = lazy_exports(__name__)
