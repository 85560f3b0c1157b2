"""A tiny inline-SVG chart kit: horizontal bars, one stacked bar, a two-axis line chart.

Every function returns one ``<svg>`` element as a string, sized by ``viewBox`` so it scales with
the page, with all text escaped. No JavaScript: hovering a point or bar shows its ``<title>``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from gigacluster.report.fmt import Formatter, fmt_pct

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
CHAR_W = 6.6  # average width of a 12px sans-serif character, for layout


def color(i: int) -> str:
    """The i-th colour of the palette, cycling."""
    return PALETTE[i % len(PALETTE)]


def _attrs(**kw: object) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in kw.items())


def text(x: float, y: float, s: str, anchor: str = "start", fill: str = INK, size: int = 12, extra: str = "") -> str:
    """An escaped ``<text>`` element."""
    a = _attrs(x=f"{x:.1f}", y=f"{y:.1f}", text_anchor=anchor, fill=fill, font_size=size)
    return f"<text {a} {extra}>{escape(s)}</text>"


def rect(x: float, y: float, w: float, h: float, fill: str, tip: str = "") -> str:
    """A ``<rect>``, with a hover title when ``tip`` is given."""
    a = _attrs(x=f"{x:.1f}", y=f"{y:.1f}", width=f"{max(w, 0):.1f}", height=f"{h:.1f}", fill=fill)
    return f"<rect {a}><title>{escape(tip)}</title></rect>" if tip else f"<rect {a}/>"


def line(x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, width: float = 1) -> str:
    """A ``<line>`` element."""
    a = _attrs(x1=f"{x1:.1f}", y1=f"{y1:.1f}", x2=f"{x2:.1f}", y2=f"{y2:.1f}", stroke=stroke, stroke_width=width)
    return f"<line {a}/>"


def svg(width: float, height: float, title: str, body: Sequence[str]) -> str:
    """Wrap ``body`` in a self-sizing ``<svg>`` with an accessible title."""
    head = (f'<svg viewBox="0 0 {width:.0f} {height:.0f}" '
            f'role="img" aria-label="{escape(title)}" class="chart" font-family="system-ui, sans-serif">')
    return "".join([head, f"<title>{escape(title)}</title>", *body, "</svg>"])


def _label_width(labels: Sequence[str]) -> float:
    return min(max((len(s) for s in labels), default=4) * CHAR_W + 16, 220)


def bar_chart(rows: Sequence[tuple[str, float]], fmt: Formatter, title: str, width: int = 480) -> str:
    """Horizontal bars, one per (label, value) row, with the formatted value after each bar."""
    row_h, top = 24, 8
    label_w, value_w = _label_width([r[0] for r in rows]), 90
    span = width - label_w - value_w
    vmax = max((v for _, v in rows), default=0) or 1.0
    body: list[str] = []
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        w = span * max(value, 0) / vmax
        body.append(text(label_w - 8, y + 15, label, anchor="end"))
        body.append(rect(label_w, y + 3, w, row_h - 6, color(i), f"{label}: {fmt(value)}"))
        body.append(text(label_w + w + 6, y + 15, fmt(value), fill=MUTED))
    return svg(width, top * 2 + row_h * len(rows), title, body)


def stacked_bar(parts: Sequence[tuple[str, float]], fmt: Formatter, title: str, width: int = 480) -> str:
    """One horizontal bar split into parts, with a legend of value and share below."""
    total = sum(max(v, 0) for _, v in parts) or 1.0
    bar_h, legend_top, row_h = 30, 46, 20
    body: list[str] = []
    x = 0.0
    for i, (label, value) in enumerate(parts):
        w = width * max(value, 0) / total
        body.append(rect(x, 4, w, bar_h, color(i), f"{label}: {fmt(value)} ({fmt_pct(value / total)})"))
        if w > 44:
            body.append(text(x + w / 2, 24, fmt_pct(value / total), anchor="middle", fill="#fff", size=11))
        x += w
    body.extend(_legend_rows(parts, fmt, total, legend_top, row_h, width))
    return svg(width, legend_top + row_h * len(parts), title, body)


def _legend_rows(parts: Sequence[tuple[str, float]], fmt: Formatter, total: float, top: float, row_h: float,
                 width: float) -> list[str]:
    body: list[str] = []
    for i, (label, value) in enumerate(parts):
        y = top + i * row_h
        body.append(rect(0, y + 3, 12, 12, color(i)))
        body.append(text(20, y + 13, label))
        body.append(text(width - 70, y + 13, fmt(value), anchor="end"))
        body.append(text(width, y + 13, fmt_pct(value / total), anchor="end", fill=MUTED))
    return body


@dataclass(frozen=True)
class Axis:
    """A linear or log axis over [lo, hi]."""

    lo: float
    hi: float
    log: bool = False

    def frac(self, v: float) -> float:
        """Where ``v`` falls on the axis, 0 at lo and 1 at hi."""
        if self.log:
            return (math.log10(max(v, 1e-300)) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        return (v - self.lo) / (self.hi - self.lo)

    def ticks(self) -> list[float]:
        """Round tick values inside the axis."""
        return _log_ticks(self.lo, self.hi) if self.log else _linear_ticks(self.lo, self.hi)


def _nice_step(span: float, count: int = 5) -> float:
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def _linear_ticks(lo: float, hi: float) -> list[float]:
    step = _nice_step(hi - lo)
    n = round((hi - lo) / step)
    return [lo + i * step for i in range(n + 1)]


def _log_ticks(lo: float, hi: float) -> list[float]:
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    mantissas = (1, 2, 5) if len(decades) <= 4 else (1,)
    ticks = [m * 10.0**d for d in decades for m in mantissas]
    return [t for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]


def make_axis(values: Sequence[float], log: bool | None = None, zero: bool = True) -> Axis:
    """An axis that covers ``values`` with round ends; log when asked, or by default when they span 20x."""
    lo, hi = min(values), max(values)
    if log is None:
        log = lo > 0 and hi / lo >= 20
    if log:
        grid = [m * 10.0**d for d in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1)
                for m in (1, 2, 5)]
        return Axis(max(t for t in grid if t <= lo * (1 + 1e-9)), min(t for t in grid if t >= hi * (1 - 1e-9)), True)
    lo = min(lo, 0.0) if zero else lo
    if hi - lo <= 0:
        hi = lo + (abs(lo) or 1.0)
    step = _nice_step(hi - lo)
    return Axis(math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step)


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name, y values, tick/point formatter and axis scale."""

    name: str
    values: Sequence[float]
    fmt: Formatter
    log: bool | None = None
    dashed: bool = False


