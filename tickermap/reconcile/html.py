"""A self-contained HTML report of a reconciliation (opens offline: charts are inline PNGs).

Counts by status, reason and exchange, the most suspicious rows with their evidence, where the
maps disagree, and a legend of the reason codes (:func:`tickermap.reasons.legend`). Rendering
only: it reads the typed :class:`~tickermap.reconcile.records.ReconcileResult`.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from tickermap.reasons import Reason, legend
from tickermap.reconcile.records import ReconcileResult, Verdict, most_suspicious
from tickermap.tables import atomic_path

__all__ = ["render_report", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1200px;
color:#222}
h1{font-size:1.6em} h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4} .num{text-align:right} .bad{color:#b00020} .ok{color:#0a7d32}
.charts{display:flex;flex-wrap:wrap;gap:1em} .note{color:#666;font-size:.85em}
code{font-size:.9em}
"""


def _bar_png(counts: pd.Series, title: str, *, color: str = "#4c72b0") -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, max(2.0, 0.28 * len(counts) + 1)))
    counts = counts.sort_values()
    ax.barh([str(i) for i in counts.index], counts.to_numpy(), color=color)
    ax.set_title(title)
    ax.set_xlabel("tickers")
    for i, value in enumerate(counts.to_numpy()):
        ax.text(value, i, f" {value}", va="center", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _table(frame: pd.DataFrame, *, limit: int = 50) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for rec in frame.head(limit).itertuples(index=False):
        cells = []
        for value in rec:
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else value
            cls = ' class="num"' if isinstance(text, (int, float)) else ""
            cells.append(f"<td{cls}>{html.escape(str(text))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f"<p class='note'>{len(frame) - limit} more rows not shown.</p>"
        if len(frame) > limit
        else ""
    )
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


_WORST_COLUMNS = [
    "bloomberg_ticker",
    "source",
    "source_row",
    "reasons",
    "suspicion",
    "probability",
    "suggested_composite_figi",
    "evidence",
]


def _worst_claims(verdicts: list[Verdict], limit: int = 100) -> pd.DataFrame:
    """The most suspicious flagged claims with their evidence sentences."""
    flagged = [v for v in most_suspicious(verdicts) if v.reasons][:limit]
    rows = [
        (
            v.claim.ticker,
            v.claim.source,
            v.claim.source_row,
            ";".join(map(str, v.reasons)),
            v.score.suspicion,
            v.probability,
            v.suggested_composite_figi,
            " | ".join(f"{k}: {d}" for k, d in v.details.items()),
        )
        for v in flagged
    ]
    return pd.DataFrame(rows, columns=_WORST_COLUMNS)


def render_report(result: ReconcileResult, *, title: str = "tickermap reconciliation") -> str:
    """Return the report as one HTML string."""
    statuses = pd.Series([str(r.status) for r in result.rows], dtype="object")
    status = statuses.value_counts()
    reasons = pd.Series(
        [str(x) for r in result.rows for x in r.reasons], dtype="object"
    ).value_counts()
    by_exch = (
        pd.Series([r.exch_code for r in result.rows if r.status != Reason.OK], dtype="object")
        .value_counts()
        .head(25)
    )
    charts = [_bar_png(status, "tickers by status")]
    if not reasons.empty:
        charts.append(_bar_png(reasons, "tickers by reason", color="#c44e52"))
    if not by_exch.empty:
        charts.append(_bar_png(by_exch, "flagged tickers by exchange", color="#dd8452"))
    imgs = "".join(f'<img alt="chart" src="data:image/png;base64,{c}">' for c in charts)
    n, ok = len(result.rows), int((statuses == str(Reason.OK)).sum())
    summary = (
        f"<p>{n} tickers: <span class='ok'>{ok} ok</span>, "
        f"<span class='bad'>{n - ok} flagged or not ok</span>; "
        f"{len(result.verdicts)} claims from the maps judged.</p>"
    )
    counts = pd.DataFrame({"status": status.index, "tickers": status.to_numpy()})
    codes = pd.DataFrame(legend(), columns=["code", "severity", "meaning"])
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>{summary}
<div class="charts">{imgs}</div>
<h2>Counts by status</h2>{_table(counts)}
<h2>Most suspicious claims</h2>
<p class="note">Sorted by suspicion (Fellegi-Sunter log-odds against the claim, in bits).</p>
{_table(_worst_claims(result.verdicts))}
<h2>Where the maps disagree</h2>{_table(result.disagreements)}
<h2>Reason codes</h2>
<p class="note">Worst first: a ticker's status is its worst reason.</p>{_table(codes)}
<p class="note">Generated by tickermap. Self-contained: no network needed to view.</p>
</body></html>"""


def write_report(path: str | Path, result: ReconcileResult) -> Path:
    """Write the HTML report atomically; return its path."""
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(render_report(result), encoding="utf-8")
    return target
