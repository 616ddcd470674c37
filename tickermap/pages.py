"""Self-contained HTML pages and their PNG charts, shared by every report tickermap writes.

A page is one file that opens offline: no script, no stylesheet or image is fetched; charts are
matplotlib PNGs embedded as base64 ``data:`` URIs. matplotlib is imported inside the functions
that draw (Agg backend), so importing this module costs nothing at CLI start-up.

>>> "<td>a &amp; b</td>" in table(pd.DataFrame({"x": ["a & b"]}))
True
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from tickermap.tables import atomic_path

__all__ = [
    "BASE_CSS",
    "TABLE_SCRIPT",
    "data_table",
    "escape",
    "figure",
    "img",
    "integer_ticks",
    "or_none",
    "page",
    "png_bytes",
    "table",
    "write_page",
]

BASE_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1200px;
color:#222}
h1{font-size:1.6em} h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4} .num{text-align:right} .bad{color:#b00020} .ok{color:#0a7d32}
.charts{display:flex;flex-wrap:wrap;gap:1em} .note{color:#666;font-size:.85em}
code{font-size:.9em}
.filters{margin:.6em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center}
table.sortable th{cursor:pointer} table.sortable td:first-child{white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"} th[aria-sort=descending]::after{content:" \\25BC"}
.wide{overflow-x:auto} .none{color:#666;font-style:italic}
details{margin:.3em 0} summary{cursor:pointer}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:.5em}
dl.run{display:grid;grid-template-columns:max-content auto;gap:.2em 1em} dl.run dt{font-weight:bold}
"""
"""The default style of a report page."""


def escape(value: object) -> str:
    """HTML-escape ``str(value)`` (quotes included)."""
    return html.escape(str(value), quote=True)


def _cell(value: object, float_format: Callable[[float], str] | None) -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "", False
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(value, float) and float_format is not None:
        return float_format(value), True
    return str(value), numeric


def table(
    frame: pd.DataFrame,
    *,
    limit: int | None = 50,
    float_format: Callable[[float], str] | None = None,
) -> str:
    """An HTML table of ``frame`` (escaped; numbers right-aligned), at most ``limit`` rows.

    Rows beyond ``limit`` are counted in a note under the table; ``limit=None`` shows all.
    """
    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    shown = frame if limit is None else frame.head(limit)
    body = []
    for rec in shown.itertuples(index=False):
        cells = []
        for value in rec:
            text, numeric = _cell(value, float_format)
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    hidden = len(frame) - len(shown)
    more = f"<p class='note'>{hidden} more rows not shown.</p>" if hidden > 0 else ""
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


def img(png: bytes, alt: str) -> str:
    """An ``<img>`` with the PNG embedded as a base64 data URI."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def page(title: str, body: str, *, css: str = BASE_CSS, footer: str = "", script: str = "") -> str:
    """The whole document: doctype, UTF-8, title, inline style, ``body`` (already HTML).

    ``script`` (e.g. :data:`TABLE_SCRIPT`) is inlined at the end of the body. A
    Content-Security-Policy forbids every fetch (``default-src 'none'``), so the page works
    offline and cannot leak what it shows.
    """
    csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
    tail = f"<script>{script}</script>" if script else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>\n"
        f"<style>{css}</style></head><body>{body}{footer}{tail}</body></html>"
    )


def write_page(path: str | Path, document: str) -> Path:
    """Write an HTML document atomically; return its path."""
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(document, encoding="utf-8")
    return target


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def figure(figsize: tuple[float, float]) -> Iterator[tuple[Any, Any]]:
    """``(fig, ax)`` of a new Agg figure, closed when the block ends (see :func:`png_bytes`)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=figsize)
    try:
        yield fig, ax
    finally:
        plt.close(fig)


