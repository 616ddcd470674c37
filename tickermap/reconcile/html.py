"""A self-contained HTML report of a reconciliation (one file; opens offline, fetches nothing).

Sections: a summary, run details (:class:`~tickermap.reconcile.run_info.RunInfo`), inline SVG
charts (:mod:`tickermap.charts`), totals for every exchange, the whole universe as a sortable
table with a filter box (status, exchange, free text) whose tickers link to their evidence, the
claims to review first, where the maps disagree, the witness rows outside the universe that
carry another company's ISIN (when there are any), every ticker's evidence (claims, reasons,
sentences, feature weights) and a legend generated from :func:`tickermap.reasons.legend`.
Rendering only: it reads the typed :class:`~tickermap.reconcile.records.ReconcileResult`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from tickermap.charts import PALETTE, hbars
from tickermap.pages import TABLE_SCRIPT, data_table, escape, or_none, page, table, write_page
from tickermap.reasons import SEVERITY, Reason, legend
from tickermap.reconcile.records import ReconcileResult, TickerRow
from tickermap.reconcile.report_data import (
    COLUMN_LEGEND,
    bucket_of,
    claim_table,
    evidence_id,
    exchange_totals,
    review_queue,
    severity_key,
    universe_table,
)
from tickermap.reconcile.run_info import RunInfo

__all__ = ["render_report", "write_report"]

_OK, _UNVERIFIED = str(Reason.OK), str(Reason.UNVERIFIED)
_BUCKET_COLOURS = ((_OK, PALETTE[2]), (_UNVERIFIED, "#bbbbbb"), ("flagged", PALETTE[3]))
"""Each report bucket's colour, the same in every chart."""


def _num(value: float) -> str:
    """Scores as the review shows them: 4 significant digits (``19.48``, ``0.0141``)."""
    return f"{value:.4g}"


def _run_details(run: RunInfo | None, result: ReconcileResult) -> str:
    if run is None:
        return "<p class='none'>none (the report was rendered without run details)</p>"
    facts = [
        ("tickermap", run.version),
        ("generated", run.generated),
        ("OpenFIGI", f"{run.openfigi}" + (f" at {run.openfigi_url}" if run.openfigi_url else "")),
        ("requests sent", str(result.stats.get("requests_sent", ""))),
        ("ticker namespace", str(result.namespace)),
    ]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    inputs = pd.DataFrame(
        [(i.role, i.path, i.size, i.sha256) for i in run.inputs],
        columns=["input", "path", "bytes", "sha256"],
    )
    witnesses = pd.DataFrame(
        [(w.source, w.preset, "detected" if w.detected else "forced", w.rows, w.path)
         for w in run.witnesses],
        columns=["witness", "preset", "preset chosen", "rows", "path"],
    )  # fmt: skip
    return (
        f"<dl class='run'>{dl}</dl><h3>Inputs</h3>{table(inputs, limit=None)}"
        f"<h3>Witnesses (maps) used</h3>"
        f"{or_none(table(witnesses, limit=None), witnesses.empty)}"
    )


def _charts(result: ReconcileResult, totals: pd.DataFrame) -> str:
    """Status, reason and exchange charts, each coloured by bucket (ok, unverified, flagged)."""
    status = pd.Series([str(r.status) for r in result.rows]).value_counts()
    order = [str(s) for s in SEVERITY if str(s) in status.index]
    reasons = pd.Series([str(x) for r in result.rows for x in r.reasons]).value_counts()
    kinds = [bucket_of(s) for s in order]
    charts = [
        hbars(order, [(name, [int(status[s]) if k == name else 0 for s, k in zip(order, kinds,
                                                                          strict=True)], c)
                      for name, c in _BUCKET_COLOURS if name in kinds],
              title="Tickers by status", xlabel="tickers"),
    ]  # fmt: skip
    if not reasons.empty:
        labels = list(reasons.index)
        bucket = [bucket_of(x) for x in labels]
        by_kind = [
            (name, [int(n) if b == name else 0 for n, b in zip(reasons, bucket, strict=True)], c)
            for name, c in _BUCKET_COLOURS
            if name in bucket
        ]
        charts.append(
            hbars(labels, by_kind, title="Tickers by reason (a ticker can have several)",
                  xlabel="tickers")
        )  # fmt: skip
    top = totals.head(30)
    series = [(name, list(top[name]), c) for name, c in _BUCKET_COLOURS]
    title = "Tickers by exchange" + (f" (top 30 of {len(totals)})" if len(totals) > 30 else "")
    charts.append(hbars(list(top["exchange"]), series, title=title, xlabel="tickers"))
    return f"<div class='charts'>{''.join(charts)}</div>"


def _universe(result: ReconcileResult) -> str:
    frame = universe_table(result.rows)
    links = [f"<a href='#{evidence_id(i)}'>{escape(t)}</a>" for i, t in enumerate(frame["ticker"])]
    keys = {
        "status": [severity_key(r.status) for r in result.rows],
        "ticker": list(frame["ticker"]),
    }
    frame["ticker"] = links
    statuses = [str(s) for s in SEVERITY if (frame["status"] == str(s)).any()]
    exchanges = sorted(set(frame["exchange"]))
    return data_table(
        frame,
        table_id="universe",
        filters=[("status", statuses), ("exchange", exchanges)],
        search="search (ticker, name, FIGI, ISIN, ...)",
        html_columns={"ticker"},
        sort_keys=keys,
        float_format=_num,
    )


