"""Numerai's current scoring for a Signals signal, on Numerai's own files, and submission checks.

``scoring`` (per-date metrics equal to numerai-tools, vectorised across dates), ``churn``
(churn, turnover and neutral churn between consecutive dates), ``inputs`` (Numerai's files read
by date with column pruning), ``check`` (``validate_submission_signals`` verdicts, coverage and
``--fix``), ``summary`` (statistics and Numerai's published thresholds), ``run`` (the command).
"""

from __future__ import annotations

from tickermap.diagnostics.run import DiagnosticsReport, run_diagnostics, write_outputs
from tickermap.diagnostics.scoring import METRICS, MIN_TICKERS, make_block, score_block

__all__ = [
    "METRICS",
    "MIN_TICKERS",
    "DiagnosticsReport",
    "make_block",
    "run_diagnostics",
    "score_block",
    "write_outputs",
]
