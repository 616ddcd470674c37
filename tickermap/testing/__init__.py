"""Test tooling: the labelled test bed and its evaluation (used by tests and scripts only)."""

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

__all__ = [
    "INJECTABLE",
    "Testbed",
    "make_testbed",
    "score_reasons",
    "wilson_interval",
    "write_testbed",
    "wrong_ok_rows",
]
