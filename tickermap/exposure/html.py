"""The exposure report's pictures: the bar-chart PNG and the self-contained HTML page.

The page (one file, opens offline, fetches nothing) shows the run's settings, the headline table
with human labels, exposures over time as small multiples on one shared scale (inline SVG from
:mod:`tickermap.charts`), coverage per date against the 80% line, every unmatched ticker with its
reason, and churn. Rendering only (built on :mod:`tickermap.pages`); :mod:`tickermap.exposure.run`
decides what to write where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tickermap.charts import PALETTE, lines
from tickermap.columns import DATE
from tickermap.exposure.joins import MIN_COVERAGE
from tickermap.pages import TABLE_SCRIPT, data_table, escape, figure, img, or_none, page, png_bytes
from tickermap.pages import table as html_table

if TYPE_CHECKING:
    from tickermap.exposure.run import ExposureReport

__all__ = ["FEATURE_LABELS", "SUMMARY_LABELS", "bar_chart_png", "html_report", "label"]

FEATURE_LABELS: dict[str, str] = {
    "williams_r": "Williams %R",
    "trix": "TRIX (triple-smoothed momentum)",
    "bollinger_pband": "Bollinger %B (place in the bands)",
    "cci": "Commodity Channel Index",
    "price_to_52w_high": "price / 52-week high",
    "volume_volatility_to_price": "volume volatility / price",
    "residual_volatility": "residual volatility (vs market)",
    "short_term_return": "short-term return",
    "usd_market_cap": "market cap (USD)",
    "price_rank_country": "price rank within country",
}
"""Human names of the features ``tickermap features`` computes (others show their column)."""

SUMMARY_LABELS: dict[str, str] = {
    "feature": "feature",
    "mean": "mean exposure",
    "std": "std over dates",
    "sharpe": "mean / std",
    "positive_share": "share of dates > 0",
    "latest": "latest",
    "max_abs": "max |exposure|",
    "spearman": "Spearman mean",
    "neutralized": "mean after neutralising",
}
"""Column headers of the headline table."""

_UNMATCHED = {
    "not_in_universe": "the ticker is not in the cleaned universe",
    "ambiguous_in_universe": "the universe maps the ticker to several keys",
    "unparseable_ticker": "the ticker cannot be parsed",
    "missing_key": "the signal row has no ticker",
    "duplicate_target": "another signal row joined the same feature row that date",
    "no_feature_row": "no feature row for the key on that date",
}


def label(feature: str) -> str:
    """The human name of a feature column (the column itself when unknown)."""
    return FEATURE_LABELS.get(feature, feature)


def _why(reason: str) -> str:
    if reason.startswith("excluded_status:"):
        return f"the universe marks it {reason.split(':', 1)[1]}, excluded from joins"
    return _UNMATCHED.get(reason, reason)


def _four(value: float) -> str:
    return f"{value:.4f}"


def bar_chart_png(table: pd.DataFrame) -> bytes:
    """Horizontal bars of the mean exposure per feature (and after neutralisation)."""
    t = table.iloc[::-1]
    with figure((8, 0.4 * len(t) + 1.2)) as (fig, ax):
        y = np.arange(len(t))
        has_neutral = "neutralized" in t.columns
        h = 0.4 if has_neutral else 0.7
        colors: str | list[str] = (  # with a legend: one colour per series, as the small charts
            "#4c72b0" if has_neutral else ["#2a7ab0" if v >= 0 else "#c0392b" for v in t["mean"]]
        )
        ax.barh(y + (h / 2 if has_neutral else 0), t["mean"], height=h, color=colors, label="raw")
        if has_neutral:
            ax.barh(y - h / 2, t["neutralized"], height=h, color="#999999", label="neutralized")
            ax.legend(loc="lower right")
        ax.set_yticks(y, t["feature"])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("mean exposure (Numerai correlation)")
        ax.set_title("Signal exposure to features")
        return png_bytes(fig)


def _small_multiples(report: ExposureReport, order: list[str]) -> str:
    """One chart per feature, raw and neutralised, on one shared y scale."""
    per = report.per_date
    methods = list(dict.fromkeys(per["method"]))
    primary = "numerai" if "numerai" in methods else methods[0]
    per = per[per["method"] == primary]
    finite = per["exposure"][np.isfinite(per["exposure"])]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (-1.0, 1.0)
    dates = sorted(per[DATE].astype(str).str[:10].unique())
    charts = []
    for feat in order:
        series = []
        for i, stage in enumerate(("raw", "neutralized")):
            g = per[(per["feature"] == feat) & (per["stage"] == stage)]
            if len(g):
                got = dict(zip(g[DATE].astype(str).str[:10], g["exposure"], strict=True))
                series.append((stage, [got.get(d) for d in dates], (PALETTE[0], "#999999")[i]))
        svg = lines(dates, series, title=label(feat), ylabel=f"exposure ({primary})",
                    yrange=(min(lo, 0.0), max(hi, 0.0)), width=340, height=210)  # fmt: skip
        charts.append(f"<div data-key='{escape(feat)}' class='multiple'>{svg}</div>")
    options = "".join(f"<option value='{escape(f)}'>{escape(label(f))}</option>" for f in order)
    select = (
        "<p><label>show <select data-show='.multiple'><option value=''>every feature</option>"
        f"{options}</select></label></p>"
    )
    return f"{select}<div class='grid'>{''.join(charts)}</div>"


def _coverage(report: ExposureReport) -> str:
    cov = report.coverage
    rows, matched = int(cov["signal_rows"].sum()), int(cov["matched"].sum())
    share = matched / rows if rows else float("nan")
    low = cov[cov["coverage"] < MIN_COVERAGE]
    dates = list(cov[DATE].astype(str).str[:10])
    chart = lines(dates, [("share joined", list(cov["coverage"]), PALETTE[0])],
                  title="Share of signal rows joined, per date", ylabel="rows joined",
                  hlines=[(MIN_COVERAGE, f"{MIN_COVERAGE:.0%} line (dates below are flagged)")],
                  yrange=(0.0, 1.0), percent=True)  # fmt: skip
    lows = ", ".join(low[DATE].astype(str).str[:10]) or "none"
    per_date = html_table(cov.assign(coverage=cov["coverage"].round(4)), limit=None)
    return (
        f"<p>{matched} of {rows} signal rows joined ({share:.1%}) over {len(cov)} dates; "
        f"dates under {MIN_COVERAGE:.0%}: {escape(lows)}.</p>{chart}"
        f"<details><summary>coverage per date (table)</summary>{per_date}</details>"
    )


def _unmatched(report: ExposureReport) -> str:
    un = report.unmatched
    if un.empty:
        return "<p class='none'>none: every signal row joined</p>"
    key = next(c for c in un.columns if c not in (DATE, "reason"))
    grouped = (
        un.assign(date=un[DATE].astype(str).str[:10])
        .groupby([key, "reason"], sort=False)[DATE]
        .agg(["count", "min", "max"])
        .reset_index()
    )
    grouped.columns = [key, "reason", "dates", "first", "last"]
    grouped.insert(2, "why", [_why(r) for r in grouped["reason"]])
    grouped = grouped.sort_values(["dates", key], ascending=[False, True], ignore_index=True)
    reasons = sorted(set(grouped["reason"]))
    return f"<p>{len(un)} signal rows of {len(grouped)} tickers did not join.</p>" + data_table(
        grouped, table_id="unmatched", filters=[("reason", reasons)]
    )


def _churn(report: ExposureReport) -> str:
    ch = report.churn
    if not ch["churn"].notna().any():
        return "<p class='none'>none: fewer than two dates with a signal</p>"
    dates = list(ch[DATE].astype(str).str[:10])
    series = [("churn (1 - Spearman vs previous date)", list(ch["churn"]), PALETTE[0])]
    if ch["churn_top_bottom"].notna().any():
        series.append(("top/bottom churn", list(ch["churn_top_bottom"]), PALETTE[1]))
    chart = lines(dates, series, title="Churn against the previous date", ylabel="churn",
                  yrange=(0.0, 1.0))  # fmt: skip
    reasons = ch["reason"].value_counts()
    notes = "; ".join(f"{r}: {n} dates" for r, n in reasons.items())
    few = (
        " <b>too_few_tickers</b>: the top/bottom overlap needs at least 2 x N common tickers."
        if "too_few_tickers" in reasons.index
        else ""
    )
    return (
        f"{html_table(report.churn_summary, limit=None, float_format=_four)}{chart}"
        f"<p class='note'>reason per date: {escape(notes)}.{few}</p>"
    )


def html_report(report: ExposureReport, summary_table: pd.DataFrame) -> str:
    """A self-contained HTML page: settings, table, bar chart, small multiples, coverage, churn.

    ``summary_table`` is :func:`~tickermap.exposure.run.forum_table` of the report.
    """
    labelled = summary_table.assign(feature=[label(f) for f in summary_table["feature"]])
    shown = labelled.assign(column=summary_table["feature"]).rename(columns=SUMMARY_LABELS)
    settings = report.settings or {"join key": report.key}
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in settings.items())
    sections = [
        f"<h2>Settings</h2><dl class='run'>{dl}</dl>",
        "<h2>Summary</h2>",
        "<p class='note'>Exposure: the Numerai correlation of the signal with each feature per "
        "date (numerai-tools), summarised over dates. Click a header to sort.</p>",
        data_table(shown, table_id="summary", search=None, float_format=_four),
        img(bar_chart_png(labelled), "mean exposure per feature"),
        "<h2>Exposure over time</h2>",
        _small_multiples(report, list(summary_table["feature"])),
        "<h2>Coverage</h2>",
        _coverage(report),
        "<h2>Unmatched tickers</h2>",
        _unmatched(report),
        "<h2>Churn</h2>",
        or_none(_churn(report), report.churn.empty),
        "<p class='note'>Generated by tickermap. Self-contained: no network needed to view.</p>",
    ]
    return page(
        "tickermap exposure",
        f"<h1>Signal exposures</h1>{''.join(sections)}",
        script=TABLE_SCRIPT,
    )
