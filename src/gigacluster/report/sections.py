"""The report's sections, one function per section of the typed :class:`Plan`."""

from __future__ import annotations

from html import escape

from gigacluster.economics.summary import DesignSummary
from gigacluster.planning.model import Plan, ScalingPoint, SchedulingSection, ServingSection, TrainingResult
from gigacluster.report.blocks import data_table, figure, grid, kv_table, responsive, section
from gigacluster.report.fmt import Formatter, fmt_compact, fmt_num, fmt_pct, fmt_usd, with_unit
from gigacluster.report.svg import Series, bar_chart, line_chart, stacked_bar
from gigacluster.report.typed import model_parts, numbers_of, records_table, scalar_rows, unit_formatter

PHONE_W = 340
"""Width of a chart's phone version, in px: drawn 1:1 on a 390 px screen, its 11-12 px text stays legible."""


def _lines(xs: list[float], left: Series, right: Series | None, x_title: str, x_fmt: Formatter, title: str) -> str:
    """A line chart at desktop and phone widths."""
    return responsive(line_chart(xs, left, right, x_title, x_fmt, title),
                      line_chart(xs, left, right, x_title, x_fmt, title, width=PHONE_W, height=300))


def header(plan: Plan) -> str:
    """The page header: scenario name, description and tags (accelerator, phase, models)."""
    s = plan.scenario
    tags = [("Scenario", s.id), ("Year", str(s.year)), ("Accelerator", s.accelerator), ("Phase", s.phase),
            ("Trains", plan.training.model), ("Serves", plan.serving.plan.model)]
    chips = "".join(f'<span class="tag"><b>{escape(k)}</b> {escape(v)}</span>' for k, v in tags if v)
    return (f'<header><div class="kicker">gigacluster plan</div><h1>{escape(s.name)}</h1>'
            f"<p>{escape(s.description)}</p><div>{chips}</div></header>")


def summary(plan: Plan) -> str:
    """The strip of headline numbers under the header."""
    d, run = plan.design, plan.training.run
    items = [("Accelerators", f"{d.accelerators:,}"), ("IT power", f"{fmt_num(d.it_power_mw)} MW"),
             ("Facility power", f"{fmt_num(d.facility_power_mw)} MW"), ("Capex", fmt_usd(plan.cost.capex_usd)),
             ("Cost per GPU-hour", fmt_usd(plan.cost.usd_per_gpu_hour)), ("MFU", fmt_pct(plan.training.best.mfu))]
    if run is not None:
        items.insert(5, ("Days to train (wall-clock)", fmt_num(run.wall_days)))
    cells = "".join(f'<div class="stat"><div class="v">{escape(v)}</div><div class="l">{escape(k)}</div></div>'
                    for k, v in items)
    return f'<div class="summary">{cells}</div>'


def _breakdown_figure(title: str, parts: list[tuple[str, float]], unit: str, stacked: bool = False) -> str:
    fmt = unit_formatter(unit)
    parts = [(k, v) for k, v in parts if v > 0]
    if not parts:
        return ""
    draw = stacked_bar if stacked else bar_chart
    chart = responsive(draw(parts, fmt, f"{title} ({unit})"), draw(parts, fmt, f"{title} ({unit})", PHONE_W))
    return figure(title, chart, f"Total {fmt(sum(v for _, v in parts))}")


# ---- design ------------------------------------------------------------------------------------

def design_section(d: DesignSummary) -> str:
    """Counts, power and capex breakdowns, opex, the fabric and its tiers."""
    counts = kv_table(scalar_rows(d, skip=("assumptions",)))
    charts = grid([_breakdown_figure("Power breakdown", numbers_of(d.power_mw), "MW", stacked=True),
                   _breakdown_figure("Capex breakdown", numbers_of(d.capex_usd), "USD")])
    opex = grid([_breakdown_figure("Opex per year", numbers_of(d.opex_usd_per_year), "USD/year"),
                 f"<h3>Fabric</h3>{kv_table(scalar_rows(d.fabric))}"])
    tiers = records_table("Fabric tiers", list(d.fabric.per_tier))
    notes = "".join(f"<li>{escape(a)}</li>" for a in d.assumptions)
    return section("design", "Cluster design", [counts, charts, opex, tiers,
                                                f"<h3>Assumptions</h3><ul>{notes}</ul>" if notes else ""])


# ---- training ----------------------------------------------------------------------------------

def training_section(t: TrainingResult) -> str:
    """Layout, headline figures, step and memory breakdowns, the run with failures and its cost."""
    best = t.best
    chips = "".join(f'<span class="tag"><b>{escape(k)}</b> {escape(str(v))}</span>'
                    for k, v in best.layout.model_dump().items())
    rows = scalar_rows(t, skip=("job_choice",)) + scalar_rows(best)
    parts = [f'<div class="layout"><h3>Parallel layout</h3>{chips}</div>', kv_table(rows)]
    parts.append(grid([_breakdown_figure("Step time breakdown", numbers_of(best.step_breakdown_s), "s", True),
                       _breakdown_figure("Memory per GPU by part", numbers_of(best.memory_breakdown_gb), "GB")]))
    if t.run is not None:
        parts.append(kv_table(scalar_rows(t.run), "The run (failures included)"))
        parts.append(grid([_breakdown_figure("Days lost to failures", numbers_of(t.run.lost_days), "days"),
                           _breakdown_figure("Cost of the run", numbers_of(t.run.cost_usd.model_dump()), "USD")]))
    parts.append(records_table("Best layouts", [r.layout for r in t.top]))
    if t.job_choice:
        parts.append(f"<p>Job size: {escape(t.job_choice)}.</p>")
    return section("training", "Training", parts)


