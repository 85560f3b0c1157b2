"""`gigacluster plan SCENARIO|FILE [--out DIR]`: the main job — every stage for one scenario."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from gigacluster import api
from gigacluster.cli.common import CALIBRATION_HELP, FORMAT_HELP, Format, console, emit, spinner
from gigacluster.planning.model import Plan
from gigacluster.planning.training import DEFAULT_OBJECTIVE
from gigacluster.report import write_report

WORLD_POPULATION = 8.16e9  # UN World Population Prospects 2024 (mid-2024 estimate)


def _vs_world(n: float) -> str:
    """The world's population beside a capacity in users that exceeds it."""
    if n <= WORLD_POPULATION:
        return ""
    return f" ({n / WORLD_POPULATION:.2g}× the world's population: not traffic-bound)"


def _money(x: float) -> str:
    return f"${x / 1e9:,.1f}B" if x >= 1e9 else f"${x / 1e6:,.1f}M"


def summary_rows(p: Plan) -> list[tuple[str, str]]:
    d, t, sv, q = p.design, p.training, p.serving, p.scheduling.queue
    run, best = t.run, t.best
    rows = [
        ("cluster", f"{d.accelerators:,} × {p.scenario.accelerator} in {d.racks:,} racks, {d.pods} pods"),
        ("power", f"{d.it_power_mw:,.0f} MW IT, {d.facility_power_mw:,.0f} MW facility"
                  + (f" (of which {d.power_reserve_mw:,.0f} MW held in reserve)" if d.power_reserve_mw else "")),
        ("capex / opex", f"{_money(p.cost.capex_usd)} capex, {_money(p.cost.opex_usd_per_year)}/year opex; "
                         f"${p.cost.usd_per_gpu_hour:.2f}/GPU-h owner cost, ${d.breakeven_usd_per_gpu_hour:.2f} "
                         f"break-even rental ({d.cost_of_capital:.0%} WACC, {d.sold_utilisation:.0%} sold)"),
        ("layout", "  ".join(f"{k}={v}" for k, v in best.layout.model_dump().items())),
    ]
    if run is not None:
        rows.insert(3, ("training", f"{t.model} on {t.gpus:,} GPUs: MFU {best.mfu:.1%}, {run.failure_free_days:.1f} "
                                    f"days failure-free, {run.wall_days:.1f} wall-clock days (ETTR {run.ettr:.0%})"))
        rows.append(("run cost", f"{_money(run.cost_usd.total_usd)} (amortised cluster-hours + energy), "
                                 f"{run.gpu_hours:,.0f} GPU-h held, {run.facility_energy_mwh:,.0f} MWh facility, "
                                 f"{run.co2_t:,.0f} t CO2"))
    mtok = "" if sv.cost.usd_per_mtok is None else f", ${sv.cost.usd_per_mtok:.2f}/Mtok"
    rows.append(("serving", f"{sv.plan.model}: {sv.fleet_peak_gpus:,} GPUs at the peak hour ({sv.share_of_cluster:.1%} "
                            f"of the cluster), {sv.fleet_avg_gpus:,.0f} on average ({sv.traffic_profile} day, "
                            f"N+{sv.n_plus}), {sv.cost.facility_power_mw:.1f} MW{mtok}; the whole cluster could serve "
                            f"{sv.users_servable_by_whole_cluster:,.3g} daily users of this traffic"
                            f"{_vs_world(sv.users_servable_by_whole_cluster)}"))
    rc, sc = q.researcher_compute, p.scheduling
    rows.append(("researchers", f"{sc.researchers} under {sc.policy} on the {sc.shared_gpus:,} GPUs the frontier "
                                f"run leaves: median {rc.median:,.0f} GPU-h/day each (p10 {rc.p10:,.0f}, p90 "
                                f"{rc.p90:,.0f}, mean {rc.mean:,.0f}, Gini {rc.gini:.2f}), utilisation "
                                f"{q.utilization:.0%}"))
    return rows


def summary_table(p: Plan) -> Table:
    table = Table(title=f"{p.scenario.name} — plan", show_header=False)
    for k, v in summary_rows(p):
        table.add_row(k, v)
    return table


def plan(
    scenario: str = typer.Argument(..., help="scenario id (gigacluster scenarios) or a scenario YAML file"),
    out: Path = typer.Option(Path("out"), "--out", help="folder for plan.json and report.html"),
    phase: str | None = typer.Option(None, help="build-out phase of the scenario (e.g. hyperion's 'full')"),
    calibration: str | None = typer.Option(None, "--calibration", help=CALIBRATION_HELP),
    objective: str = typer.Option(DEFAULT_OBJECTIVE, "--objective",
                                  help="job size by: time (shortest wall-clock) | cost (cheapest run) | balanced "
                                       "(smallest time x cost, each relative to its best; the default)"),
    cost_of_capital: float | None = typer.Option(None, "--cost-of-capital", help="WACC per year (0.08)"),
    utilisation: float | None = typer.Option(None, "--utilisation", help="share of GPU-hours sold (0.8)"),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP + " (csv: the scaling curve)"),
) -> None:
    """Design the cluster, train, fail, serve, share and pay: one plan, a JSON file and an HTML report.
    Failures follow the default profile (llama3), each job size with its best recovery mode."""
    with spinner(f"planning {scenario}"):
        p = api.plan(scenario, phase, calibration, objective,
                     {"cost_of_capital": cost_of_capital, "sold_utilisation": utilisation})
    json_path, html_path = write_report(p, out)

    def table() -> None:
        console.print(summary_table(p))
        console.print("wall-clock days by job size (ETTR, recovery mode, run cost): " + "  ".join(
            f"{x.gpus:,}: {x.wall_days:.0f} d ({x.ettr:.0%} {x.recovery}, {_money(x.run_cost_usd)})"
            for x in p.scaling))
        console.print(f"wrote {json_path} and {html_path}")

    emit(p, fmt, table)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)

