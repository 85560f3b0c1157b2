"""The report's sections, one function per plan key; each renders only the parts that are present."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from gigacluster.report.blocks import (
    JsonDict,
    data_table,
    figure,
    generic_parts,
    grid,
    inline_value,
    is_number,
    is_scalar,
    kv_table,
    number,
    numeric_parts,
    scalar_rows,
    section,
    subdict,
)
from gigacluster.report.fmt import (
    Formatter,
    fmt_compact,
    fmt_count,
    fmt_num,
    fmt_pct,
    fmt_usd,
    fmt_value,
    humanize,
    with_unit,
)
from gigacluster.report.svg import Series, bar_chart, line_chart, stacked_bar

DESIGN_CHARTED = ("power_mw", "capex_usd", "opex_usd_per_year", "fabric")
TRAINING_CHARTED = ("layout", "step_breakdown_s", "memory_breakdown_gb", "lost_days", "cost_usd")


# ---- header and summary ------------------------------------------------------------------------

def header(plan: JsonDict) -> str:
    """The page header: scenario name, description and tags (accelerator, model)."""
    scenario = subdict(plan, "scenario") or {}
    name = str(scenario.get("name", "gigacluster plan"))
    desc = scenario.get("description")
    tags = [(humanize(k), str(v)) for k, v in scenario.items() if k not in ("name", "description") and v is not None
            and not isinstance(v, Mapping | list)]
    training = subdict(plan, "training") or {}
    if "model" in training and "model" not in scenario:
        tags.append(("Model", str(training["model"])))
    chips = "".join(f'<span class="tag"><b>{escape(k)}</b> {escape(v)}</span>' for k, v in tags)
    para = f"<p>{escape(str(desc))}</p>" if desc else ""
    return f'<header><div class="kicker">gigacluster plan</div><h1>{escape(name)}</h1>{para}<div>{chips}</div></header>'


def _summary_items(plan: JsonDict) -> list[tuple[str, str]]:
    design = subdict(plan, "design") or {}
    training = subdict(plan, "training") or {}
    capex = subdict(design, "capex_usd") or {}
    items: list[tuple[str, float | None, Formatter]] = [
        ("Accelerators", number(design, "accelerators") or number(training, "gpus"), fmt_count),
        ("IT power", number(design, "it_power_mw"), with_unit("MW")),
        ("Facility power", number(design, "facility_power_mw"), with_unit("MW")),
        ("Capex", number(capex, "total"), fmt_usd),
        ("Cost per GPU-hour", number(design, "usd_per_gpu_hour"), fmt_usd),
        _days_item(training),
        ("MFU", number(training, "mfu"), fmt_pct),
    ]
    return [(label, fmt(value)) for label, value, fmt in items if value is not None]


def _days_item(training: JsonDict) -> tuple[str, float | None, Formatter]:
    wall = number(training, "wall_days")
    if wall is not None:
        return ("Days to train (wall-clock)", wall, fmt_num)
    return ("Days to train", number(training, "train_days"), fmt_num)


def summary(plan: JsonDict) -> str:
    """The strip of headline numbers under the header."""
    items = _summary_items(plan)
    cells = "".join(f'<div class="stat"><div class="v">{escape(v)}</div><div class="l">{escape(k)}</div></div>'
                    for k, v in items)
    return f'<div class="summary">{cells}</div>' if cells else ""


# ---- design ------------------------------------------------------------------------------------

def design_section(design: JsonDict) -> str:
    """Counts, power and capex breakdowns, opex, and the fabric's tiers."""
    parts = [_design_counts(design), grid([_power_figure(design), _capex_figure(design)])]
    parts += [grid([_opex_figure(design), _fabric_summary(design)]), _tier_table(design)]
    parts += generic_parts(nested_rest(design, DESIGN_CHARTED))
    return section("design", "Cluster design", parts)


