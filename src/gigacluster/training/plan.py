"""The public training entry point: search (or evaluate the fixed layout), explain the winner."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError
from gigacluster.llm.counts import attention_flops_per_token, matmul_flops_per_token, model_flops_per_token
from gigacluster.training.calibration import Calibration, load_calibration
from gigacluster.training.dims import dims_of
from gigacluster.training.job import TrainingJob
from gigacluster.training.layout import Layout
from gigacluster.training.recompute_cost import module_flops_per_token
from gigacluster.training.search import SearchOutcome, search
from gigacluster.training.step import PARTS


class SearchStats(BaseModel):
    model_config = ConfigDict(frozen=True)

    candidates: int
    feasible: int
    seconds: float


class LayoutResult(BaseModel):
    """One evaluated layout with its step-time and memory breakdowns (they sum to the totals)."""

    model_config = ConfigDict(frozen=True)

    layout: Layout
    micro_batches: int
    step_time_s: float
    step_breakdown_s: dict[str, float]
    memory_gb: float
    memory_breakdown_gb: dict[str, float]
    mfu: float  # model FLOPs / dense BF16 peak (the published convention, whatever the precision)
    mfu_at_precision_peak: float  # model FLOPs / dense peak of the run's precision (fp8, nvfp4, ...)
    hfu: float
    tokens_per_s: float
    tflops_per_gpu: float


class TrainingPlan(BaseModel):
    """The best layout for a job, the runners-up, and the search statistics."""

    model_config = ConfigDict(frozen=True)

    model: str
    accelerator: str
    gpus: int
    seq_len: int
    global_batch_seqs: int
    precision: str
    best: LayoutResult
    top: list[LayoutResult]
    search: SearchStats
    peak_rule: str = ""  # how the accelerator's peaks were derived when unpublished (catalog rule)


def hardware_flops_per_token(job: TrainingJob, layout: Layout) -> float:
    """Model FLOPs plus what recompute re-executes (forward of the layers, or attention core)."""
    spec, s = job.model, job.seq_len
    base = model_flops_per_token(spec, s, causal=False)
    if layout.recompute in ("full", "partial"):
        share = 1.0 if layout.recompute == "full" else layout.recompute_layers / -(-spec.layers // layout.pp)
        return base + share * (matmul_flops_per_token(spec) - 2.0 * spec.vocab * spec.hidden
                               + attention_flops_per_token(spec, s, causal=False))
    if layout.recompute == "selective":
        return base + attention_flops_per_token(spec, s, causal=False)
    return base + module_flops_per_token(spec, s, layout.recompute, dims_of(spec).mla_up_params)


def _result(job: TrainingJob, out: SearchOutcome, i: int) -> LayoutResult:
    ev, layout = out.evaluation, out.candidates.layout(i)
    layout = layout.model_copy(update={"recompute_layers": int(ev.recompute_layers[i])})
    parts = {k: float(ev.parts[k][i]) for k in PARTS}
    step = float(sum(parts.values()))
    mem = ev.memory.parts(i)
    peak = job.accelerator.bf16_peak_tflops * 1e12 * job.gpus
    tokens = job.tokens_per_step
    model_flops = model_flops_per_token(job.model, job.seq_len) * tokens
    return LayoutResult(
        layout=layout, micro_batches=int(ev.micro_batches[i]), step_time_s=step, step_breakdown_s=parts,
        memory_gb=float(sum(mem.values())), memory_breakdown_gb=mem,
        mfu=model_flops / step / peak,
        mfu_at_precision_peak=model_flops / step / (job.accelerator.peak_tflops(job.precision) * 1e12 * job.gpus),
        hfu=hardware_flops_per_token(job, layout) * tokens / step / peak,
        tokens_per_s=tokens / step, tflops_per_gpu=model_flops / step / job.gpus / 1e12,
    )


def plan_training(job: TrainingJob, cal: Calibration | None = None, top_k: int = 5) -> TrainingPlan:
    """Best layout for ``job`` (fixed fields honoured, the rest searched), with breakdowns."""
    cal = cal or load_calibration()
    out = search(job, cal)
    if out.order.size == 0:
        raise GigaclusterError("layout", _no_fit_reason(job, out, cal))
    top = [_result(job, out, int(i)) for i in out.order[:top_k]]
    return TrainingPlan(
        model=job.model.name, accelerator=job.accelerator.id, gpus=job.gpus, seq_len=job.seq_len,
        global_batch_seqs=job.global_batch_seqs, precision=job.precision, best=top[0], top=top,
        search=SearchStats(candidates=out.enumerated, feasible=int(out.order.size), seconds=out.seconds),
        peak_rule=job.accelerator.peak_rule,
    )


def _no_fit_reason(job: TrainingJob, out: SearchOutcome, cal: Calibration) -> str:
    i = int(np.argmin(out.evaluation.memory.total))
    parts = out.evaluation.memory.parts(i)
    usable = job.accelerator.hbm_gb * cal.memory.usable_fraction
    detail = ", ".join(f"{k} {v:.1f}" for k, v in parts.items())
    return (f"no layout fits in {usable:.0f} GB of {job.accelerator.id} HBM; the smallest needs "
            f"{sum(parts.values()):.1f} GB per GPU ({detail}) with {out.candidates.layout(i)!r}; "
            "add GPUs, shard more, recompute, or lower the micro-batch")
