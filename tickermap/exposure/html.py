"""The exposure report's pictures: the bar-chart PNG and the self-contained HTML page.

Rendering only (built on :mod:`tickermap.pages`); :mod:`tickermap.exposure.run` decides what to
write where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tickermap.columns import DATE
from tickermap.pages import escape, figure, img, page, png_bytes, table

if TYPE_CHECKING:
    from tickermap.exposure.run import ExposureReport

__all__ = ["bar_chart_png", "html_report", "lines_png"]

_CSS = "body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}"


def _four(value: float) -> str:
    return f"{value:.4f}"


def bar_chart_png(table: pd.DataFrame) -> bytes:
    """Horizontal bars of the mean exposure per feature (and after neutralisation)."""
    t = table.iloc[::-1]
    with figure((8, 0.4 * len(t) + 1.2)) as (fig, ax):
        y = np.arange(len(t))
        has_neutral = "neutralized" in t.columns
        h = 0.4 if has_neutral else 0.7
        colors = ["#2a7ab0" if v >= 0 else "#c0392b" for v in t["mean"]]
        ax.barh(y + (h / 2 if has_neutral else 0), t["mean"], height=h, color=colors, label="raw")
        if has_neutral:
            ax.barh(y - h / 2, t["neutralized"], height=h, color="#999999", label="neutralized")
            ax.legend(loc="lower right")
        ax.set_yticks(y, t["feature"])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("mean exposure (Numerai correlation)")
        ax.set_title("Signal exposure to features")
        return png_bytes(fig)


def lines_png(frame: pd.DataFrame, column: str, by: str | None, title: str) -> bytes:
    """One line of ``column`` over ``date`` (per ``by`` group when given)."""
    with figure((9, 4)) as (fig, ax):
        groups = frame.groupby(by) if by else [(column, frame)]
        for name, g in groups:
            ax.plot(g[DATE], g[column], label=str(name), linewidth=1.2)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_title(title)
        if by:
            ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.autofmt_xdate()
        return png_bytes(fig)


def html_report(report: ExposureReport, summary_table: pd.DataFrame) -> str:
    """A self-contained HTML page: table, bar chart, exposure-over-time lines, coverage, churn.

    ``summary_table`` is :func:`~tickermap.exposure.run.forum_table` of the report.
    """
    raw = report.per_date[report.per_date["stage"] == "raw"]
    primary = "numerai" if (raw["method"] == "numerai").any() else raw["method"].iloc[0]
    lines = raw[raw["method"] == primary]
    sections = [
        "<h2>Summary</h2>",
        table(summary_table, limit=None, float_format=_four),
        img(bar_chart_png(summary_table), "mean exposure per feature"),
        "<h2>Exposure over time</h2>",
        img(lines_png(lines, "exposure", "feature", f"per-date exposure ({primary})"), "lines"),
        "<h2>Coverage</h2>",
        img(lines_png(report.coverage, "coverage", None, "share of signal rows joined"), "cov"),
    ]
    if report.churn["churn"].notna().any():
        sections += [
            "<h2>Churn</h2>",
            table(report.churn_summary, limit=None, float_format=_four),
            img(lines_png(report.churn, "churn", None, "churn vs previous date"), "churn"),
        ]
    note = f"<p>join key: {escape(report.key)}</p>"
    return page(
        "tickermap exposure", f"<h1>Signal exposures</h1>{note}{''.join(sections)}", css=_CSS
    )
