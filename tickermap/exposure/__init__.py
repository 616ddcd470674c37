"""Per-date exposures, neutralisation, churn, joins through the universe, and the exposure run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.exposure.churn import (
        CHURN_COLUMNS,
        MIN_OVERLAP,
        churn,
        summarize_churn,
    )
    from tickermap.exposure.joins import (
        DEFAULT_EXCLUDED_STATUSES,
        JOIN_KEYS,
        MIN_COVERAGE,
        STATUS,
        JoinResult,
        join_through_universe,
    )
    from tickermap.exposure.neutralize import (
        Transform,
        neutralize,
    )
    from tickermap.exposure.per_date import (
        MIN_TICKERS,
        Aligned,
        Method,
        align,
        group_rank,
        grouped_stats,
        numerai_transform,
        per_date_exposures,
        summarize_exposures,
    )
    from tickermap.exposure.run import (
        DATES_PER_BATCH,
        STREAM_BYTES,
        ExposureReport,
        bar_chart_png,
        forum_table,
        html_report,
        load_numeric,
        output_paths,
        run_exposure,
        write_outputs,
    )

__all__ = [
    "CHURN_COLUMNS",
    "DATES_PER_BATCH",
    "DEFAULT_EXCLUDED_STATUSES",
    "JOIN_KEYS",
    "MIN_COVERAGE",
    "MIN_OVERLAP",
    "MIN_TICKERS",
    "STATUS",
    "STREAM_BYTES",
    "Aligned",
    "ExposureReport",
    "JoinResult",
    "Method",
    "Transform",
    "align",
    "bar_chart_png",
    "churn",
    "forum_table",
    "group_rank",
    "grouped_stats",
    "html_report",
    "join_through_universe",
    "load_numeric",
    "neutralize",
    "numerai_transform",
    "output_paths",
    "per_date_exposures",
    "run_exposure",
    "summarize_churn",
    "summarize_exposures",
    "write_outputs",
]

__getattr__, __dir__ = lazy_exports(__name__)
