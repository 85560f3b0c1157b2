"""`gigacluster serve`: traffic + SLOs -> serving layout, replicas, GPUs, MW, $/Mtok."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from gigacluster.calibrate import overlay_calibrations
from gigacluster.catalog import get_accelerator, get_model
from gigacluster.cli.common import Format, console, emit_json, parse_count
from gigacluster.economics import ServingCost, reference_rates, serving_cost
from gigacluster.inference import ServingPlan, Slo, Traffic, plan_serving


def _number(field: str, text: str | None) -> float | None:
    return None if text is None else parse_count(field, text)


def fleet_cost(plan: ServingPlan) -> ServingCost:
    """Power and $/Mtok of the fleet from the economics stage's reference cluster of this accelerator."""
    return serving_cost(reference_rates(plan.accelerator), plan.gpus_needed, plan.mean_output_tokens_per_s)


def plan_json(plan: ServingPlan, cost: ServingCost) -> dict[str, Any]:
    """The documented JSON shape (plus the full plan under "detail")."""
    return {
        "layout": plan.layout, "engine_gpus": plan.engine_gpus,
        "max_throughput_tokens_per_s_per_gpu": plan.max_throughput_tokens_per_s_per_gpu,
        "slo_throughput_tokens_per_s_per_gpu": plan.slo_throughput_tokens_per_s_per_gpu,
        "ttft_ms": {"p50": plan.ttft_ms.p50, "p99": plan.ttft_ms.p99},
        "tpot_ms": {"p50": plan.tpot_ms.p50, "p99": plan.tpot_ms.p99},
        "replicas": plan.replicas, "gpus_needed": plan.gpus_needed, "power_mw": cost.facility_power_mw,
        "usd_per_mtok": cost.usd_per_mtok, "cost": cost.model_dump(), "detail": plan.model_dump(mode="json"),
    }


def _table(plan: ServingPlan, cost: ServingCost) -> Table:
    t = Table(title=f"Serving {plan.model} on {plan.accelerator}")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    rows = [
        ("layout", plan.layout), ("GPUs per engine", str(plan.engine_gpus)),
        ("max throughput (tok/s/GPU, offline)", f"{plan.max_throughput_tokens_per_s_per_gpu:,.0f}"),
        ("throughput within SLO (tok/s/GPU)", f"{plan.slo_throughput_tokens_per_s_per_gpu:,.0f}"),
        ("rate per engine (req/s)", f"{plan.rate_per_engine_rps:,.2f}"),
        ("TTFT p50 / p99 (ms)", f"{plan.ttft_ms.p50:,.0f} / {plan.ttft_ms.p99:,.0f}"),
        ("TPOT p50 / p99 (ms)", f"{plan.tpot_ms.p50:,.1f} / {plan.tpot_ms.p99:,.1f}"),
        ("peak rate (req/s)", "-" if plan.peak_rate_rps is None else f"{plan.peak_rate_rps:,.0f}"),
        ("replicas", f"{plan.replicas:,}"), ("GPUs needed", f"{plan.gpus_needed:,}"),
        ("power (MW, incl. PUE)", f"{cost.facility_power_mw:,.2f}"),
        ("$ per million output tokens", "-" if cost.usd_per_mtok is None else f"{cost.usd_per_mtok:,.3f}"),
    ]
    for k, v in rows:
        t.add_row(k, v)
    return t


def serve(
    model: str = typer.Option(..., "--model", help="catalog id, alias, or path to config.json / YAML"),
    accelerator: str = typer.Option(..., "--accelerator"),
    tp: int | None = typer.Option(None, "--tp", help="fix the tensor-parallel degree"),
    precision: str = typer.Option("fp8", "--precision", help="weight precision: bf16, fp8, fp4"),
    kv_precision: str | None = typer.Option(None, "--kv-precision"),
    input_len: float = typer.Option(1024, "--input-len"),
    output_len: float = typer.Option(256, "--output-len"),
    rate: str | None = typer.Option(None, "--rate", help="mean requests per second"),
    users: str | None = typer.Option(None, "--users", help="daily active users, e.g. 3e9"),
    requests_per_user_day: float = typer.Option(10, "--requests-per-user-day"),
    peak_to_mean: float = typer.Option(2.0, "--peak-to-mean"),
    ttft_p99_ms: float = typer.Option(2000, "--ttft-p99-ms"),
    tpot_p99_ms: float = typer.Option(100, "--tpot-p99-ms"),
    calibration: Path | None = typer.Option(None, "--calibration", help="calibration overlay (gigacluster calibrate)"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Plan serving capacity: best layout under the SLOs, replicas for the peak, GPUs, MW, $/Mtok."""
    traffic = Traffic(rate_rps=_number("rate", rate), users=_number("users", users),
                      requests_per_user_day=requests_per_user_day, peak_to_mean=peak_to_mean,
                      input_len=input_len, output_len=output_len)
    slo = Slo(ttft_p99_ms=ttft_p99_ms, tpot_p99_ms=tpot_p99_ms)
    plan = plan_serving(get_model(model), get_accelerator(accelerator), traffic, slo,
                        weight_precision=precision, kv_precision=kv_precision, tp=tp,
                        cal=overlay_calibrations(calibration)[1])
    cost = fleet_cost(plan)
    if fmt is Format.json:
        emit_json(plan_json(plan, cost))
        return
    console.print(_table(plan, cost))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