def _design_counts(design: JsonDict) -> str:
    rows = scalar_rows({k: v for k, v in design.items() if k not in DESIGN_CHARTED})
    it, facility = number(design, "it_power_mw"), number(design, "facility_power_mw")
    if it and facility:
        rows.append(("PUE (facility / IT)", f"{facility / it:.2f}"))
    return kv_table(rows)


def _power_figure(design: JsonDict) -> str:
    power = subdict(design, "power_mw")
    if power is None:
        return ""
    parts = [(k, v) for k, v in numeric_parts(power) if v > 0]
    total = number(power, "total") or sum(v for _, v in parts)
    return figure("Power breakdown", stacked_bar(parts, with_unit("MW"), "Power breakdown (MW)"),
                  f"Total {fmt_num(total)} MW")


def _capex_figure(design: JsonDict) -> str:
    capex = subdict(design, "capex_usd")
    if capex is None:
        return ""
    parts = numeric_parts(capex)
    total = number(capex, "total") or sum(v for _, v in parts)
    return figure("Capex breakdown", bar_chart(parts, fmt_usd, "Capex breakdown (USD)"), f"Total {fmt_usd(total)}")


def _opex_figure(design: JsonDict) -> str:
    opex = subdict(design, "opex_usd_per_year")
    if opex is None:
        return ""
    parts = numeric_parts(opex)
    total = number(opex, "total") or sum(v for _, v in parts)
    chart = bar_chart(parts, lambda x: f"{fmt_usd(x)}/yr", "Opex per year (USD)")
    return figure("Opex per year", chart, f"Total {fmt_usd(total)} per year")


def _fabric_summary(design: JsonDict) -> str:
    fabric = subdict(design, "fabric")
    if fabric is None:
        return ""
    rows = scalar_rows(fabric)
    return f"<h3>Fabric</h3>{kv_table(rows)}" if rows else ""


def _tier_table(design: JsonDict) -> str:
    fabric = subdict(design, "fabric") or {}
    tiers = fabric.get("tier_table")
    if not isinstance(tiers, list) or not tiers:
        return ""
    records = [t for t in tiers if isinstance(t, Mapping)]
    columns: list[str] = []
    for rec in records:
        columns += [str(k) for k in rec if str(k) not in columns]
    rows = [[inline_value(c, rec.get(c)) if c in rec else "" for c in columns] for rec in records]
    return data_table([humanize(c) for c in columns], rows, "Fabric tiers")


# ---- training ----------------------------------------------------------------------------------

def training_section(training: JsonDict) -> str:
    """Layout, headline figures, step and memory breakdowns, failures and cost."""
    parts = [_layout_line(training), kv_table(scalar_rows(training))]
    parts.append(grid([_step_figure(training), _memory_figure(training)]))
    parts.append(grid([_lost_days_figure(training), _cost_figure(training)]))
    parts += generic_parts(nested_rest(training, TRAINING_CHARTED))
    return section("training", "Training", parts)


def nested_rest(d: JsonDict, charted: Sequence[str]) -> JsonDict:
    """The entries of ``d`` not charted and not scalar (nor lists of scalars), for generic tables."""
    return {k: v for k, v in d.items() if k not in charted and isinstance(v, Mapping | list)
            and not all(is_scalar(x) for x in v)}


def _layout_line(training: JsonDict) -> str:
    layout = subdict(training, "layout")
    if layout is None:
        return ""
    chips = "".join(f'<span class="tag"><b>{escape(str(k))}</b> {escape(fmt_value(str(k), v))}</span>'
                    for k, v in layout.items() if not isinstance(v, Mapping | list))
    return f'<div class="layout"><h3>Parallel layout</h3>{chips}</div>'


def _step_figure(training: JsonDict) -> str:
    steps = subdict(training, "step_breakdown_s")
    if steps is None:
        return ""
    parts = [(k, v) for k, v in numeric_parts(steps) if v > 0]
    total = number(training, "step_time_s") or sum(v for _, v in parts)
    chart = stacked_bar(parts, lambda x: f"{x:.3g} s", "Step time breakdown (s)")
    return figure("Step time breakdown", chart, f"Step time {fmt_num(total)} s; parts that are zero are left out")


