"""`gigacluster serve`: traffic + SLOs -> serving layout, replicas, GPUs, MW, $/Mtok."""

from __future__ import annotations

import typer
from rich.table import Table

from gigacluster import api
from gigacluster.cli.common import FORMAT_HELP, Format, console, emit, parse_count, spinner
from gigacluster.planning.model import ServeResult


def _number(field: str, text: str | None) -> float | None:
    return None if text is None else parse_count(field, text)


def _table(result: ServeResult) -> Table:
    plan, cost = result.plan, result.cost
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
    accelerator: str = typer.Option(..., "--accelerator", help="accelerator id (gigacluster catalog accelerators)"),
    tp: int | None = typer.Option(None, "--tp", help="fix the tensor-parallel degree (default: searched)"),
    precision: str = typer.Option("fp8", "--precision", help="weight precision: bf16, fp8, fp4"),
    kv_precision: str | None = typer.Option(None, "--kv-precision", help="KV-cache precision (default: weights')"),
    input_len: float = typer.Option(1024, "--input-len", help="mean prompt length, tokens"),
    output_len: float = typer.Option(256, "--output-len", help="mean output length, tokens"),
    rate: str | None = typer.Option(None, "--rate", help="mean requests per second"),
    users: str | None = typer.Option(None, "--users", help="daily active users, e.g. 3e9"),
    requests_per_user_day: float = typer.Option(10, "--requests-per-user-day", help="requests per user per day"),
    peak_to_mean: float = typer.Option(2.0, "--peak-to-mean", help="peak / mean request rate"),
    ttft_p99_ms: float = typer.Option(2000, "--ttft-p99-ms", help="p99 time to first token, ms"),
    tpot_p99_ms: float = typer.Option(100, "--tpot-p99-ms", help="p99 time per output token, ms"),
    calibration: str | None = typer.Option(None, "--calibration", help="calibration overlay (gigacluster calibrate)"),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Plan serving capacity: best layout under the SLOs, replicas for the peak, GPUs, MW, $/Mtok."""
    req = api.ServeRequest(model=model, accelerator=accelerator, tp=tp, precision=precision,
                           kv_precision=kv_precision, input_len=input_len, output_len=output_len,
                           rate_rps=_number("rate", rate), users=_number("users", users),
                           requests_per_user_day=requests_per_user_day, peak_to_mean=peak_to_mean,
                           ttft_p99_ms=ttft_p99_ms, tpot_p99_ms=tpot_p99_ms, calibration=calibration)
    with spinner("simulating serving layouts"):
        result = api.serve(req)
    emit(result, fmt, lambda: console.print(_table(result)))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