@dataclass(frozen=True)
class _Frame:
    left: float
    top: float
    width: float
    height: float

    def px(self, axis: Axis, v: float) -> float:
        return self.left + self.width * axis.frac(v)

    def py(self, axis: Axis, v: float) -> float:
        return self.top + self.height * (1 - axis.frac(v))


def line_chart(xs: Sequence[float], left: Series, right: Series | None, x_title: str, x_fmt: Formatter,
               title: str, width: int = 900, height: int = 360) -> str:
    """Lines over shared x values: ``left`` on the left axis and optional ``right`` on the right axis."""
    frame = _Frame(70, 40, width - 140, height - 96)
    x_axis = make_axis(xs)
    axes, lines = _x_axis(frame, x_axis, x_fmt, x_title), []
    for side, series, i in (("left", left, 0), ("right", right, 1)):
        if series is None or not series.values:
            continue
        y_axis = make_axis(series.values, series.log)
        axes += _y_axis(frame, y_axis, series, side, color(i), grid=side == "left")
        lines += _polyline(frame, x_axis, y_axis, xs, series, color(i), x_fmt)
    body = axes + lines + _line_legend([s for s in (left, right) if s is not None], frame)
    return svg(width, height, title, body)


def _x_axis(frame: _Frame, axis: Axis, fmt: Formatter, title: str) -> list[str]:
    bottom = frame.top + frame.height
    body = [line(frame.left, bottom, frame.left + frame.width, bottom, MUTED)]
    for t in axis.ticks():
        x = frame.px(axis, t)
        body.append(line(x, bottom, x, bottom + 5, MUTED))
        body.append(text(x, bottom + 19, fmt(t), anchor="middle", fill=MUTED, size=11))
    body.append(text(frame.left + frame.width / 2, bottom + 42, title, anchor="middle"))
    return body


def _y_axis(frame: _Frame, axis: Axis, series: Series, side: str, stroke: str, grid: bool) -> list[str]:
    x0 = frame.left if side == "left" else frame.left + frame.width
    sign, anchor = (-1, "end") if side == "left" else (1, "start")
    body = [line(x0, frame.top, x0, frame.top + frame.height, stroke, 1.5)]
    for t in axis.ticks():
        y = frame.py(axis, t)
        if grid:
            body.append(line(frame.left, y, frame.left + frame.width, y))
        body.append(line(x0, y, x0 + 5 * sign, y, stroke))
        body.append(text(x0 + 8 * sign, y + 4, series.fmt(t), anchor=anchor, fill=stroke, size=11))
    tx = x0 + 58 * sign
    ty = frame.top + frame.height / 2
    body.append(text(tx, ty, series.name, anchor="middle", fill=stroke, extra=f'transform="rotate(-90 {tx} {ty})"'))
    return body


def _polyline(frame: _Frame, x_axis: Axis, y_axis: Axis, xs: Sequence[float], series: Series, stroke: str,
              x_fmt: Formatter) -> list[str]:
    pts = [(frame.px(x_axis, x), frame.py(y_axis, y)) for x, y in zip(xs, series.values, strict=False)]
    dash = ' stroke-dasharray="6 4"' if series.dashed else ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    body = [f'<polyline points="{path}" fill="none" stroke="{stroke}" stroke-width="2.5"{dash}/>']
    for (px, py), x, y in zip(pts, xs, series.values, strict=False):
        tip = f"{x_fmt(x)}: {series.name} {series.fmt(y)}"
        body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{stroke}"><title>{escape(tip)}</title></circle>')
    return body


def _line_legend(series: Sequence[Series], frame: _Frame) -> list[str]:
    body: list[str] = []
    x = frame.left
    for i, s in enumerate(series):
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        a = _attrs(x1=f"{x:.1f}", y1=16, x2=f"{x + 24:.1f}", y2=16, stroke=color(i), stroke_width=2.5)
        body.append(f"<line {a}{dash}/>")
        body.append(text(x + 30, 20, s.name))
        x += 30 + len(s.name) * CHAR_W + 28
    return body

