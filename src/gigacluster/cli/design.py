"""`gigacluster design | scenarios | cost`: size a cluster, list the scenarios, price a run."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from gigacluster.catalog.scenarios import get_scenario, load_scenarios
from gigacluster.cli.common import Format, console, emit_json, parse_count
from gigacluster.economics import CostSpec, build_cluster, rates_of, summary, training_run_cost, usd_per_mtok
from gigacluster.errors import GigaclusterError
from gigacluster.hardware.spec import FORM_FACTORS, NETWORKS, SIZINGS, DesignSpec, flag

DEFAULT_ACCELERATOR = "gb200"


def _choice(field: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        raise GigaclusterError(field, f"'{value}' not one of {', '.join(allowed)}")
    return value


def make_spec(scenario: str | None, phase: str | None, sizing: dict[str, Any], choices: dict[str, Any],
              costs: dict[str, Any]) -> tuple[DesignSpec, CostSpec]:
    """A DesignSpec and CostSpec from a scenario (if any) with the given flags on top."""
    given = [k for k, v in sizing.items() if v is not None]
    if len(given) > 1:
        raise GigaclusterError("sizing", "give exactly one of --facility-mw, --it-mw, --budget-usd, --accelerators "
                                         f"(got {' and '.join('--' + flag(k) for k in given)})")
    if sizing.get("budget_usd") is not None:
        sizing["budget_usd"] = parse_count("budget-usd", sizing["budget_usd"])
    if sizing.get("accelerators") is not None:
        sizing["accelerators"] = int(parse_count("accelerators", sizing["accelerators"]))
    _choice("form-factor", choices.get("form_factor"), FORM_FACTORS)
    _choice("network", choices.get("network"), NETWORKS)
    explicit = {k: v for k, v in costs.items() if v is not None}
    if scenario is None:
        if phase is not None:
            raise GigaclusterError("phase", "needs --scenario")
        if not given:
            raise GigaclusterError("sizing", "give one of --facility-mw, --it-mw, --budget-usd, --accelerators "
                                             "or a --scenario")
        data = {k: v for k, v in (sizing | choices).items() if v is not None}
        data.setdefault("accelerator", DEFAULT_ACCELERATOR)
        return DesignSpec(**data), CostSpec(**explicit)
    scn = get_scenario(scenario)
    return scn.design_spec(phase, **sizing, **choices), CostSpec(**(scn.costs | explicit))


_SCN = typer.Option(None, "--scenario", help="scenario id (gigacluster scenarios) or a scenario YAML path")
_PHASE = typer.Option(None, "--phase", help="scenario phase (default: the first)")
_FMW = typer.Option(None, "--facility-mw", help="facility power, MW")
_IMW = typer.Option(None, "--it-mw", help="IT power, MW")
_BUD = typer.Option(None, "--budget-usd", help="capex budget, e.g. 35B")
_ACCS = typer.Option(None, "--accelerators", help="accelerator count, e.g. 100k")
_ACC = typer.Option(None, "--accelerator", help=f"accelerator id (default {DEFAULT_ACCELERATOR})")
_PUE = typer.Option(None, "--pue", help="power usage effectiveness, ≥ 1 (default 1.15)")
_MWH = typer.Option(None, "--usd-per-mwh", help="electricity price (default 60)")
_FMT = typer.Option(Format.table, "--format")


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
    gpus_per_rack: int | None = typer.Option(None, "--gpus-per-rack"),
    onsite_generation_mw: float | None = typer.Option(None, "--onsite-generation-mw"),
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
    sizing = {"facility_mw": facility_mw, "it_mw": it_mw, "budget_usd": budget_usd, "accelerators": accelerators}
    choices = {"accelerator": accelerator, "pue": pue, "form_factor": form_factor, "network": network,
               "nic_gbps": nic_gbps, "switch": switch, "pod_gpus": pod_gpus, "oversubscription": oversubscription,
               "gpus_per_rack": gpus_per_rack, "onsite_generation_mw": onsite_generation_mw}
    costs = {"usd_per_mwh": usd_per_mwh, "sold_utilisation": utilisation, "cost_of_capital": cost_of_capital,
             "power_draw_fraction": power_draw, "it_life_years": it_life_years}
    spec, cost_spec = make_spec(scenario, phase, sizing, choices, costs)
    out = summary(build_cluster(spec, cost_spec))
    emit_json(out) if fmt is Format.json else print_design(out)


def _parts_table(title: str, parts: dict[str, float], scale: float, unit: str) -> Table:
    table = Table(title=title, show_header=False)
    total = parts.get("total") or 1.0
    for k, v in parts.items():
        table.add_row(k, f"{v / scale:,.2f} {unit}", f"{v / total:.1%}")
    return table


def print_design(out: dict[str, Any]) -> None:
    f = out["fabric"]
    console.print(f"[bold]{out['accelerators']:,} × {out['accelerator']}[/bold] "
                  f"({out['form_factor']}, {out['network']})"
                  f"  {out['nodes']:,} nodes  {out['racks']:,} racks  {out['scaleup_domains']:,} scale-up domains"
                  f"  {out['pods']:,} pods of {f['pod_gpus']:,}")
    console.print(f"power: {out['it_power_mw']:,.1f} MW IT, {out['facility_power_mw']:,.1f} MW facility "
                  f"(PUE {out['pue']:g}; {out['power_reserve_mw']:,.1f} MW of it held in reserve), "
                  f"{out['kw_per_rack']:.1f} kW per rack")
    tiers = Table(title=f"fabric: {f['tiers']} tiers of {f['switch']} (radix {f['radix']} at {f['link_gbps']:g}G), "
                  f"{f['rails']} rails, {f['oversubscription']:g}:1 above the pod, "
                  f"bisection {f['bisection_tbps']:,.0f} Tb/s")
    for col in ("tier", "switches", "down links", "up links", "down:up"):
        tiers.add_column(col, justify="right")
    for t in f["per_tier"]:
        tiers.add_row(t["name"], f"{t['switches']:,}", f"{t['down_links']:,}", f"{t['up_links']:,}",
                      f"{t['oversubscription']:g}")
    tiers.add_row("total", f"{f['switches']:,}", f"{f['links']:,} links", f"{f['transceivers']:,} optics", "")
    console.print(tiers, _parts_table("power", out["power_mw"], 1.0, "MW"),
                  _parts_table("capex", out["capex_usd"], 1e9, "$B"),
                  _parts_table("opex per year", out["opex_usd_per_year"], 1e6, "$M"),
                  _parts_table("TCO per year", out["tco_usd_per_year"], 1e6, "$M"))
    console.print(f"${out['usd_per_gpu_hour']:.2f} per GPU-hour owner cost (every installed hour, "
                  f"{out['cost_of_capital']:.0%} cost of capital); ${out['breakeven_usd_per_gpu_hour']:.2f} "
                  f"break-even rental at {out['sold_utilisation']:.0%} of hours sold; "
                  f"capex ${out['capex_usd_per_gw'] / 1e9:.1f}B per GW of facility power")
    for note in out["assumptions"]:
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
    if gpu_hours is None and tokens_per_s_per_gpu is None:
        raise GigaclusterError("cost", "give --gpu-hours (a training run) and/or --tokens-per-s-per-gpu (serving)")
    sizing = {"facility_mw": facility_mw, "it_mw": it_mw, "budget_usd": budget_usd, "accelerators": accelerators}
    spec, costs = make_spec(scenario, phase, sizing, {"accelerator": accelerator, "pue": pue},
                            {"usd_per_mwh": usd_per_mwh, "grid_kg_co2_per_mwh": grid_kg_co2_per_mwh})
    cluster = build_cluster(spec, costs)
    rates = rates_of(cluster)
    out: dict[str, Any] = {"accelerator": cluster.design.build.accelerator,
                           "accelerators": cluster.design.counts.accelerators, "rates": rates.model_dump()}
    if gpu_hours is not None:
        out["run"] = training_run_cost(rates, parse_count("gpu-hours", gpu_hours), it_energy_mwh).model_dump()
    if tokens_per_s_per_gpu is not None:
        out["usd_per_mtok"] = usd_per_mtok(rates, tokens_per_s_per_gpu)
    if fmt is Format.json:
        emit_json(out)
        return
    console.print(f"{out['accelerators']:,} × {out['accelerator']}: capital ${rates.capital_usd_per_gpu_hour:.2f} "
                  f"per GPU-hour + energy at ${rates.usd_per_mwh:g}/MWh (PUE {rates.pue:g})")
    if "run" in out:
        console.print(_parts_table("training run", {k: out["run"][k] for k in ("amortised_usd", "energy_usd")}
                                   | {"total": out["run"]["total_usd"]}, 1e6, "$M"))
        r = out["run"]
        console.print(f"{r['gpu_hours']:,.0f} GPU-hours, {r['facility_energy_mwh']:,.0f} MWh facility energy, "
                      f"{r['co2_t']:,.0f} t CO2")
    if "usd_per_mtok" in out:
        console.print(f"${out['usd_per_mtok']:.3f} per million tokens at {tokens_per_s_per_gpu:g} tokens/s per GPU")


def register(app: typer.Typer) -> None:
    app.command("design")(design)
    app.command("scenarios")(scenarios)
    app.command("cost")(cost)