def png_bytes(fig: Any, *, dpi: int = 110, tight: bool = True) -> bytes:
    """The figure rendered as PNG bytes."""
    buf = io.BytesIO()
    if tight:
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    else:
        fig.tight_layout()
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def integer_ticks(axis: Any) -> None:
    """Only whole-number ticks on ``axis`` (``ax.xaxis`` / ``ax.yaxis``): for counts."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


# ---- interactive tables ---------------------------------------------------------------------

TABLE_SCRIPT = """
(function(){
function val(td){var v=td.getAttribute('data-v');return v===null?td.textContent:v;}
function sortBy(t,ths,th,i){
 var asc=th.getAttribute('aria-sort')!=='ascending';
 Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});
 th.setAttribute('aria-sort',asc?'ascending':'descending');
 var num=th.getAttribute('data-type')==='num',body=t.tBodies[0];
 var rows=Array.prototype.slice.call(body.rows);
 rows.sort(function(a,b){var x=val(a.cells[i]),y=val(b.cells[i]);
  if(num){x=parseFloat(x);y=parseFloat(y);if(isNaN(x))x=-Infinity;if(isNaN(y))y=-Infinity;
   return asc?x-y:y-x;}
  return asc?x.localeCompare(y):y.localeCompare(x);});
 rows.forEach(function(r){body.appendChild(r);});
}
document.querySelectorAll('table.sortable').forEach(function(t){
 var ths=t.tHead.rows[0].cells;
 Array.prototype.forEach.call(ths,function(th,i){
  th.addEventListener('click',function(){sortBy(t,ths,th,i);});});
});
document.querySelectorAll('.filters').forEach(function(f){
 var t=document.getElementById(f.getAttribute('data-for')),out=f.querySelector('.shown');
 function apply(){
  var sels=f.querySelectorAll('select[data-col]'),box=f.querySelector('input');
  var q=box?box.value.trim().toLowerCase():'',rows=t.tBodies[0].rows,n=0;
  for(var r=0;r<rows.length;r++){var row=rows[r],show=true;
   sels.forEach(function(s){
    if(s.value&&row.cells[+s.getAttribute('data-col')].textContent!==s.value)show=false;});
   if(show&&q&&row.textContent.toLowerCase().indexOf(q)<0)show=false;
   row.hidden=!show;if(show)n++;}
  if(out)out.textContent=n+' of '+rows.length+' rows shown';
 }
 f.addEventListener('input',apply);f.addEventListener('change',apply);apply();
});
document.querySelectorAll('select[data-show]').forEach(function(s){
 function show(){document.querySelectorAll(s.getAttribute('data-show')).forEach(function(el){
  el.hidden=s.value!==''&&el.getAttribute('data-key')!==s.value;});}
 s.addEventListener('change',show);show();
});
function openTarget(){var id=decodeURIComponent(location.hash.slice(1));
 var el=id&&document.getElementById(id);if(el&&el.tagName==='DETAILS')el.open=true;}
window.addEventListener('hashchange',openTarget);openTarget();
})();
"""
"""The one inline script of a page: sortable tables, filter boxes, selectors, evidence links.

No request, no library: ``table.sortable`` headers sort on click (``data-type="num"`` numerically,
a cell's ``data-v`` overrides its text as the sort key); a ``.filters`` block filters the rows of
the table named by its ``data-for`` (each ``select[data-col]`` by exact cell text, the text box by
substring); a ``select[data-show]`` shows only the elements whose ``data-key`` is its value; a
link to ``#id`` opens the ``<details id=id>`` it points at.
"""


def data_table(
    frame: pd.DataFrame,
    *,
    table_id: str,
    filters: Sequence[tuple[str, Sequence[str]]] = (),
    search: str | None = "filter",
    html_columns: Collection[str] = (),
    sort_keys: Mapping[str, Sequence[str]] | None = None,
    float_format: Callable[[float], str] | None = None,
) -> str:
    """A sortable table of every row of ``frame``, with a filter box above it.

    Args:
        frame: the rows (all shown).
        table_id: the table's ``id`` (the filter block points at it).
        filters: ``(column, values)`` per drop-down filter (values in display order).
        search: the free-text box's label (None: no box).
        html_columns: columns whose cells are HTML already (the caller escaped them).
        sort_keys: column -> one sort key per row, when the text does not sort right.
        float_format: how to show floats.
    """
    cols = list(frame.columns)
    keys = sort_keys or {}
    controls = []
    for col, values in filters:
        opts = "".join(f"<option>{escape(v)}</option>" for v in values)
        controls.append(
            f"<label>{escape(col)} <select data-col='{cols.index(col)}'>"
            f"<option value=''>all</option>{opts}</select></label>"
        )
    if search is not None:
        controls.append(f"<label>{escape(search)} <input type='search' size='28'></label>")
    if controls:
        controls.append("<span class='shown note'></span>")
    head = []
    for c in cols:
        numeric = bool(len(frame)) and pd.api.types.is_numeric_dtype(frame[c])
        kind = "num" if numeric and c not in keys else "text"
        head.append(f"<th data-type='{kind}' title='click to sort'>{escape(c)}</th>")
    body = []
    for i, rec in enumerate(frame.itertuples(index=False)):
        cells = []
        for c, value in zip(cols, rec, strict=True):
            text, numeric = _cell(value, float_format)
            attrs = " class='num'" if numeric else ""
            if c in keys:
                attrs += f" data-v='{escape(keys[c][i])}'"
            shown = text if c in html_columns else escape(text)
            cells.append(f"<td{attrs}>{shown}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    block = f"<div class='filters' data-for='{escape(table_id)}'>{''.join(controls)}</div>"
    table_html = (
        f"<div class='wide'><table id='{escape(table_id)}' class='sortable'><thead><tr>"
        f"{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    return (block if controls else "") + table_html


def or_none(html_text: str, empty: bool, what: str = "none") -> str:
    """``html_text``, or a note saying ``what`` (``none``) when the section is ``empty``."""
    return f"<p class='none'>{escape(what)}</p>" if empty else html_text
