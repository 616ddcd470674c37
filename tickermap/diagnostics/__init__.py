"""Numerai's current scoring for a Signals signal, on Numerai's own files, and submission checks.

``scoring`` (per-date metrics equal to numerai-tools, vectorised across dates), ``churn``
(churn, turnover and neutral churn between consecutive dates), ``inputs`` (Numerai's files read
by date with column pruning), ``check`` (``validate_submission_signals`` verdicts, coverage and
``--fix``), ``summary`` (statistics and Numerai's published thresholds), ``run`` (the command).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.diagnostics.block import Block, make_block
    from tickermap.diagnostics.check import (
        ALLOWED_ID_COLUMNS,
        MIN_LIVE_TICKERS,
        PANDAS_NA,
        BadCell,
        CheckReport,
        CheckResult,
        check_submission,
        coverage_by_country,
        fix_submission,
        read_signal,
        run_check,
    )
    from tickermap.diagnostics.churn import (
        churn_pairs,
        churn_state,
        neutral_churn_penalty,
        submission_problems,
    )
    from tickermap.diagnostics.conventions import (
        SIGN_CONVENTIONS,
        forum_order,
        sign_conventions,
    )
    from tickermap.diagnostics.design import Design, Job
    from tickermap.diagnostics.grouped import (
        MAX_FILTERED_RATIO,
        enough_overlap,
        gcount,
        gmean,
        gsum,
        pearson,
        pow15,
        rank_gauss,
    )
    from tickermap.diagnostics.html import METRIC_LABELS, html_page, show_number
    from tickermap.diagnostics.inputs import (
        DATE_COLUMNS,
        ID_COLUMNS,
        SIGNAL_COLUMNS,
        Source,
        detect_signal_column,
        open_source,
        parse_dates,
    )
    from tickermap.diagnostics.run import (
        BLOCK_CELLS,
        DiagnosticsReport,
        nan_reason_notes,
        output_paths,
        run_diagnostics,
        score_sources,
        write_outputs,
    )
    from tickermap.diagnostics.scoring import (
        INPUTS,
        METRICS,
        MIN_TICKERS,
        Answers,
        Asked,
        Step,
        score_block,
    )
    from tickermap.diagnostics.summary import (
        RULES,
        Rule,
        apply_rules,
        summarize,
    )

__all__ = [
    "ALLOWED_ID_COLUMNS",
    "BLOCK_CELLS",
    "DATE_COLUMNS",
    "ID_COLUMNS",
    "INPUTS",
    "MAX_FILTERED_RATIO",
    "METRICS",
    "METRIC_LABELS",
    "MIN_LIVE_TICKERS",
    "MIN_TICKERS",
    "PANDAS_NA",
    "RULES",
    "SIGNAL_COLUMNS",
    "SIGN_CONVENTIONS",
    "Answers",
    "Asked",
    "BadCell",
    "Block",
    "CheckReport",
    "CheckResult",
    "Design",
    "DiagnosticsReport",
    "Job",
    "Rule",
    "Source",
    "Step",
    "apply_rules",
    "check_submission",
    "churn_pairs",
    "churn_state",
    "coverage_by_country",
    "detect_signal_column",
    "enough_overlap",
    "fix_submission",
    "forum_order",
    "gcount",
    "gmean",
    "gsum",
    "html_page",
    "make_block",
    "nan_reason_notes",
    "neutral_churn_penalty",
    "open_source",
    "output_paths",
    "parse_dates",
    "pearson",
    "pow15",
    "rank_gauss",
    "read_signal",
    "run_check",
    "run_diagnostics",
    "score_block",
    "score_sources",
    "show_number",
    "sign_conventions",
    "submission_problems",
    "summarize",
    "write_outputs",
]

__getattr__, __dir__ = lazy_exports(__name__)
