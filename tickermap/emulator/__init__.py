"""A faithful OpenFIGI v3 emulator on loopback: server, endpoints, faults, world."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.emulator.endpoints import (
        ID_TYPES,
        MARKET_SEC_DES,
        PAGE_SIZE,
        TEXT,
        VALUE_KEYS,
        answer_mapping,
        answer_search,
        answer_values,
        map_job,
    )
    from tickermap.emulator.faults import (
        FAULT_KINDS,
        KEYED_LIMITS,
        UNKEYED_LIMITS,
        Bucket,
        EmulatorStats,
        FaultPlan,
        Faults,
        Limits,
        RateDecision,
        RateWindows,
    )
    from tickermap.emulator.launch import (
        is_loopback,
        start_emulator,
    )
    from tickermap.emulator.server import (
        Emulator,
        EmulatorHandler,
    )
    from tickermap.emulator.world import (
        DELISTED_ANSWERS,
        FILTER_KEYS,
        RESULT_FIELDS,
        World,
        apply_events,
        placeholder_for,
    )

__all__ = [
    "DELISTED_ANSWERS",
    "FAULT_KINDS",
    "FILTER_KEYS",
    "ID_TYPES",
    "KEYED_LIMITS",
    "MARKET_SEC_DES",
    "PAGE_SIZE",
    "RESULT_FIELDS",
    "TEXT",
    "UNKEYED_LIMITS",
    "VALUE_KEYS",
    "Bucket",
    "Emulator",
    "EmulatorHandler",
    "EmulatorStats",
    "FaultPlan",
    "Faults",
    "Limits",
    "RateDecision",
    "RateWindows",
    "World",
    "answer_mapping",
    "answer_search",
    "answer_values",
    "apply_events",
    "is_loopback",
    "map_job",
    "placeholder_for",
    "start_emulator",
]

__getattr__, __dir__ = lazy_exports(__name__)
