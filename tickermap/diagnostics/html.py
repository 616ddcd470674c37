"""The ``diagnostics --report`` page: what a Signals user reads before submitting.

One self-contained file (opens offline, fetches nothing; built on :mod:`tickermap.pages`, charts
are inline SVG from :mod:`tickermap.charts`, as the exposure and reconcile reports): a headline
(dates, tickers, inputs, the metrics computed and their means), the summary table with numbers
shown to 4 significant digits (so alpha's 2.3e-05 is not 0.0000), Numerai's rules with pass or
fail and their source and date, the notes (why metrics were left NaN), the per-date metrics and
their cumulative sums over time, churn and turnover against the thresholds, and the per-date
table in a scrolling box. Rendering only; :mod:`tickermap.diagnostics.run` writes it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tickermap.charts import PALETTE, Series, lines
from tickermap.diagnostics.summary import RULES
from tickermap.pages import BASE_CSS, TABLE_SCRIPT, data_table, escape, page

if TYPE_CHECKING:
    from tickermap.diagnostics.run import DiagnosticsReport

__all__ = ["METRIC_LABELS", "html_page", "show_number"]

METRIC_LABELS: dict[str, str] = {
    "numerai_corr": "Numerai correlation with the target (CORR)",
    "neutral_correlation": "correlation after neutralising to the neutralizers",
    "alpha": "neutralised, sample-weighted weights times the target (payouts)",
    "correlation_contribution": "MMC: contribution beyond the meta model",
    "neutral_contribution": "MMC with signal and meta model neutralised",
    "feature_neutral_corr": "correlation after neutralising to the features (FNC)",
    "max_feature_correlation": "largest |correlation| with one feature",
    "churn": "churn against the previous date (1 - correlation)",
    "neutral_churn": "churn of the neutralised signal",
    "neutral_churn_penalty": "payout multiplier for neutral churn (1 = none)",
    "turnover": "turnover of the neutral weights against the previous date",
}
"""What each per-date column is (the column is the numerai-tools function it equals)."""

_SCORES = (
    ("correlation", ("numerai_corr", "neutral_correlation", "feature_neutral_corr")),
    ("MMC", ("correlation_contribution", "neutral_contribution")),
    ("alpha", ("alpha",)),
)
"""Score charts: a name and its metrics (few per chart, so the legend fits)."""
_RATES = ("churn", "neutral_churn", "turnover")
_W, _H = 560, 260
"""Chart size: two side by side on a laptop screen."""
_CSS = (
    BASE_CSS
    + """
