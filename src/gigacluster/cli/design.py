"""`gigacluster design | scenarios | cost`: size a cluster, list the scenarios, price a run."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from gigacluster import api
from gigacluster.api.stages import DEFAULT_ACCELERATOR
from gigacluster.catalog.scenarios import load_scenarios
from gigacluster.cli.common import FORMAT_HELP, Format, console, emit, emit_csv, emit_json, parse_count
from gigacluster.economics.summary import DesignSummary
from gigacluster.hardware.spec import FORM_FACTORS, NETWORKS, SIZINGS, flag

_SCN = typer.Option(None, "--scenario", help="scenario id (gigacluster scenarios) or a scenario YAML path")
_PHASE = typer.Option(None, "--phase", help="scenario phase (default: the first)")
_FMW = typer.Option(None, "--facility-mw", help="facility power, MW")
_IMW = typer.Option(None, "--it-mw", help="IT power, MW")
_BUD = typer.Option(None, "--budget-usd", help="capex budget, e.g. 35B")
_ACCS = typer.Option(None, "--accelerators", help="accelerator count, e.g. 100k")
_ACC = typer.Option(None, "--accelerator", help=f"accelerator id (default {DEFAULT_ACCELERATOR})")
_PUE = typer.Option(None, "--pue", help="power usage effectiveness, ≥ 1 (default 1.15)")
_MWH = typer.Option(None, "--usd-per-mwh", help="electricity price (default 60)")
_FMT = typer.Option(Format.table, "--format", help=FORMAT_HELP)


def design(
    facility_mw: float | None = _FMW, it_mw: float | None = _IMW, budget_usd: str | None = _BUD,
    accelerators: str | None = _ACCS, accelerator: str | None = _ACC, pue: float | None = _PUE,
    scenario: str | None = _SCN, phase: str | None = _PHASE,
    form_factor: str | None = typer.Option(None, "--form-factor", help="|".join(FORM_FACTORS)),
    network: str | None = typer.Option(None, "--network", help="|".join(NETWORKS)),
    nic_gbps: float | None = typer.Option(None, "--nic-gbps", help="scale-out Gb/s per GPU"),
    switch: str | None = typer.Option(None, "--switch", help="quantum-2|quantum-x800|tomahawk4|tomahawk5|tomahawk6"),
    pod_gpus: int | None = typer.Option(None, "--pod-gpus", help="GPUs per full-bisection pod"),
    oversubscription: float | None = typer.Option(None, "--oversubscription", help="above the pod, e.g. 7"),
    gpus_per_rack: int | None = typer.Option(None, "--gpus-per-rack",
                                             help="GPUs per rack (default: the form factor's)"),
    onsite_generation_mw: float | None = typer.Option(None, "--onsite-generation-mw",
                                                      help="on-site generation capacity, MW (priced in capex)"),
    usd_per_mwh: float | None = _MWH,
    utilisation: float | None = typer.Option(None, "--utilisation", help="share of GPU-hours sold, for the "
                                             "break-even rental price (0.8)"),
    cost_of_capital: float | None = typer.Option(None, "--cost-of-capital", help="WACC per year, annuity over "
                                                 "each asset's life (0.08; 0 = straight line)"),
    power_draw: float | None = typer.Option(None, "--power-draw", help="average draw / nameplate (0.75)"),
    it_life_years: float | None = typer.Option(None, "--it-life-years", help="IT depreciation life (5)"),
    fmt: Format = _FMT,
) -> None:
    """Size a cluster from power, money or a count: counts, fabric, power, capex, opex, TCO, $/GPU-hour."""
    req = api.DesignRequest(
        scenario=scenario, phase=phase, facility_mw=facility_mw, it_mw=it_mw,
        budget_usd=_count("budget-usd", budget_usd),
        accelerators=_int_count("accelerators", accelerators), accelerator=accelerator, pue=pue,
        form_factor=form_factor, network=network, nic_gbps=nic_gbps, switch=switch, pod_gpus=pod_gpus,
        oversubscription=oversubscription, gpus_per_rack=gpus_per_rack, onsite_generation_mw=onsite_generation_mw,
        usd_per_mwh=usd_per_mwh, sold_utilisation=utilisation, cost_of_capital=cost_of_capital,
        power_draw_fraction=power_draw, it_life_years=it_life_years)
    out = api.design(req)
    emit(out, fmt, lambda: print_design(out))


def _count(field: str, text: str | None) -> float | None:
    return None if text is None else parse_count(field, text)


def _int_count(field: str, text: str | None) -> int | None:
    return None if text is None else int(parse_count(field, text))


def _parts_table(title: str, parts: dict[str, float], scale: float, unit: str) -> Table:
    table = Table(title=title, show_header=False)
    total = parts.get("total") or 1.0
    for k, v in parts.items():
        table.add_row(k, f"{v / scale:,.2f} {unit}", f"{v / total:.1%}")
    return table


def print_design(out: DesignSummary) -> None:
    f = out.fabric
    console.print(f"[bold]{out.accelerators:,} × {out.accelerator}[/bold] ({out.form_factor}, {out.network})"
                  f"  {out.nodes:,} nodes  {out.racks:,} racks  {out.scaleup_domains:,} scale-up domains"
                  f"  {out.pods:,} network pods of {f.pod_gpus:,.0f} accelerators")
    console.print(f"power: {out.it_power_mw:,.1f} MW IT, {out.facility_power_mw:,.1f} MW facility "
                  f"(PUE {out.pue:g}; {out.power_reserve_mw:,.1f} MW of it held in reserve), "
                  f"{out.kw_per_rack:.1f} kW per rack")
    tiers = Table(title=f"fabric: {f.tiers} tiers of {f.switch} (radix {f.radix} at {f.link_gbps:g}G), "
                  f"{f.rails} rails, {f.oversubscription:g}:1 above the pod, bisection {f.bisection_tbps:,.0f} Tb/s")
    for col in ("tier", "switches", "down links", "up links", "down:up"):
        tiers.add_column(col, justify="right")
    for t in f.per_tier:
        tiers.add_row(t.name, f"{t.switches:,}", f"{t.down_links:,}", f"{t.up_links:,}", f"{t.oversubscription:g}")
    tiers.add_row("total", f"{f.switches:,}", f"{f.links:,} links", f"{f.transceivers:,} optics", "")
    console.print(tiers, _parts_table("power", out.power_mw, 1.0, "MW"),
                  _parts_table("capex", out.capex_usd, 1e9, "$B"),
                  _parts_table("opex per year", out.opex_usd_per_year, 1e6, "$M"),
                  _parts_table("TCO per year", out.tco_usd_per_year, 1e6, "$M"))
    console.print(f"${out.usd_per_gpu_hour:.2f} per GPU-hour owner cost (every installed hour, "
                  f"{out.cost_of_capital:.0%} cost of capital); ${out.breakeven_usd_per_gpu_hour:.2f} "
                  f"break-even rental at {out.sold_utilisation:.0%} of hours sold; "
                  f"capex ${out.capex_usd_per_gw / 1e9:.1f}B per GW of facility power")
    for note in out.assumptions:
        console.print(f"[yellow]assumed[/yellow] {note}")


def scenarios(fmt: Format = _FMT) -> None:
    """List the scenarios (catalog/scenarios/*.yaml)."""
    rows: list[dict[str, Any]] = []
    for sid, s in load_scenarios().items():
        sizing = {k: v for k, v in s.design.items() if k in SIZINGS}
        phases = [f"{p.name} ({p.year})" for p in s.phases]
        rows.append({"id": sid, "name": s.name, "year": s.year, "accelerator": s.design.get("accelerator"),
                     "sizing": sizing, "phases": phases, "model": s.training.model, "tokens": s.training.tokens,
                     "serving_model": s.serving.model, "researchers": s.researchers, "description": s.description})
    if fmt is Format.json:
        emit_json(rows)
        return
    if fmt is Format.csv:
        emit_csv([{k: v for k, v in r.items() if not isinstance(v, dict | list)} for r in rows])
        return
    table = Table(title="scenarios")
    for col in ("id", "name", "year", "accelerator", "size", "train", "serve"):
        table.add_column(col)
    for r in rows:
        size = ", ".join(f"{flag(k)} {v:,}" for k, v in r["sizing"].items()) or " → ".join(r["phases"])
        table.add_row(r["id"], r["name"], str(r["year"]), str(r["accelerator"]), size,
                      f"{r['model']} {r['tokens']:.3g} tok", r["serving_model"])
    console.print(table)


def cost(
    gpu_hours: str | None = typer.Option(None, "--gpu-hours", help="GPU-hours of a training run, e.g. 30M"),
    it_energy_mwh: float | None = typer.Option(None, "--it-energy-mwh", help="IT energy of the run (default: "
                                               "GPU-hours x IT kW per GPU x power draw)"),
    tokens_per_s_per_gpu: float | None = typer.Option(None, "--tokens-per-s-per-gpu", help="serving throughput"),
    grid_kg_co2_per_mwh: float | None = typer.Option(None, "--grid-kg-co2-per-mwh", help="grid intensity (367)"),
    facility_mw: float | None = _FMW, it_mw: float | None = _IMW, budget_usd: str | None = _BUD,
    accelerators: str | None = _ACCS, accelerator: str | None = _ACC, pue: float | None = _PUE,
    scenario: str | None = _SCN, phase: str | None = _PHASE, usd_per_mwh: float | None = _MWH, fmt: Format = _FMT,
) -> None:
    """Cost of a training run (amortised GPU-hours + energy, MWh, CO2) and $ per million tokens served."""
    req = api.CostRequest(
        gpu_hours=_count("gpu-hours", gpu_hours), it_energy_mwh=it_energy_mwh,
        tokens_per_s_per_gpu=tokens_per_s_per_gpu, grid_kg_co2_per_mwh=grid_kg_co2_per_mwh, facility_mw=facility_mw,
        it_mw=it_mw, budget_usd=_count("budget-usd", budget_usd), accelerators=_int_count("accelerators", accelerators),
        accelerator=accelerator, pue=pue, scenario=scenario, phase=phase, usd_per_mwh=usd_per_mwh)
    out = api.cost(req)
    emit(out, fmt, lambda: _print_cost(out))


def _print_cost(out: api.CostResult) -> None:
    rates = out.rates
    console.print(f"{out.accelerators:,} × {out.accelerator}: capital ${rates.capital_usd_per_gpu_hour:.2f} "
                  f"per GPU-hour + energy at ${rates.usd_per_mwh:g}/MWh (PUE {rates.pue:g})")
    if out.run is not None:
        r = out.run
        console.print(_parts_table("training run", {"amortised_usd": r.amortised_usd, "energy_usd": r.energy_usd,
                                                    "total": r.total_usd}, 1e6, "$M"))
        console.print(f"{r.gpu_hours:,.0f} GPU-hours, {r.facility_energy_mwh:,.0f} MWh facility energy, "
                      f"{r.co2_t:,.0f} t CO2")
    if out.usd_per_mtok is not None:
        console.print(f"${out.usd_per_mtok:.3f} per million tokens served")


def register(app: typer.Typer) -> None:
    app.command("design")(design)
    app.command("scenarios")(scenarios)
    app.command("cost")(cost)
