"""Inline SVG charts for the HTML reports: horizontal bars and lines over dates.

Each function returns one ``<svg>`` element as text, to paste into a page built with
:mod:`tickermap.pages`. No library, no script, no request: the chart is drawn by the browser from
the markup, so a report stays small (kilobytes, not the ~3.5 MB of an inlined plotting library)
and is readable with scripts off. Axes carry labels and "nice" ticks (1, 2, 5 x 10^k; whole
numbers for counts, see :func:`nice_ticks`); every mark has a ``<title>`` tooltip.

>>> nice_ticks(0, 7, integer=True)
[0, 2, 4, 6, 8]
>>> "<svg" in hbars(["US"], [("tickers", [3], "#4c72b0")], title="t", xlabel="x")
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from tickermap.pages import escape

__all__ = ["PALETTE", "date_ticks", "hbars", "lines", "nice_ticks"]

PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3")
"""Series colours, in order."""

_FONT = "font-family='system-ui,sans-serif' font-size='11'"
Series = tuple[str, Sequence[float | None], str]
"""``(name, values, colour)``."""


def nice_ticks(lo: float, hi: float, *, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering ``[lo, hi]``: steps of 1, 2 or 5 x 10^k (>= 1 if ``integer``)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi <= lo:
        hi = lo + (1.0 if integer or lo == 0 else abs(lo) * 0.1)
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if integer:
        step = max(1, round(step))
    start, stop = math.floor(lo / step), math.ceil(hi / step)
    ticks = [round(k * step, 10) for k in range(start, stop + 1)]
    return [int(t) for t in ticks] if integer else ticks


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:g}%"
    return f"{value:g}"


def _legend(series: Sequence[Series], x: float, y: float) -> str:
    out, xi = [], x
    for name, _, colour in series:  # each item as wide as its label (about 6.5 px a letter)
        out.append(
            f"<rect x='{xi:g}' y='{y - 9}' width='10' height='10' fill='{colour}'/>"
            f"<text x='{xi + 14:g}' y='{y}' {_FONT}>{escape(name)}</text>"
        )
        xi += max(150.0, 14 + 6.5 * len(name) + 24)
    return "".join(out)


def hbars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    xlabel: str,
    integer: bool = True,
    width: int = 460,
) -> str:
    """Horizontal bars, one row per label; several series stack (with a legend).

    The total of each row is written at the end of its bar.
    """
    left = 12 + 7 * max((len(str(lb)) for lb in labels), default=4)
    top, row = 34 + (16 if len(series) > 1 else 0), 18
    height = top + row * len(labels) + 40
    totals = [sum(float(s[1][i] or 0) for s in series) for i in range(len(labels))]
    ticks = nice_ticks(0, max(totals, default=1), integer=integer)
    scale = (width - left - 40) / (ticks[-1] or 1)
    parts = [
        f"<text x='{width / 2}' y='16' text-anchor='middle' {_FONT} font-weight='bold'>"
        f"{escape(title)}</text>"
    ]
    if len(series) > 1:
        parts.append(_legend(series, left, 34))
    for t in ticks:
        x = left + t * scale
        parts.append(
            f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{top - 4}' y2='{top + row * len(labels)}' "
            f"stroke='#e3e3e3'/><text x='{x:.1f}' y='{top + row * len(labels) + 14}' "
            f"text-anchor='middle' {_FONT}>{_fmt(t, False)}</text>"
        )
    for i, label in enumerate(labels):
        y, x = top + i * row, float(left)
        parts.append(
            f"<text x='{left - 6}' y='{y + 13}' text-anchor='end' {_FONT}>{escape(label)}</text>"
        )
        for name, values, colour in series:
            v = float(values[i] or 0)
            parts.append(
                f"<rect x='{x:.1f}' y='{y + 2}' width='{v * scale:.1f}' height='{row - 4}' "
                f"fill='{colour}'><title>{escape(label)} {escape(name)}: {v:g}</title></rect>"
            )
            x += v * scale
        parts.append(f"<text x='{x + 4:.1f}' y='{y + 13}' {_FONT}>{totals[i]:g}</text>")
    parts.append(
        f"<text x='{(left + width - 40) / 2}' y='{height - 8}' text-anchor='middle' {_FONT}>"
        f"{escape(xlabel)}</text>"
    )
    return _svg(width, height, title, parts)


def _svg(width: int, height: int, title: str, parts: Sequence[str]) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}'>"
        f"{''.join(parts)}</svg>"
    )


def _days(dates: Sequence[str]) -> list[int]:
    return [date.fromisoformat(str(d)[:10]).toordinal() for d in dates]


def date_ticks(n: int, labels: int) -> list[int]:
    """Which of ``n`` dates get a label: every ``step``-th from the first (even spacing), and the
    last when it is at least 3/4 of a step past the one before.

    >>> date_ticks(8, 5), date_ticks(52, 5), date_ticks(2, 5), date_ticks(1, 5)
    ([0, 2, 4, 6], [0, 13, 26, 39, 51], [0, 1], [0])
    """
    if n <= 0:
        return []
    step = max(1, -(-(n - 1) // max(labels - 1, 1)))
    picks = list(range(0, n, step))
    if n - 1 - picks[-1] >= 0.75 * step:
        picks.append(n - 1)
    return picks


def _path(xs: Sequence[float], ys: Sequence[float | None]) -> str:
    """An SVG path through the points; a missing value breaks the line."""
    out, pen = [], "M"
    for x, y in zip(xs, ys, strict=True):
        if y is None or not math.isfinite(y):
            pen = "M"
            continue
        out.append(f"{pen}{x:.1f},{y:.1f}")
        pen = "L"
    return " ".join(out)


def lines(
    dates: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    ylabel: str,
    xlabel: str = "date",
    hlines: Sequence[tuple[float, str]] = (),
    yrange: tuple[float, float] | None = None,
    percent: bool = False,
    width: int = 640,
    height: int = 240,
) -> str:
    """Lines over ISO dates (x spaced by calendar time), labelled axes, optional reference lines.

    ``hlines`` are ``(y, label)`` dashed lines (e.g. ``(0.8, "80%")``); ``yrange`` fixes the
    y axis (shared scales for small multiples); ``percent`` shows y ticks as percentages.
    """
    left, right, top, bottom = 52, 12, 24 + (16 if len(series) > 1 else 0), 36
    days = _days(dates)
    values = [float(v) for _, vs, _ in series for v in vs if v is not None and math.isfinite(v)]
    values += [y for y, _ in hlines]
    lo, hi = yrange or (min(values, default=0.0), max(values, default=1.0))
    yt = nice_ticks(lo, hi, count=5)
    d0, d1 = (min(days), max(days)) if days else (0, 1)
    span = max(d1 - d0, 1)
    pw, ph = width - left - right, height - top - bottom

    def sx(d: float) -> float:
        return left + (d - d0) / span * pw

    def sy(v: float) -> float:
        return top + ph - (v - yt[0]) / ((yt[-1] - yt[0]) or 1) * ph

    parts = [
        f"<text x='{width / 2}' y='14' text-anchor='middle' {_FONT} font-weight='bold'>"
        f"{escape(title)}</text>"
    ]
    if len(series) > 1:
        parts.append(_legend(series, left, 32))
    for t in yt:
        parts.append(
            f"<line x1='{left}' x2='{width - right}' y1='{sy(t):.1f}' y2='{sy(t):.1f}' "
            f"stroke='{'#999' if t == 0 else '#e3e3e3'}'/><text x='{left - 4}' "
            f"y='{sy(t) + 4:.1f}' text-anchor='end' {_FONT}>{_fmt(t, percent)}</text>"
        )
    for k in date_ticks(len(days), max(2, min(5, pw // 110))):
        anchor = "start" if k == 0 else "end" if k == len(days) - 1 else "middle"
        parts.append(
            f"<text x='{sx(days[k]):.1f}' y='{top + ph + 14}' text-anchor='{anchor}' {_FONT}>"
            f"{escape(str(dates[k])[:10])}</text>"
        )
    for y, label in hlines:
        parts.append(
            f"<line x1='{left}' x2='{width - right}' y1='{sy(y):.1f}' y2='{sy(y):.1f}' "
            f"stroke='#c44e52' stroke-dasharray='5,3'/><text x='{width - right - 2}' "
            f"y='{sy(y) - 3:.1f}' text-anchor='end' {_FONT} fill='#c44e52'>{escape(label)}</text>"
        )
    xs = [sx(d) for d in days]
    for name, vs, colour in series:
        ys = [None if v is None or not math.isfinite(v) else sy(float(v)) for v in vs]
        parts.append(
            f"<path d='{_path(xs, ys)}' fill='none' stroke='{colour}' stroke-width='1.5'>"
            f"<title>{escape(name)}</title></path>"
        )
    parts.append(
        f"<text x='{left + pw / 2}' y='{height - 6}' text-anchor='middle' {_FONT}>"
        f"{escape(xlabel)}</text><text x='12' y='{top + ph / 2}' text-anchor='middle' "
        f"transform='rotate(-90 12 {top + ph / 2})' {_FONT}>{escape(ylabel)}</text>"
    )
    return _svg(width, height, title, parts)
