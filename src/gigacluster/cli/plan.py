"""`gigacluster plan SCENARIO|FILE [--out DIR]`: the main job — every stage for one scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from gigacluster.catalog.scenarios import get_scenario
from gigacluster.cli.common import Format, console, emit_json
from gigacluster.plan import plan_scenario
from gigacluster.report import write_report


def _money(x: float) -> str:
    return f"${x / 1e9:,.1f}B" if x >= 1e9 else f"${x / 1e6:,.1f}M"


def summary_table(p: dict[str, Any]) -> Table:
    d, t, sv, sc = p["design"], p["training"], p["serving"], p["scheduling"]
    rc = sc["researcher_compute"]
    table = Table(title=f"{p['scenario']['name']} — plan", show_header=False)
    rows = [
        ("cluster", f"{d['accelerators']:,} × {p['scenario']['accelerator']} in {d['racks']:,} racks, "
                    f"{d['pods']} pods"),
        ("power", f"{d['it_power_mw']:,.0f} MW IT, {d['facility_power_mw']:,.0f} MW facility"
                  + (f" (of which {d['power_reserve_mw']:,.0f} MW held in reserve)" if d['power_reserve_mw'] else "")),
        ("capex / opex", f"{_money(d['capex_usd']['total'])} capex, "
                         f"{_money(d['opex_usd_per_year']['total'])}/year opex; ${d['usd_per_gpu_hour']:.2f}/GPU-h "
                         f"owner cost, ${d['breakeven_usd_per_gpu_hour']:.2f} break-even rental "
                         f"({d['cost_of_capital']:.0%} WACC, {d['sold_utilisation']:.0%} sold)"),
        ("training", f"{t['model']} on {t['gpus']:,} GPUs: MFU {t['mfu']:.1%}, {t['train_days']:.1f} days failure-free,"
                     f" {t['wall_days']:.1f} wall-clock days (ETTR {t['ettr']:.0%})"),
        ("layout", "  ".join(f"{k}={v}" for k, v in t["layout"].items())),
        ("run cost", f"{_money(t['cost_usd']['total'])} (amortised cluster-hours + energy), "
                     f"{t['run_energy']['facility_energy_mwh']:,.0f} MWh, {t['run_energy']['co2_t']:,.0f} t CO2"),
        ("serving", f"{sv['model']}: {sv['gpus_needed']:,} GPUs ({sv['share_of_cluster']:.1%} of the cluster), "
                    f"{sv['power_mw']:.1f} MW, ${sv['usd_per_mtok']:.2f}/Mtok"),
        ("researchers", f"{sc['researchers']} under {sc['policy']} on the {sc['shared_gpus']:,} GPUs the frontier run "
                        f"leaves: median {rc['median']:,.0f} GPU-h/day each (p10 {rc['p10']:,.0f}, p90 "
                        f"{rc['p90']:,.0f}, mean {rc['mean']:,.0f}, Gini {rc['gini']:.2f}), utilisation "
                        f"{sc['utilization']:.0%}"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    return table


def plan(
    scenario: str = typer.Argument(..., help="scenario id (gigacluster scenarios) or a scenario YAML file"),
    out: Path = typer.Option(Path("out"), "--out", help="folder for plan.json and report.html"),
    phase: str | None = typer.Option(None, help="build-out phase of the scenario (e.g. hyperion)"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Design the cluster, train, fail, serve, share and pay: one plan, a JSON file and an HTML report."""
    p = plan_scenario(get_scenario(scenario), phase)
    json_path, html_path = write_report(p, out)
    if fmt is Format.json:
        emit_json(p)
        return
    console.print(summary_table(p))
    scaling = "  ".join(f"{x['gpus']:,}: {x['wall_days']:.0f} d" for x in p["scaling"])
    console.print(f"wall-clock days by job size: {scaling}")
    console.print(f"wrote {json_path} and {html_path}")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
