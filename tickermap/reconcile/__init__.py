"""Reconcile maps against OpenFIGI: claims, lookups, local evidence, verdicts, audit, report.

The stages exchange typed records (:mod:`tickermap.reconcile.records`); reason codes are
:mod:`tickermap.reasons`.
"""

from __future__ import annotations

from tickermap.reconcile.audit import (
    EVENT_REASONS,
    Event,
    audit_events,
    summarize_events,
)
from tickermap.reconcile.claims import (
    CLAIM_FIELDS,
    claims_table,
    disagreements,
)
from tickermap.reconcile.html import (
    render_report,
    write_report,
)
from tickermap.reconcile.local_evidence import (
    LocalEvidence,
    RowKey,
    local_evidence,
)
from tickermap.reconcile.lookups import (
    Lookup,
    Lookups,
    gather_lookups,
    is_placeholder_ticker,
)
from tickermap.reconcile.pipeline import (
    ReconcileOutputs,
    reconcile,
    reconcile_files,
)
from tickermap.reconcile.records import (
    REVIEW_COLUMNS,
    UNIVERSE_COLUMNS,
    Claim,
    ReconcileResult,
    TickerRow,
    Verdict,
    claim_records,
)
from tickermap.reconcile.rows import universe_rows
from tickermap.reconcile.suspicion import (
    FEATURE_LEVELS,
    PRIOR_CORRECT,
    Score,
    score_claim,
)
from tickermap.reconcile.verdicts import (
    SEVERITY,
    VERDICT_COLUMNS,
    judge_claims,
    judge_one,
    worst,
)

__all__ = [
    "CLAIM_FIELDS",
    "EVENT_REASONS",
    "FEATURE_LEVELS",
    "PRIOR_CORRECT",
    "REVIEW_COLUMNS",
    "SEVERITY",
    "UNIVERSE_COLUMNS",
    "VERDICT_COLUMNS",
    "Claim",
    "Event",
    "LocalEvidence",
    "Lookup",
    "Lookups",
    "ReconcileOutputs",
    "ReconcileResult",
    "RowKey",
    "Score",
    "TickerRow",
    "Verdict",
    "audit_events",
    "claim_records",
    "claims_table",
    "disagreements",
    "gather_lookups",
    "is_placeholder_ticker",
    "judge_claims",
    "judge_one",
    "local_evidence",
    "reconcile",
    "reconcile_files",
    "render_report",
    "score_claim",
    "summarize_events",
    "universe_rows",
    "worst",
    "write_report",
]
