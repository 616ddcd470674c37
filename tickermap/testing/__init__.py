"""Test tooling: the labelled test bed, its synthetic world and its evaluation (used by tests and
scripts only)."""

from __future__ import annotations

from tickermap.testing.evaluation import (
    score_reasons,
    wilson_interval,
    wrong_ok_rows,
)
from tickermap.testing.testbed import (
    INJECTABLE,
    Testbed,
    make_testbed,
    write_testbed,
)
from tickermap.testing.world_builder import (
    Listing,
    SyntheticIds,
    WorldBuilder,
)

__all__ = [
    "INJECTABLE",
    "Listing",
    "SyntheticIds",
    "Testbed",
    "WorldBuilder",
    "make_testbed",
    "score_reasons",
    "wilson_interval",
    "write_testbed",
    "wrong_ok_rows",
]