def _memory_figure(training: JsonDict) -> str:
    memory = subdict(training, "memory_breakdown_gb")
    if memory is None:
        return ""
    parts = numeric_parts(memory)
    total = number(training, "memory_gb") or sum(v for _, v in parts)
    chart = bar_chart(parts, with_unit("GB"), "Memory per GPU by part (GB)")
    return figure("Memory per GPU by part", chart, f"Total {fmt_num(total)} GB per GPU")


def _lost_days_figure(training: JsonDict) -> str:
    lost = subdict(training, "lost_days")
    if lost is None:
        return ""
    parts = numeric_parts(lost)
    caption = _wall_clock_caption(training, sum(v for _, v in parts))
    return figure("Days lost to failures", bar_chart(parts, with_unit("days"), "Days lost to failures"), caption)


def _wall_clock_caption(training: JsonDict, lost: float) -> str:
    train, wall, ettr = number(training, "train_days"), number(training, "wall_days"), number(training, "ettr")
    text = f"{fmt_num(lost)} days lost"
    if train is not None and wall is not None:
        text = f"{fmt_num(train)} failure-free days become {fmt_num(wall)} wall-clock days; " + text
    return text + (f" (ETTR {fmt_pct(ettr)})" if ettr is not None else "")


def _cost_figure(training: JsonDict) -> str:
    cost = subdict(training, "cost_usd")
    if cost is None:
        return ""
    parts = numeric_parts(cost)
    total = number(cost, "total") or sum(v for _, v in parts)
    return figure("Cost of the run", bar_chart(parts, fmt_usd, "Cost of the run (USD)"), f"Total {fmt_usd(total)}")


# ---- scaling -----------------------------------------------------------------------------------

def scaling_points(points: object) -> list[tuple[float, float | None, float | None]]:
    """Valid (gpus, mfu, train_days) points, sorted by GPU count."""
    if not isinstance(points, list):
        return []
    out = []
    for p in points:
        if isinstance(p, Mapping) and is_number(p.get("gpus")) and p["gpus"] > 0:
            out.append((float(p["gpus"]), number(p, "mfu"), number(p, "train_days")))
    return sorted(out)


def scaling_section(points: object) -> str:
    """MFU and days to train against cluster size: a two-axis curve and its table."""
    pts = scaling_points(points)
    if not pts:
        return ""
    parts = [_scaling_chart(pts)]
    rows = [[fmt_count(g), fmt_pct(m) if m is not None else "—", f"{fmt_num(d)}" if d is not None else "—"]
            for g, m, d in pts]
    parts.append(data_table(["GPUs", "MFU", "Days to train"], rows))
    return section("scaling", "Scaling", parts)


def _scaling_chart(pts: Sequence[tuple[float, float | None, float | None]]) -> str:
    xs = [g for g, _, _ in pts]
    mfu = [m for _, m, _ in pts if m is not None]
    days = [d for _, _, d in pts if d is not None and d > 0]
    left = Series("MFU", mfu, fmt_pct) if len(mfu) == len(xs) else None
    right = Series("Days to train", days, fmt_num, dashed=True) if len(days) == len(xs) else None
    if left is None:
        left, right = right, None
    if left is None:
        return ""
    title = "MFU and days to train against cluster size"
    return figure(title, line_chart(xs, left, right, "GPUs in the job", fmt_compact, title))


# ---- anything else -----------------------------------------------------------------------------

def generic_section(key: str, value: object) -> str:
    """Any other stage's result as tables of its scalars and nested dicts."""
    if isinstance(value, Mapping):
        parts = generic_parts(value)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        parts = generic_parts({key: value})
    else:
        return ""
    return section(key, humanize(key), parts) if parts else ""
