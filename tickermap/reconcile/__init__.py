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
        merge_history,
        summarize_events,
    )
    from tickermap.reconcile.blame import (
        Finding,
        RowKey,
        blame_listings,
        roots_collide,
    )
    from tickermap.reconcile.claims import (
        CLAIM_FIELDS,
        claims_table,
        disagreements,
    )
    from tickermap.reconcile.consensus import (
        FIT_BITS,
        OFFLINE_CAP,
        OPENFIGI,
        OPENFIGI_RELIABILITY,
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
    from tickermap.reconcile.corroborate import (
        MIN_CHARS,
        NAME_CAP,
        NameChecks,
        check_names,
        same_company,
    )
    from tickermap.reconcile.entities import (
        FIT_RANK,
        FOREIGN_VENUES,
        YAHOO_MARKETS,
        Listing,
        clusters,
        listing_fit,
        listings_for,
        name_groups,
        with_markets,
    )
    from tickermap.reconcile.events import (
        EventConfidence,
        event_confidence,
        is_reused,
        judge_isin_only,
        judge_reused,
        judge_unknown_figi,
        judge_without_holder,
        witnesses,
    )
    from tickermap.reconcile.html import (
        render_report,
        write_report,
    )
    from tickermap.reconcile.linking import (
        link_by_name,
        note_links,
    )
    from tickermap.reconcile.local_evidence import (
        LocalEvidence,
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
    from tickermap.reconcile.report_data import (
        BUCKETS,
        COLUMN_LEGEND,
        NO_EXCHANGE,
        bucket_of,
        claim_table,
        evidence_id,
        exchange_totals,
        review_queue,
        severity_key,
        universe_table,
    )
    from tickermap.reconcile.rows import (
        openfigi_shown,
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
    from tickermap.reconcile.run_info import (
        InputFile,
        RunInfo,
        Witness,
        file_sha256,
        openfigi_mode,
        run_info,
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
    from tickermap.reconcile.yahoo import (
        with_yahoo,
    )

__all__ = [
    "BUCKETS",
    "CLAIM_FIELDS",
    "COLUMN_LEGEND",
    "EVENT_REASONS",
    "FEATURE_LEVELS",
    "FIT_BITS",
    "FIT_RANK",
    "FOREIGN_VENUES",
    "MIN_CHARS",
    "NAME_CAP",
    "NO_EXCHANGE",
    "OFFLINE_CAP",
    "OPENFIGI",
    "OPENFIGI_RELIABILITY",
    "PRIOR_CORRECT",
    "REVIEW_COLUMNS",
    "SEVERITY",
    "UNIVERSE_COLUMNS",
    "VERDICT_COLUMNS",
    "YAHOO_MARKETS",
    "Claim",
    "ClaimContext",
    "Consensus",
    "Event",
    "EventConfidence",
    "Finding",
    "InputFile",
    "Judgement",
    "Listing",
    "LocalEvidence",
    "Lookup",
    "Lookups",
    "NameChecks",
    "ReconcileOutputs",
    "ReconcileResult",
    "RowKey",
    "RunInfo",
    "Score",
    "TickerRow",
    "Verdict",
    "Witness",
    "WitnessStats",
    "apply_consensus",
    "audit_events",
    "audit_file",
    "blame_listings",
    "bucket_of",
    "build_contexts",
    "check_figi_column",
    "check_isin_claim",
    "check_known",
    "check_listing",
    "check_name",
    "check_names",
    "check_share_class",
    "check_validity",
    "claim_records",
    "claim_table",
    "claims_table",
    "clusters",
    "describe",
    "disagreements",
    "event_confidence",
    "evidence_id",
    "exchange_totals",
    "file_sha256",
    "fit_reliabilities",
    "gather_lookups",
    "is_placeholder_ticker",
    "is_reused",
    "judge_claims",
    "judge_isin_only",
    "judge_one",
    "judge_reused",
    "judge_unknown_figi",
    "judge_without_holder",
    "link_by_name",
    "listing_fit",
    "listings_for",
    "local_evidence",
    "merge_history",
    "name_groups",
    "note_links",
    "openfigi_mode",
    "openfigi_shown",
    "reconcile",
    "reconcile_files",
    "render_report",
    "review_frame",
    "review_queue",
    "roots_collide",
    "run_info",
    "same_company",
    "score_claim",
    "severity_key",
    "summarize_events",
    "universe_frame",
    "universe_rows",
    "universe_table",
    "with_agreeing",
    "with_markets",
    "with_yahoo",
    "witnesses",
    "worst",
    "write_report",
]

__getattr__, __dir__ = lazy_exports(__name__)
