"""Point-in-time history of the universe: spells, corporate events, and the point-in-time join."""

from __future__ import annotations

from tickermap.history.build import HistoryResult, build_history, history_paths, write_history
from tickermap.history.events import EVENT_COLUMNS, find_events
from tickermap.history.findings import FINDING_COLUMNS, Finding, findings_frame
from tickermap.history.pit import History, PointInTime, load_history, map_at, point_in_time
from tickermap.history.read import Observations, read_universe_files
from tickermap.history.spells import SPELL_STATS, Spells, build_spells

__all__ = [
    "EVENT_COLUMNS",
    "FINDING_COLUMNS",
    "SPELL_STATS",
    "Finding",
    "History",
    "HistoryResult",
    "Observations",
    "PointInTime",
    "Spells",
    "build_history",
    "build_spells",
    "find_events",
    "findings_frame",
    "history_paths",
    "load_history",
    "map_at",
    "point_in_time",
    "read_universe_files",
    "write_history",
]
