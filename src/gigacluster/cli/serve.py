"""`gigacluster serve`: traffic + SLOs -> serving layout, replicas, GPUs, MW, $/Mtok."""

from __future__ import annotations

import typer
from rich.table import Table

from gigacluster import api
from gigacluster.cli.common import CALIBRATION_HELP, FORMAT_HELP, Format, console, emit, parse_count, spinner
from gigacluster.inference.options import parse_options
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
    for k, v in rows + _prefix_rows(result) + _disagg_rows(result):
        t.add_row(k, v)
    return t


def _prefix_rows(result: ServeResult) -> list[tuple[str, str]]:
    pc = result.plan.prefix_cache
    if pc is None or pc.footprint_gb_per_gpu is None:
        return []
    return [("prefix cache hit rate (HBM / host / SSD)", f"{pc.hit_rate:.1%} ({pc.hbm_share:.0%} / {pc.host_share:.0%}"
                                                         f" / {pc.ssd_share:.0%})"),
            ("prefix footprint per GPU (GB) / load (us/token)", f"{pc.footprint_gb_per_gpu:,.0f} / "
                                                                f"{pc.load_s_per_cached_token * 1e6:,.2f}")]


def _disagg_rows(result: ServeResult) -> list[tuple[str, str]]:
    d = result.plan.disagg
    if d is None:
        return []
    pre, dec = d.fleet.pools["prefill"], d.fleet.pools["decode"]
    return [
        ("prefill engine", f"{d.prefill.pool.layout.label()}, {d.prefill.tokens_per_rank_step} tokens/rank/step"),
        ("prefill rate per engine (req/s)", f"{d.prefill.rate_per_engine_rps:,.2f}"),
        ("decode engine", f"{d.decode.layout.label()}, batch {d.decode.batch_per_rank}/rank"),
        ("decode tok/s per GPU / per user", f"{d.decode.output_tokens_per_s_per_gpu:,.0f} / "
                                            f"{d.decode.tok_s_per_user:,.1f}"),
        ("KV transfer per request (ms)", f"{d.kv_transfer_ms:,.2f}"),
        ("prefill / decode GPUs at peak", f"{pre.peak_gpus:,} / {dec.peak_gpus:,} (P:D {d.pd_ratio_at_peak:.2f})"),
        (f"average GPUs over the day ({d.fleet.profile})", f"{d.fleet.avg_gpus:,.0f}"),
        ("revenue (USD/day)", "-" if d.fleet.revenue_usd_per_day is None else f"{d.fleet.revenue_usd_per_day:,.0f}"),
    ]


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
    calibration: str | None = typer.Option(None, "--calibration", help=CALIBRATION_HELP),
    deployment: str = typer.Option("agg", "--deployment", help="agg | disagg | auto"),
    mtp_depth: int = typer.Option(0, "--mtp-depth", help="multi-token prediction draft tokens per step"),
    mtp_accept: float = typer.Option(0.85, "--mtp-accept", help="MTP acceptance rate per draft token (0-1)"),
    prefix_hit_rate: float = typer.Option(0.0, "--prefix-hit-rate", help="share of input tokens from prefix cache"),
    prefix_window_s: float | None = typer.Option(None, "--prefix-window-s", help="seconds a prefix must stay "
                                                 "cached to be reused (bounds hits by the KV tiers)"),
    kv_host_gb: float = typer.Option(0.0, "--kv-host-gb", help="host-memory KV tier per GPU, GB"),
    kv_ssd_gb: float = typer.Option(0.0, "--kv-ssd-gb", help="SSD KV tier per GPU, GB"),
    kv_host_gbps: float = typer.Option(50.0, "--kv-host-gbps", help="host-to-GPU GB/s per GPU (PCIe 5.0)"),
    kv_ssd_gbps: float = typer.Option(5.0, "--kv-ssd-gbps", help="SSD-to-GPU GB/s per GPU"),
    traffic_profile: str | None = typer.Option(None, "--traffic-profile", help="flat | diurnal | FILE (24 weights)"),
    routing: str = typer.Option("least_outstanding", "--routing", help="round_robin | least_outstanding | kv_aware"),
    prefill_gpus: int | None = typer.Option(None, "--prefill-gpus", help="fix the prefill engine size (disagg)"),
    decode_gpus: int | None = typer.Option(None, "--decode-gpus", help="fix the decode engine size (disagg)"),
    n_plus: int = typer.Option(1, "--n-plus", help="spare engines per pool (disagg)"),
    scale_up_delay_h: float = typer.Option(0.0, "--scale-up-delay-h", help="hours a pool needs to grow"),
    price_input: float | None = typer.Option(None, "--price-input", help="USD per M uncached input tokens"),
    price_cached: float | None = typer.Option(None, "--price-cached-input", help="USD per M cache-hit tokens"),
    price_output: float | None = typer.Option(None, "--price-output", help="USD per M output tokens"),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Plan serving capacity: best layout under the SLOs, replicas for the peak, GPUs, MW, $/Mtok."""
    req = api.ServeRequest(model=model, accelerator=accelerator, tp=tp, precision=precision,
                           kv_precision=kv_precision, input_len=input_len, output_len=output_len,
                           rate_rps=_number("rate", rate), users=_number("users", users),
                           requests_per_user_day=requests_per_user_day, peak_to_mean=peak_to_mean,
                           ttft_p99_ms=ttft_p99_ms, tpot_p99_ms=tpot_p99_ms,
                           calibration=calibration,
                           options=parse_options(
                               deployment=deployment, mtp={"depth": mtp_depth, "accept": mtp_accept},
                               prefix_hit_rate=prefix_hit_rate, prefix_window_s=prefix_window_s,
                               kv_host_gb_per_gpu=kv_host_gb, kv_ssd_gb_per_gpu=kv_ssd_gb, kv_host_gbps=kv_host_gbps,
                               kv_ssd_gbps=kv_ssd_gbps, traffic_profile=traffic_profile, routing=routing,
                               prefill_gpus=prefill_gpus, decode_gpus=decode_gpus, n_plus=n_plus,
                               scale_up_delay_h=scale_up_delay_h, price_input_usd_per_mtok=price_input,
                               price_cached_input_usd_per_mtok=price_cached, price_output_usd_per_mtok=price_output))
    with spinner("simulating serving layouts"):
        result = api.serve(req)
    emit(result, fmt, lambda: console.print(_table(result)))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