# ---- scaling -----------------------------------------------------------------------------------

def scaling_section(points: list[ScalingPoint]) -> str:
    """MFU and wall-clock days, then ETTR and the run's cost, against job size; and the table."""
    if not points:
        return ""
    xs = [float(p.gpus) for p in points]
    left = Series("MFU", [p.mfu for p in points], fmt_pct)
    right = Series("Wall-clock days", [p.wall_days for p in points], fmt_num, dashed=True)
    title = "MFU and days to train against job size"
    days = figure(title, _lines(xs, left, right, "GPUs in the job", fmt_compact, title),
                  "Wall-clock days include failures, restarts and checkpoints (the scenario's failure profile).")
    cost = Series("Cost of the run", [p.run_cost_usd for p in points], fmt_usd)
    ettr = Series("ETTR", [p.ettr for p in points], fmt_pct, dashed=True)
    title2 = "ETTR and cost of the run against job size"
    frontier = figure(title2, _lines(xs, cost, ettr, "GPUs in the job", fmt_compact, title2),
                      "Bigger jobs finish sooner but lose more to failures: the time-against-cost trade-off.")
    return section("scaling", "Scaling", [days, frontier, records_table("Scaling curve", points)])


# ---- serving, scheduling, cost -----------------------------------------------------------------

def serving_section(s: ServingSection) -> str:
    """The deployment under the SLOs, its fleet, power and price."""
    rows = scalar_rows(s) + scalar_rows(s.plan) + scalar_rows(s.cost)
    lat = [(f"{name} p50 / p99", f"{fmt_num(p.p50)} / {fmt_num(p.p99)} ms")
           for name, p in (("TTFT", s.plan.ttft_ms), ("TPOT", s.plan.tpot_ms))]
    return section("serving", "Serving", [kv_table(rows + lat), _interactivity(s)])


def _interactivity(s: ServingSection) -> str:
    """Output tokens/s per GPU against tokens/s per user as the engine's batch grows."""
    curve = s.plan.interactivity
    if len(curve) < 2:
        return ""
    xs = [c.tokens_per_s_per_user for c in curve]
    per_gpu = Series("Output tokens/s per GPU", [c.tokens_per_s_per_gpu for c in curve], fmt_compact)
    title = "Throughput per GPU against speed per user"
    slo = 1000.0 / s.plan.tpot_ms.p50
    return figure(title, _lines(xs, per_gpu, None, "Output tokens/s per user", fmt_num, title),
                  f"{s.plan.layout}, batch 1 to {curve[-1].batch}; under the SLOs it serves "
                  f"{fmt_compact(s.plan.slo_throughput_tokens_per_s_per_gpu)} tok/s per GPU at {fmt_num(slo)} tok/s "
                  "per user (median TPOT).")


def scheduling_section(s: SchedulingSection) -> str:
    """Compute per researcher: the distribution across researchers, waits and utilisation."""
    q = s.queue
    rc = q.researcher_compute
    bars = [("p10", rc.p10), ("median", rc.median), ("mean", rc.mean), ("p90", rc.p90)]
    fmt, title = with_unit("GPU-h/day"), "GPU-hours per researcher per day"
    chart = figure(title, responsive(bar_chart(bars, fmt, title), bar_chart(bars, fmt, title, PHONE_W)),
                   f"{s.researchers} researchers under {s.policy}")
    waits = data_table(["", "mean", "p50", "p99"], [
        [label, fmt_num(v.mean), fmt_num(v.p50), fmt_num(v.p99)]
        for label, v in (("Queue wait (h)", q.queue_wait_h), ("Job completion time (h)", q.jct_h))])
    rows = scalar_rows(s) + [("Jobs simulated", f"{q.jobs:,}"),
                             ("Utilisation (arrival window)", fmt_pct(q.utilization)),
                             ("Utilisation (to the last job)", fmt_pct(q.utilization_makespan)),
                             ("Gini of compute shares", f"{rc.gini:.2f}"), ("Jain of compute shares", f"{rc.jain:.2f}"),
                             ("Largest job's share of GPU-time", fmt_pct(q.largest_job_gpu_time_share)),
                             ("Arrival window / makespan",
                              f"{fmt_num(q.arrival_window_h)} / {fmt_num(q.makespan_h)} h")]
    return section("scheduling", "Researchers", [grid([chart, kv_table(rows) + waits])])


def generic_section(anchor: str, title: str, model: object) -> str:
    """Any other section rendered from its fields' metadata."""
    from pydantic import BaseModel

    return section(anchor, title, model_parts(model)) if isinstance(model, BaseModel) else ""
