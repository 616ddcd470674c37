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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from tickermap.tables import atomic_path

__all__ = [
    "BASE_CSS",
    "escape",
    "figure",
    "img",
    "integer_ticks",
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


def page(title: str, body: str, *, css: str = BASE_CSS, footer: str = "") -> str:
    """The whole document: doctype, UTF-8, title, inline style, ``body`` (already HTML)."""
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>\n'
        f"<style>{css}</style></head><body>{body}{footer}</body></html>"
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
