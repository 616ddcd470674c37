"""Test tooling: the labelled test bed, its synthetic world and its evaluation (used by tests and
scripts only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.testing.evaluation import (
        score_reasons,
        wilson_interval,
        wrong_ok_rows,
    )
    from tickermap.testing.event_world import (
        EVENT_KINDS,
        EventWorld,
        make_event_world,
        score_events,
    )
    from tickermap.testing.synthetic import (
        SyntheticIds,
        corrupt_figi,
        isin_with_check,
        random_cusip,
        random_figi,
        random_sedol,
    )
    from tickermap.testing.testbed import (
        INJECTABLE,
        Testbed,
        make_testbed,
        write_testbed,
    )
    from tickermap.testing.world_builder import (
        EXCHANGES,
        Listing,
        WorldBuilder,
        map_row,
    )

__all__ = [
    "EVENT_KINDS",
    "EXCHANGES",
    "INJECTABLE",
    "EventWorld",
    "Listing",
    "SyntheticIds",
    "Testbed",
    "WorldBuilder",
    "corrupt_figi",
    "isin_with_check",
    "make_event_world",
    "make_testbed",
    "map_row",
    "random_cusip",
    "random_figi",
    "random_sedol",
    "score_events",
    "score_reasons",
    "wilson_interval",
    "write_testbed",
    "wrong_ok_rows",
]

__getattr__, __dir__ = lazy_exports(__name__)
