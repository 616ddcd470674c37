"""Reconcile maps against OpenFIGI: claims, lookups, local evidence, verdicts, audit, report.

The stages exchange typed records (:mod:`tickermap.reconcile.records`); reason codes are
:mod:`tickermap.reasons`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.reconcile.audit import (
        EVENT_REASONS,
        Event,
        audit_events,
        audit_file,
        summarize_events,
    )
    from tickermap.reconcile.blame import (
        Finding,
        blame_listings,
    )
    from tickermap.reconcile.claims import (
        CLAIM_FIELDS,
        claims_table,
        disagreements,
    )
    from tickermap.reconcile.consensus import (
        Consensus,
        WitnessStats,
        apply_consensus,
        fit_reliabilities,
    )
    from tickermap.reconcile.context import (
        ClaimContext,
        Judgement,
        build_contexts,
        describe,
    )
    from tickermap.reconcile.entities import (
        Listing,
        listing_fit,
        listings_for,
    )
    from tickermap.reconcile.events import (
        is_reused,
        judge_reused,
        judge_without_holder,
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
    from tickermap.reconcile.records import (
        REVIEW_COLUMNS,
        VERDICT_COLUMNS,
        Claim,
        TickerRow,
        Verdict,
        claim_records,
        review_frame,
        universe_frame,
    )
    from tickermap.reconcile.rows import (
        universe_rows,
        with_agreeing,
    )
    from tickermap.reconcile.rules import (
        check_figi_column,
        check_isin_claim,
        check_known,
        check_listing,
        check_name,
        check_share_class,
        check_validity,
    )
    from tickermap.reconcile.suspicion import (
        FEATURE_LEVELS,
        PRIOR_CORRECT,
        Score,
        score_claim,
    )
    from tickermap.reconcile.verdicts import (
        SEVERITY,
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
    "ClaimContext",
    "Consensus",
    "Event",
    "Finding",
    "Judgement",
    "Listing",
    "LocalEvidence",
    "Lookup",
    "Lookups",
    "ReconcileOutputs",
    "ReconcileResult",
    "RowKey",
    "Score",
    "TickerRow",
    "Verdict",
    "WitnessStats",
    "apply_consensus",
    "audit_events",
    "audit_file",
    "blame_listings",
    "build_contexts",
    "check_figi_column",
    "check_isin_claim",
    "check_known",
    "check_listing",
    "check_name",
    "check_share_class",
    "check_validity",
    "claim_records",
    "claims_table",
    "describe",
    "disagreements",
    "fit_reliabilities",
    "gather_lookups",
    "is_placeholder_ticker",
    "is_reused",
    "judge_claims",
    "judge_one",
    "judge_reused",
    "judge_without_holder",
    "listing_fit",
    "listings_for",
    "local_evidence",
    "reconcile",
    "reconcile_files",
    "render_report",
    "review_frame",
    "score_claim",
    "summarize_events",
    "universe_frame",
    "universe_rows",
    "with_agreeing",
    "worst",
    "write_report",
]

__getattr__, __dir__ = lazy_exports(__name__)
