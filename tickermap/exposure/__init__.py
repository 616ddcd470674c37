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
    from tickermap.exposure.command import (
        ExposureView,
        exposure_command,
        output_paths,
        planned_outputs,
    )
    from tickermap.exposure.gauss import ndtri
    from tickermap.exposure.html import (
        FEATURE_LABELS,
        SUMMARY_LABELS,
        bar_chart_png,
        html_report,
        label,
    )
    from tickermap.exposure.inputs import (
        DATES_PER_BATCH,
        STREAM_BYTES,
        feature_batches,
        load_numeric,
        read_signal,
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
        ExposureReport,
        exposure_files,
        forum_table,
        run_exposure,
        view_of,
        write_outputs,
    )

__all__ = [
    "CHURN_COLUMNS",
    "DATES_PER_BATCH",
    "DEFAULT_EXCLUDED_STATUSES",
    "FEATURE_LABELS",
    "JOIN_KEYS",
    "MIN_COVERAGE",
    "MIN_OVERLAP",
    "MIN_TICKERS",
    "STATUS",
    "STREAM_BYTES",
    "SUMMARY_LABELS",
    "Aligned",
    "ExposureReport",
    "ExposureView",
    "JoinResult",
    "Method",
    "Transform",
    "align",
    "bar_chart_png",
    "churn",
    "exposure_command",
    "exposure_files",
    "feature_batches",
    "forum_table",
    "group_rank",
    "grouped_stats",
    "html_report",
    "join_through_universe",
    "label",
    "load_numeric",
    "ndtri",
    "neutralize",
    "numerai_transform",
    "output_paths",
    "per_date_exposures",
    "planned_outputs",
    "read_signal",
    "run_exposure",
    "summarize_churn",
    "summarize_exposures",
    "view_of",
    "write_outputs",
]

__getattr__, __dir__ = lazy_exports(__name__)