.headline{font-size:1.05em;margin:.4em 0 1em} .headline b{font-variant-numeric:tabular-nums}
.verdict{font-weight:bold;padding:1px 6px;border-radius:3px;white-space:nowrap}
.verdict.fail{background:#fde2e1;color:#b00020} .verdict.pass{background:#e0f3e5;color:#0a7d32}
.verdict.penalty{background:#fff1d6;color:#8a5a00}
.scroll{max-height:30em;overflow:auto;border:1px solid #ddd}
.scroll table{margin:0} .scroll th{position:sticky;top:0;z-index:1}
.scroll td{white-space:nowrap} td{font-variant-numeric:tabular-nums} td.num{white-space:nowrap}
#rules td:first-child,#rules td:last-child{white-space:nowrap}
"""
)


def show_number(value: object) -> str:
    """A number as the page shows it: 4 significant digits, scientific when tiny or huge.

    >>> [show_number(v) for v in (0.150939, 2.3229e-05, 0.0, 21.8254, float("nan"))]
    ['0.1509', '2.323e-05', '0', '21.83', '']
    """
    if not isinstance(value, (int, float, np.number)) or isinstance(value, bool):
        return str(value)
    v = float(value)
    if math.isnan(v):
        return ""
    return f"{v:.4g}"


def _share(value: object) -> str:
    v = float(value) if isinstance(value, (int, float, np.number)) else math.nan
    return "" if math.isnan(v) else f"{v:.1%}"


def _dates(report: DiagnosticsReport) -> list[str]:
    return list(report.per_date["date"].astype(str).str[:10])


def _headline(report: DiagnosticsReport) -> str:
    per = report.per_date
    dates = _dates(report)
    n = per["n_signal"] if "n_signal" in per.columns else pd.Series([np.nan])
    inputs = [c[2:].replace("_", " ") for c in per.columns if c.startswith("n_")]
    s = report.summary.set_index("metric")
    means = [
        f"{escape(m)} <b>{escape(show_number(s.at[m, 'mean']))}</b>"
        for m in ("numerai_corr", "alpha", "correlation_contribution")
        if m in s.index
    ]
    run = {
        "dates": f"{dates[0]} to {dates[-1]} ({len(dates)} dates)" if dates else "none",
        "tickers per date": f"{show_number(n.median())} (median; {show_number(n.min())} to "
        f"{show_number(n.max())})",
        "ID column": report.id_col or "?",
        "inputs": ", ".join(inputs),
        "metrics": ", ".join(s.index) or "none (give --targets, --neutralizers, ...)",
    }
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in run.items())
    headline = f"<p class='headline'>Mean per date: {', '.join(means)}.</p>" if means else ""
    rules = [
        f"{escape(r['rule'])}: {_verdict(r)} ({escape(_share(r['latest']))})"
        for _, r in report.rules.iterrows()
    ]
    if rules:
        latest = escape(dates[-1]) if dates else ""
        headline += f"<p class='headline'>Numerai's rules on {latest}: {'; '.join(rules)}.</p>"
    return f"{headline}<dl class='run'>{dl}</dl>"


def _summary(report: DiagnosticsReport) -> str:
    s = report.summary
    if s.empty:
        return "<p class='none'>no metric: give --targets (and --neutralizers ...)</p>"
    shown = pd.DataFrame(
        {
            "metric": s["metric"],
            "what it is": [METRIC_LABELS.get(m, "") for m in s["metric"]],
            "mean": s["mean"],
            "std": s["std"],
            "sharpe (mean/std)": s["sharpe"],
            "max drawdown": s["max_drawdown"],
            "dates > 0 (%)": s["positive_share"] * 100,
            "latest": s["latest"],
            "dates": s["n_dates"],
            "NaN dates": s["n_missing"],
        }
    )
    note = (
        "<p class='note'>Per date, over the dates with a value: std with ddof 0, max drawdown of "
        "the cumulative sum, as numerai-tools and Numerai's notebooks summarise eras. Numbers "
        "to 4 significant digits; click a header to sort.</p>"
    )
    return note + data_table(shown, table_id="summary", search=None, float_format=show_number)


def _verdict(rule: pd.Series) -> str:
    penalty = str(rule["rule"]).startswith("neutral_churn")
    if bool(rule["latest_over"]):
        cls, word = ("penalty", "PENALISED") if penalty else ("fail", "FAIL")
    else:
        cls, word = "pass", "pass"
    return f"<span class='verdict {cls}'>{word}</span>"


def _rules(report: DiagnosticsReport) -> str:
    r = report.rules
    if r.empty:
        return (
            "<p class='none'>not applied: churn and turnover need --neutralizers and "
            "--sample-weights</p>"
        )
    n = {m: int(report.per_date[m].notna().sum()) for m in _RATES if m in report.per_date}
    shown = pd.DataFrame(
        {
            "rule": r["rule"],
            "verdict (latest date)": [_verdict(row) for _, row in r.iterrows()],
            "latest": [_share(v) for v in r["latest"]],
            "dates over": [
                f"{k} of {n.get(str(rule).split()[0], '?')}"
                for k, rule in zip(r["dates_over"], r["rule"], strict=True)
            ],
            "consequence": r["consequence"],
            "source": r["source"],
            "as of": r["as_of"],
        }
    )
    note = (
        "<p class='note'>The verdict is the latest date against the one before it; Numerai "
        "applies churn and turnover to the max over the previous five weekly submissions.</p>"
    )
    verdict = ("verdict (latest date)",)
    return data_table(shown, table_id="rules", search=None, html_columns=verdict) + note


def _notes(report: DiagnosticsReport) -> str:
    if not report.notes:
        return "<p class='none'>none: every metric has a value on every date it can</p>"
    return "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in report.notes) + "</ul>"


def _series(
    per: pd.DataFrame, cols: list[str], *, cumulative: bool = False, scale: float = 1.0
) -> list[Series]:
    out: list[Series] = []
    for i, c in enumerate(cols):
        v = per[c].astype(float)
        if cumulative:
            v = v.fillna(0.0).cumsum().where(v.notna().cummax())
        out.append((c, [None if math.isnan(x) else float(x) * scale for x in v], PALETTE[i]))
    return out


def _unit(values: pd.DataFrame) -> tuple[float, str]:
    """Tiny metrics (alpha ~1e-5) are drawn in a power of ten, named in the title, so the
    axis reads 1.5, 2, 2.5 rather than 1.5e-05.

    >>> _unit(pd.DataFrame({"alpha": [2.3e-5, 3.4e-5]}))
    (100000.0, ' (x 1e-5)')
    >>> _unit(pd.DataFrame({"corr": [0.02, -0.1]}))
    (1.0, '')
    """
    top = float(values.astype(float).abs().max().max()) if values.size else 0.0
    if not math.isfinite(top) or top == 0 or top >= 1e-2:
        return 1.0, ""
    k = math.floor(math.log10(top))
    return 10.0**-k, f" (x 1e{k})"


def _charts(report: DiagnosticsReport) -> str:
    per, dates = report.per_date, _dates(report)
    if len(dates) < 2:
        return "<p class='none'>one date: nothing to draw over time</p>"
    charts = []
    for name, group in _SCORES:
        cols = [c for c in group if c in per.columns]
        if cols:
            scale, unit = _unit(per[cols])
            per_day = _series(per, cols, scale=scale)
            cum = _series(per, cols, cumulative=True, scale=scale)
            title = f"{name} per date{unit}"
            charts.append(lines(dates, per_day, title=title, ylabel=name, width=_W, height=_H))
            title = f"cumulative {name} (sum over dates){unit}"
            charts.append(
                lines(dates, cum, title=title, ylabel=f"sum of {name}", width=_W, height=_H)
            )
    limits = {r.metric: r.threshold for r in RULES}
    for rates in (("churn", "neutral_churn"), ("turnover",), ("max_feature_correlation",)):
        cols = [c for c in rates if c in per.columns]
        if cols:
            hl = [(limits[c], f"{c} limit {limits[c]:.0%}") for c in cols if c in limits]
            title = " and ".join(cols) + " per date"
            pct = cols[0] != "max_feature_correlation"
            chart = lines(dates, _series(per, cols), title=title, ylabel=cols[0], hlines=hl,
                          percent=pct, width=_W, height=_H)  # fmt: skip
            charts.append(chart)
    return f"<div class='charts'>{''.join(charts)}</div>"


def _per_date(report: DiagnosticsReport) -> str:
    per = report.per_date.copy()
    per["date"] = per["date"].astype(str).str[:10]
    metrics = [c for c in METRIC_LABELS if c in per.columns]
    order = ["date", *metrics, *[c for c in per.columns if c not in metrics and c != "date"]]
    per = per[order]
    table = data_table(per, table_id="per_date", search="filter", float_format=show_number)
    note = (
        f"<p class='note'>{len(per)} dates, one row each (the --out file): scroll inside the "
        "box; click a header to sort.</p>"
    )
    return note + table.replace("<div class='wide'>", "<div class='wide scroll'>", 1)


def html_page(report: DiagnosticsReport) -> str:
    """The whole page: headline, summary, rules, notes, charts over time, per-date table."""
    sections = [
        "<h1>Signals diagnostics</h1>",
        _headline(report),
        "<h2>Summary over dates</h2>",
        _summary(report),
        "<h2>Numerai's rules</h2>",
        _rules(report),
        "<h2>Notes</h2>",
        _notes(report),
        "<h2>Over time</h2>",
        _charts(report),
        "<h2>Per date</h2>",
        _per_date(report),
        "<p class='note'>Generated by tickermap diagnostics; every number equals numerai-tools "
        "0.7.2 run on that date. Self-contained: no network needed to view.</p>",
    ]
    return page("tickermap diagnostics", "".join(sections), css=_CSS, script=TABLE_SCRIPT)
