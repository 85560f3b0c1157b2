"""`gigacluster train`: the best layout for a model on a cluster, with its breakdowns."""

from __future__ import annotations

import typer
from rich.table import Table

from gigacluster import api
from gigacluster.cli.common import CALIBRATION_HELP, FORMAT_HELP, Format, choice, console, emit, parse_count, spinner
from gigacluster.planning.model import TrainingResult
from gigacluster.planning.training import DEFAULT_FAILURE_PROFILE
from gigacluster.training.layout import RECOMPUTES, SHARDINGS
from gigacluster.training.recompute import check as recompute_policy
from gigacluster.training.schedules import SCHEDULES

PRECISIONS = ("fp32", "fp16", "bf16", "fp8", "mxfp8", "nvfp4")


def _print(out: TrainingResult) -> None:
    best = out.best
    if out.peak_rule:
        console.print(f"[yellow]note:[/yellow] {out.peak_rule}", highlight=False)
    console.print(f"[bold]{out.model}[/bold] on {out.gpus:,} × {out.accelerator}  "
                  f"seq {out.seq_len}, batch {out.global_batch_seqs} seqs, {out.precision}")
    console.print("layout: " + "  ".join(f"{k}={v}" for k, v in best.layout.model_dump().items())
                  + f"  (m={best.micro_batches} micro-batches)")
    at_precision = "" if out.precision == "bf16" else f", {best.mfu_at_precision_peak:.1%} of {out.precision} peak"
    console.print(f"step {best.step_time_s:.3f} s   MFU {best.mfu:.1%} of BF16 peak{at_precision}   "
                  f"HFU {best.hfu:.1%}   {best.tflops_per_gpu:.0f} TFLOP/s/GPU   {best.tokens_per_s:,.0f} tokens/s")
    table = Table(title="step time breakdown (s)", show_header=False)
    for k, v in best.step_breakdown_s.items():
        table.add_row(k, f"{v:.4f}", f"{v / best.step_time_s:.1%}")
    mem = Table(title=f"memory per GPU: {best.memory_gb:.1f} GB", show_header=False)
    for k, v in best.memory_breakdown_gb.items():
        mem.add_row(k, f"{v:.2f}")
    console.print(table, mem)
    if out.run is not None:
        _print_run(out)
    s = out.search
    console.print(f"search: {s.candidates:,} candidates, {s.feasible:,} fit memory, {s.seconds:.2f} s")


def _print_run(out: TrainingResult) -> None:
    run = out.run
    assert run is not None
    console.print(f"to train {run.tokens:.3g} tokens: {run.failure_free_days:.1f} days failure-free "
                  f"({run.gpu_hours_failure_free:,.0f} GPU-hours of work, "
                  f"{run.gpu_board_energy_mwh_failure_free:,.0f} MWh GPU board energy)")
    if run.failure_profile != "none":
        lost = ", ".join(f"{k} {v:.1f}" for k, v in run.lost_days.model_dump().items() if v >= 0.05)
        spares = f", {run.spare_gpus:,} hot spares" if run.spare_gpus else ""
        console.print(f"with failures ({run.failure_profile}, {run.recovery} recovery{spares}): "
                      f"{run.wall_days:.1f} wall-clock days "
                      f"(ETTR {run.ettr:.1%}, ~{run.interruptions_expected:.0f} interruptions; days lost: {lost})")
    console.print(f"run: {run.gpu_hours:,.0f} GPU-hours held, {run.facility_energy_mwh:,.0f} MWh facility energy, "
                  f"{run.co2_t:,.0f} t CO2, ${run.cost_usd.total_usd / 1e6:,.1f}M (reference cluster rates)")


def train(
    model: str = typer.Option("llama3-405b", help="catalog id/alias, or a config.json / YAML path"),
    accelerator: str = typer.Option("h100-sxm", help="accelerator id (gigacluster catalog accelerators)"),
    gpus: str = typer.Option("16384", help="number of accelerators, e.g. 16384 or 16k"),
    seq_len: int = typer.Option(8192, "--seq-len", help="sequence length, tokens"),
    global_batch_tokens: str = typer.Option("16M", "--global-batch-tokens", help="e.g. 16M (= 16·2^20), 4194304"),
    precision: str = typer.Option("bf16", help="|".join(PRECISIONS)),
    tp: int | None = typer.Option(None, help="fix the tensor-parallel degree (default: searched)"),
    pp: int | None = typer.Option(None, help="fix the pipeline-parallel degree (default: searched)"),
    vpp: int | None = typer.Option(None, help="fix the virtual stages per pipeline rank (default: searched)"),
    dp: int | None = typer.Option(None, help="fix the data-parallel degree (default: searched)"),
    cp: int | None = typer.Option(None, help="fix the context-parallel degree (default: searched)"),
    ep: int | None = typer.Option(None, help="fix the expert-parallel degree (default: searched)"),
    micro_batch: int | None = typer.Option(None, "--micro-batch", help="fix the micro-batch, sequences"),
    sharding: str | None = typer.Option(None, help="|".join(SHARDINGS) + " (default: searched)"),
    recompute: str | None = typer.Option(None, help="|".join(RECOMPUTES)
                                         + " (modules join with '+', e.g. layernorm+moe_act; default: searched)"),
    pipeline_schedule: str | None = typer.Option(None, "--pipeline-schedule",
                                                 help="|".join(SCHEDULES) + " (default: searched)"),
    tokens: str | None = typer.Option(None, help="tokens to train, e.g. 15.6T (adds days, energy and cost)"),
    failure_profile: str = typer.Option(DEFAULT_FAILURE_PROFILE, "--failure-profile",
                                        help="reliability profile for wall-clock time: rsc1|rsc2|llama3|none "
                                             f"(default {DEFAULT_FAILURE_PROFILE}, as every command)"),
    calibration: str | None = typer.Option(None, "--calibration", help=CALIBRATION_HELP),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP + " (csv: the top layouts)"),
) -> None:
    """Search the best parallel layout (given fields are fixed) and report its breakdowns."""
    req = api.TrainRequest(
        model=model, accelerator=accelerator, gpus=int(parse_count("gpus", gpus)), seq_len=seq_len,
        global_batch_tokens=parse_count("global-batch-tokens", global_batch_tokens, binary=True),
        precision=choice("precision", precision, PRECISIONS), tp=tp, pp=pp, vpp=vpp, dp=dp, cp=cp, ep=ep,
        micro_batch=micro_batch, sharding=choice("sharding", sharding, SHARDINGS),
        recompute=None if recompute is None else recompute_policy(recompute),
        pipeline_schedule=choice("pipeline-schedule", pipeline_schedule, tuple(SCHEDULES)),
        tokens=None if tokens is None else parse_count("tokens", tokens), failure_profile=failure_profile,
        calibration=calibration)
    with spinner("searching layouts"):
        out = api.train(req)
    emit(out, fmt, lambda: _print(out))


def register(app: typer.Typer) -> None:
    app.command("train")(train)