def _evidence(i: int, row: TickerRow) -> str:
    claims = claim_table(row)
    summary = (
        f"<b>{escape(row.ticker)}</b> {escape(row.status)} "
        f"<span class='note'>{len(claims)} claim{'' if len(claims) == 1 else 's'}; "
        f"OpenFIGI ticker lookup: "
        f"{escape(row.openfigi)}</span>"
    )
    body = or_none(table(claims, limit=None, float_format=_num), claims.empty,
                   "none: no map has a row for this ticker")  # fmt: skip
    return f"<details id='{evidence_id(i)}'><summary>{summary}</summary>{body}</details>"


def _off_universe(result: ReconcileResult) -> str:
    """Witness rows that are no claim of the universe but carry another company's ISIN (rows
    known only by a Yahoo symbol, or tickers outside the universe); empty when there are none."""
    rows = result.stats.get("blamed_listings")
    if not isinstance(rows, list) or not rows:
        return ""
    frame = pd.DataFrame(rows)
    return (
        "<h2 id='off-universe'>Witness rows outside the universe with another company's ISIN"
        "</h2><p class='note'>Rows of the maps that no universe ticker claims (often known only "
        "by a Yahoo symbol) that the cross-witness check shows to carry another company's "
        f"ISIN: the file that is wrong.</p>{table(frame, limit=500)}"
    )


def _status_counts(result: ReconcileResult) -> str:
    status = pd.Series([str(r.status) for r in result.rows]).value_counts()
    info = {str(code): (kind, _plain(meaning)) for code, kind, meaning in legend()}
    rows = [(s, int(status[s]), *info[s]) for s in map(str, SEVERITY) if s in status.index]
    frame = pd.DataFrame(rows, columns=["status", "tickers", _SEVERITY_COLUMN, "meaning"])
    return table(frame, limit=None)


_SEVERITY_COLUMN = "severity (1 = worst), kind"


def _plain(text: str) -> str:
    """A legend sentence for HTML: the Markdown code spans of :mod:`tickermap.reasons` quoted."""
    return re.sub(r"`([^`]*)`", r"‘\1’", text)


def _legend() -> str:
    codes = pd.DataFrame(
        [(code, kind, _plain(meaning)) for code, kind, meaning in legend()],
        columns=["code", _SEVERITY_COLUMN, "meaning"],
    )
    columns = pd.DataFrame(COLUMN_LEGEND, columns=["column", "meaning"])
    return (
        "<p class='note'>Worst first: the codes are ranked by severity (1 is the worst) and a "
        "ticker's status is its worst reason. The kind says what the code means for the row: "
        "an <i>error</i> in a map, a corporate <i>event</i>, <i>unresolved</i> (nobody can tell), "
        "<i>unchecked</i> (not verified) or <i>ok</i>; codes marked “never joined” are left out "
        "of exposure joins.</p>"
        f"{table(codes, limit=None)}<h2>Columns</h2>{table(columns, limit=None)}"
    )


def render_report(
    result: ReconcileResult,
    *,
    run: RunInfo | None = None,
    title: str = "tickermap reconciliation",
) -> str:
    """Return the report as one HTML string (``run``: the run details section)."""
    n = len(result.rows)
    totals = exchange_totals(result.rows)
    ok = int(totals[str(Reason.OK)].sum())  # kind ok: OpenFIGI-confirmed or corroborated
    corroborated = sum(r.status == Reason.CORROBORATED for r in result.rows)
    queue = review_queue(result.verdicts)
    flagged = int(totals["flagged"].sum())
    of_them = f" ({corroborated} of them corroborated offline)" if corroborated else ""
    summary = (
        f"<p>{n} tickers on {len(totals)} exchanges: <span class='ok'>{ok} ok</span>{of_them}, "
        f"<span class='bad'>{n - ok} flagged or unverified</span> ({flagged} flagged, "
        f"{int(totals[_UNVERIFIED].sum())} unverified); {len(result.verdicts)} claims from the "
        f"maps judged, {len(queue)} of them flagged.</p>"
    )
    disagree = result.disagreements
    evidence = "".join(_evidence(i, r) for i, r in enumerate(result.rows))
    body = f"""<h1>{escape(title)}</h1>{summary}
<h2 id="run">Run details</h2>{_run_details(run, result)}
<h2 id="charts">Overview</h2>{_charts(result, totals)}
<h2 id="statuses">Counts by status</h2>{_status_counts(result)}
<h2 id="exchanges">Totals by exchange</h2>{table(totals, limit=None)}
<h2 id="universe-h">Universe</h2>
<p class="note">Every ticker. Click a header to sort, pick a status or exchange or type to filter;
click a ticker for its evidence.</p>{_universe(result)}
<h2 id="review">Claims to review first</h2>
<p class="note">Flagged claims, most suspicious first (as review.csv starts).</p>
{or_none(data_table(queue, table_id="queue", float_format=_num), queue.empty)}
<h2 id="disagree">Where the maps disagree</h2>
{or_none(table(disagree, limit=500), disagree.empty, "none: the maps agree on every ticker")}
{_off_universe(result)}
<h2 id="evidence">Evidence per ticker</h2>{evidence or "<p class='none'>none</p>"}
<h2>Reason codes</h2>{_legend()}
<p class="note">Generated by tickermap. Self-contained: no network needed to view.</p>
"""
    return page(title, body, script=TABLE_SCRIPT)


def write_report(path: str | Path, result: ReconcileResult, *, run: RunInfo | None = None) -> Path:
    """Write the HTML report atomically; return its path."""
    return write_page(path, render_report(result, run=run))
