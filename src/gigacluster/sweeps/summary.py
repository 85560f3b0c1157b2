"""A sweep's summary: ``frontier.csv`` and a self-contained ``summary.html`` (inline SVG, no scripts) with
one scatter per frontier pair (every point in grey, the frontier in colour) and the frontier's table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd
import yaml

from gigacluster.report.fmt import fmt_compact
from gigacluster.report.svg import GRID, MUTED, color, line, make_axis, svg, text
from gigacluster.results import label_and_unit
from gigacluster.sweeps.frontier import FrontierRows, frontier, frontier_pairs, frontier_table
from gigacluster.sweeps.spec import SweepSpec
from gigacluster.sweeps.stages import STAGES

MAX_DOTS = 5000  # grey dots drawn per chart (a deterministic sample beyond that keeps the page small)


@dataclass(frozen=True)
class Summary:
    """What the summary step wrote and found."""

    points: int
    ok: int
    errors: int
    fronts: list[FrontierRows]
    html: Path
    csv: Path
    charts: list[Path]


def _title(spec: SweepSpec, column: str) -> str:
    label, unit = label_and_unit(STAGES[spec.stage].headline, column)
    return f"{label} ({unit})" if unit and unit != "ratio" else label


def _tip(row: pd.Series, inputs: list[str], x: str, y: str) -> str:
    parts = [f"{c[3:]}={row[c]}" for c in inputs]
    return f"{', '.join(parts)} → {x}={fmt_compact(float(row[x]))}, {y}={fmt_compact(float(row[y]))}"


def scatter(spec: SweepSpec, f: FrontierRows, width: int = 860, height: int = 420) -> str:
    """All candidates in grey and the frontier as a coloured step line with dots (hover: inputs and values)."""
    x, y, inputs = f.pair.x, f.pair.y, [c for c in f.candidates.columns if c.startswith("in.")]
    left, top, w, h = 84.0, 30.0, width - 120.0, height - 90.0
    xa = make_axis(f.candidates[x].astype(float).tolist(), zero=False)
    ya = make_axis(f.candidates[y].astype(float).tolist(), zero=False)

    def px(v: float) -> float:
        return left + w * xa.frac(v)

    def py(v: float) -> float:
        return top + h * (1 - ya.frac(v))

    body = [line(left, top + h, left + w, top + h, MUTED), line(left, top, left, top + h, MUTED)]
    for t in xa.ticks():
        body += [line(px(t), top, px(t), top + h, GRID), text(px(t), top + h + 18, fmt_compact(t), "middle", MUTED, 11)]
    for t in ya.ticks():
        body += [line(left, py(t), left + w, py(t), GRID), text(left - 8, py(t) + 4, fmt_compact(t), "end", MUTED, 11)]
    body.append(text(left + w / 2, top + h + 44, _title(spec, x), "middle"))
    ty = top + h / 2
    body.append(text(18, ty, _title(spec, y), "middle", extra=f'transform="rotate(-90 18 {ty:.1f})"'))
    dots = f.candidates if len(f.candidates) <= MAX_DOTS else f.candidates.sample(MAX_DOTS, random_state=0)
    body += [f'<circle cx="{px(float(r[x])):.1f}" cy="{py(float(r[y])):.1f}" r="2.5" fill="#9aa5b1" '
             f'fill-opacity="0.55"><title>{escape(_tip(r, inputs, x, y))}</title></circle>' for _, r in dots.iterrows()]
    pts = [(px(float(r[x])), py(float(r[y]))) for _, r in f.rows.iterrows()]
    path = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
    body.append(f'<polyline points="{path}" fill="none" stroke="{color(1)}" stroke-width="2"/>')
    body += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="4.5" fill="{color(1)}"><title>{escape(_tip(r, inputs, x, y))}'
             f'</title></circle>' for (a, b), (_, r) in zip(pts, f.rows.iterrows(), strict=True)]
    return svg(width, height, f.name, body)


def _cell(v: object) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else fmt_compact(v)
    return escape(str(v))


def _table(f: FrontierRows) -> str:
    cols = [c for c in f.rows.columns if c.startswith("in.")] + [f.pair.x, f.pair.y, "point_id"]
    head = "".join(f"<th>{escape(c.removeprefix('in.'))}</th>" for c in cols)
    rows = "".join("<tr>" + "".join(f"<td>{_cell(r[c])}</td>" for c in cols) + "</tr>" for _, r in f.rows.iterrows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


_CSS = ("body{font-family:system-ui,sans-serif;color:#1f2933;max-width:960px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border-bottom:1px solid #e4e7eb;"
        "padding:3px 8px;text-align:right}th{background:#f5f7fa}pre{background:#f5f7fa;padding:1em;font-size:12px;"
        "overflow:auto}.chart{width:100%;height:auto}.muted{color:#616e7c}")


def render_html(spec: SweepSpec, frame: pd.DataFrame, fronts: list[FrontierRows]) -> str:
    """The self-contained summary page."""
    errors = int(frame["error"].notna().sum())
    sections = [f"<h2>{escape(f.name)}</h2><p class='muted'>{len(f.rows)} frontier points of {len(f.candidates)} "
                f"that ran</p>{scatter(spec, f) if len(f.candidates) else ''}{_table(f)}" for f in fronts]
    first_errors = frame[frame["error"].notna()]["error"].value_counts().head(8)
    err_rows = "".join(f"<tr><td>{n}</td><td style='text-align:left'>{escape(str(e))}</td></tr>"
                       for e, n in first_errors.items())
    spec_yaml = escape(yaml.safe_dump(spec.model_dump(mode="json", exclude_defaults=True), sort_keys=False))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>gigacluster sweep</title>"
            f"<style>{_CSS}</style></head><body><h1>Sweep: {escape(spec.stage)} over {len(spec.axes)} axes</h1>"
            f"<p>{len(frame)} points, {len(frame) - errors} ran, {errors} invalid.</p>{''.join(sections)}"
            f"{'<h2>Invalid points (most common errors)</h2><table>' + err_rows + '</table>' if errors else ''}"
            f"<h2>Spec</h2><pre>{spec_yaml}</pre></body></html>")


def write_summary(spec: SweepSpec, frame: pd.DataFrame, out: Path) -> Summary:
    """Write ``frontier.csv`` and ``summary.html`` into ``out``."""
    fronts = [frontier(frame, p) for p in frontier_pairs(spec)]
    csv_path, html_path = out / "frontier.csv", out / "summary.html"
    frontier_table(fronts).to_csv(csv_path, index=False)
    html_path.write_text(render_html(spec, frame, fronts), encoding="utf-8")
    charts = [_standalone(out / f"frontier-{i + 1}.svg", scatter(spec, f)) for i, f in enumerate(fronts)
              if len(f.candidates)]
    errors = int(frame["error"].notna().sum())
    return Summary(points=len(frame), ok=len(frame) - errors, errors=errors, fronts=fronts, html=html_path,
                   csv=csv_path, charts=charts)


def _standalone(path: Path, chart: str) -> Path:
    """A chart as its own SVG file (namespaced, on white), for embedding in Markdown."""
    body = chart.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" style="background:#fff" ', 1)
    path.write_text(body, encoding="utf-8")
    return path
