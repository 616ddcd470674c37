"""The OpenFIGI v3 client: transport, rate limiter, records, cache, resolve (HTTP only here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.openfigi.cache import (
        CACHE_FILE,
        OutcomeCache,
        cache_file_for,
    )
    from tickermap.openfigi.client import (
        KEYED_JOBS_PER_REQUEST,
        UNKEYED_JOBS_PER_REQUEST,
        OpenFigiClient,
    )
    from tickermap.openfigi.ratelimit import (
        TIME_SCALE_HEADER,
        BucketLimiter,
        RateHeaders,
        parse_rate_headers,
    )
    from tickermap.openfigi.records import (
        DEFINITIVE,
        ClientStats,
        FigiRecord,
        IdType,
        ItemError,
        Job,
        MapOutcome,
        OutcomeStatus,
        parse_item,
    )
    from tickermap.openfigi.resolve import (
        MAX_TICKER_LENGTH,
        OUT_COLUMNS,
        Resolution,
        ResolutionOutcome,
        ResolveReport,
        VenueLookup,
        composite_job,
        resolutions_frame,
        resolve_file,
        resolve_tickers,
        ticker_job,
        venue_lookup_codes,
    )
    from tickermap.openfigi.search import SearchResult
    from tickermap.openfigi.transport import (
        FATAL_STATUSES,
        RETRY_STATUSES,
        USER_AGENT,
        Transport,
        is_retryable,
    )

__all__ = [
    "CACHE_FILE",
    "DEFINITIVE",
    "FATAL_STATUSES",
    "KEYED_JOBS_PER_REQUEST",
    "MAX_TICKER_LENGTH",
    "OUT_COLUMNS",
    "RETRY_STATUSES",
    "TIME_SCALE_HEADER",
    "UNKEYED_JOBS_PER_REQUEST",
    "USER_AGENT",
    "BucketLimiter",
    "ClientStats",
    "FigiRecord",
    "IdType",
    "ItemError",
    "Job",
    "MapOutcome",
    "OpenFigiClient",
    "OutcomeCache",
    "OutcomeStatus",
    "RateHeaders",
    "Resolution",
    "ResolutionOutcome",
    "ResolveReport",
    "SearchResult",
    "Transport",
    "VenueLookup",
    "cache_file_for",
    "composite_job",
    "is_retryable",
    "parse_item",
    "parse_rate_headers",
    "resolutions_frame",
    "resolve_file",
    "resolve_tickers",
    "ticker_job",
    "venue_lookup_codes",
]

__getattr__, __dir__ = lazy_exports(__name__)
