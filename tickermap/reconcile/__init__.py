"""Reconcile maps against OpenFIGI: claims, lookups, local evidence, verdicts, audit, report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
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
        UNIVERSE_COLUMNS,
        ReconcileOutputs,
        ReconcileResult,
        reconcile,
        reconcile_files,
    )
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
        worst,
    )

__all__ = [
    "CLAIM_FIELDS",
    "EVENT_REASONS",
    "FEATURE_LEVELS",
    "PRIOR_CORRECT",
    "SEVERITY",
    "UNIVERSE_COLUMNS",
    "VERDICT_COLUMNS",
    "Event",
    "LocalEvidence",
    "Lookup",
    "Lookups",
    "ReconcileOutputs",
    "ReconcileResult",
    "RowKey",
    "Score",
    "audit_events",
    "claims_table",
    "disagreements",
    "gather_lookups",
    "is_placeholder_ticker",
    "judge_claims",
    "local_evidence",
    "reconcile",
    "reconcile_files",
    "render_report",
    "score_claim",
    "summarize_events",
    "worst",
    "write_report",
]

__getattr__, __dir__ = lazy_exports(__name__)
