"""`gigacluster train`: the best layout for a model on a cluster, with its breakdowns."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from gigacluster.catalog import get_accelerator, get_model
from gigacluster.cli.common import Format, console, emit_json, parse_count
from gigacluster.errors import GigaclusterError
from gigacluster.plan.training import training_report, wall_clock
from gigacluster.training.energy import train_cost
from gigacluster.training.job import FixedLayout, SystemSpec, TrainingJob
from gigacluster.training.layout import RECOMPUTES, SHARDINGS
from gigacluster.training.plan import plan_training
from gigacluster.training.schedules import SCHEDULES


def build_job(model: str, accelerator: str, gpus: int, seq_len: int, global_batch_tokens: str,
              precision: str, fixed: FixedLayout) -> TrainingJob:
    spec, acc = get_model(model), get_accelerator(accelerator)
    if gpus < 1:
        raise GigaclusterError("gpus", f"must be a positive integer, got {gpus}")
    tokens = parse_count("global-batch-tokens", global_batch_tokens, binary=True)
    if seq_len < 1:
        raise GigaclusterError("seq-len", f"must be a positive integer, got {seq_len}")
    seqs = max(1, round(tokens / seq_len))
    return TrainingJob(model=spec, accelerator=acc, system=SystemSpec.of(acc), gpus=gpus, seq_len=seq_len,
                       global_batch_seqs=seqs, precision=precision, fixed=fixed)  # type: ignore[arg-type]


def _choice(field: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        raise GigaclusterError(field, f"'{value}' not one of {', '.join(allowed)}")
    return value


def _print(out: dict[str, Any]) -> None:
    lay = out["layout"]
    if out.get("peak_rule"):
        console.print(f"[yellow]note:[/yellow] {out['peak_rule']}", highlight=False)
    console.print(f"[bold]{out['model']}[/bold] on {out['gpus']:,} × {out['accelerator']}  "
                  f"seq {out['seq_len']}, batch {out['global_batch_seqs']} seqs, {out['precision']}")
    console.print("layout: " + "  ".join(f"{k}={v}" for k, v in lay.items())
                  + f"  (m={out['micro_batches']} micro-batches)")
    console.print(f"step {out['step_time_s']:.3f} s   MFU {out['mfu']:.1%} of BF16 peak, "
                  f"{out['mfu_at_precision_peak']:.1%} of {out['precision']} peak   HFU {out['hfu']:.1%}   "
                  f"{out['tflops_per_gpu']:.0f} TFLOP/s/GPU   {out['tokens_per_s']:,.0f} tokens/s")
    table = Table(title="step time breakdown (s)", show_header=False)
    for k, v in out["step_breakdown_s"].items():
        table.add_row(k, f"{v:.4f}", f"{v / out['step_time_s']:.1%}")
    mem = Table(title=f"memory per GPU: {out['memory_gb']:.1f} GB", show_header=False)
    for k, v in out["memory_breakdown_gb"].items():
        mem.add_row(k, f"{v:.2f}")
    console.print(table, mem)
    if "train_days" in out:
        console.print(f"to train {out['tokens']:.3g} tokens: {out['train_days']:.1f} days, "
                      f"{out['gpu_hours']:,.0f} GPU-hours, {out['gpu_energy_mwh']:,.0f} MWh GPU energy"
                      " (failure-free)")
    if "wall_days" in out:
        lost = ", ".join(f"{k} {v:.1f}" for k, v in out["lost_days"].items() if v >= 0.05)
        console.print(f"with failures: {out['wall_days']:.1f} wall-clock days (ETTR {out['ettr']:.1%}, "
                      f"~{out['interruptions_expected']:.0f} interruptions; days lost: {lost})")
    s = out["search"]
    console.print(f"search: {s['candidates']:,} candidates, {s['feasible']:,} fit memory, {s['seconds']:.2f} s")


def train(
    model: str = typer.Option("llama3-405b", help="catalog id/alias, or a config.json / YAML path"),
    accelerator: str = typer.Option("h100-sxm", help="accelerator id (gigacluster catalog accelerators)"),
    gpus: int = typer.Option(16384, help="number of accelerators"),
    seq_len: int = typer.Option(8192, "--seq-len"),
    global_batch_tokens: str = typer.Option("16M", "--global-batch-tokens", help="e.g. 16M (= 16·2^20), 4194304"),
    precision: str = typer.Option("bf16", help="fp32|fp16|bf16|fp8|mxfp8|nvfp4"),
    tp: int | None = typer.Option(None), pp: int | None = typer.Option(None),
    vpp: int | None = typer.Option(None), dp: int | None = typer.Option(None),
    cp: int | None = typer.Option(None), ep: int | None = typer.Option(None),
    micro_batch: int | None = typer.Option(None, "--micro-batch"),
    sharding: str | None = typer.Option(None, help="|".join(SHARDINGS)),
    recompute: str | None = typer.Option(None, help="|".join(RECOMPUTES)),
    pipeline_schedule: str | None = typer.Option(None, help="|".join(SCHEDULES) + " (default: searched)"),
    tokens: str | None = typer.Option(None, help="tokens to train, e.g. 15.6T"),
    failure_profile: str = typer.Option("llama3", "--failure-profile",
                                        help="reliability profile for wall-clock time (rsc1|rsc2|llama3|none)"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Search the best parallel layout (given fields are fixed) and report its breakdowns."""
    _choice("precision", precision, ("fp32", "fp16", "bf16", "fp8", "mxfp8", "nvfp4"))
    fixed = FixedLayout(tp=tp, pp=pp, vpp=vpp, dp=dp, cp=cp, ep=ep, micro_batch=micro_batch,
                        sharding=_choice("sharding", sharding, SHARDINGS),  # type: ignore[arg-type]
                        recompute=_choice("recompute", recompute, RECOMPUTES),  # type: ignore[arg-type]
                        pipeline_schedule=_choice("pipeline-schedule", pipeline_schedule, tuple(SCHEDULES)))
    job = build_job(model, accelerator, gpus, seq_len, global_batch_tokens, precision, fixed)
    plan = plan_training(job)
    cost = wall = None
    if tokens:
        cost = train_cost(parse_count("tokens", tokens), plan.best.tokens_per_s, job.gpus, job.accelerator)
        if failure_profile != "none":
            wall = wall_clock(job, plan.best.step_time_s, cost.train_days, failure_profile)
    out = training_report(plan, cost, wall)
    emit_json(out) if fmt is Format.json else _print(out)


def register(app: typer.Typer) -> None:
    app.command("train")(train)
