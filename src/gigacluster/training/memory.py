"""Memory per GPU by part, vectorised over candidate layouts.

- Weights, gradients and Adam states: ``weight_bytes``/``grad_bytes``/``optimizer_bytes`` per
  parameter, the last three sharded over the data-parallel group by ZeRO stage (Rajbhandari et
  al. 2020): stage 1 (dist_opt/zero1) shards optimizer states, 2 adds gradients, 3 (zero3/fsdp)
  adds weights plus a gather buffer (FSDP: two wrapped layers; DeepSpeed ZeRO-3: its live-parameter
  cap or the largest linear); hsdp shards within a group of ``g`` ranks.
- Activations: stored bytes per token per layer / tp (sequence parallel; without it the input and
  norms are whole on every TP rank, training.stack), plus the 5as/h stored scores of a materialised
  attention core, only the layer input
  under full recompute (Korthikanti et al. 2022, eq. 2–6), for the recomputed layers only under
  ``partial`` (the fewest that fit, :func:`recompute_layers`), less what a module policy frees
  (Megatron ``--recompute-modules``, training.recompute), plus the routed fc2 outputs a stack that
  weights them by the routing probability keeps (training.stack); the first pipeline stage keeps
  min(m, p) micro-batches of L/p layers in flight under 1F1B, ×(1 + (p−1)/(p·v)) interleaved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gigacluster.training import schedules
from gigacluster.training.calibration import Calibration
from gigacluster.training.dims import DTYPE_BYTES, Dims
from gigacluster.training.job import TrainingJob
from gigacluster.training.layout import Candidates
from gigacluster.training.recompute import freed_bytes, uses
from gigacluster.training.stack import SCORE_BYTES, probs_on_expert_output

F = np.ndarray
GB = 1e9


@dataclass(frozen=True)
class Memory:
    """GB per GPU on the most loaded pipeline stage."""

    weights: F
    gradients: F
    optimizer: F
    activations: F
    logits: F
    reserve: F

    @property
    def total(self) -> F:
        return self.weights + self.gradients + self.optimizer + self.activations + self.logits + self.reserve

    def parts(self, i: int) -> dict[str, float]:
        return {k: float(getattr(self, k)[i]) for k in
                ("weights", "gradients", "optimizer", "activations", "logits", "reserve")}


def hsdp_group(job: TrainingJob, c: Candidates) -> F:
    """HSDP shards within one scale-up domain's worth of data-parallel ranks."""
    return np.maximum(1, np.minimum(c.dp * c.cp, job.system.scaleup_domain // (c.tp * c.cp)))


def local_params(d: Dims, c: Candidates) -> tuple[F, F]:
    """(non-expert, expert) parameters per GPU on the most loaded stage."""
    layers = np.ceil(d.layers / c.pp)
    dense_layer = d.attn_params + d.norm_params + (1 - d.moe_fraction) * d.mlp_params
    dense_layer = dense_layer + d.moe_fraction * (d.shared * d.expert_params + d.hidden * d.experts)
    ends = np.where(c.pp == 1, d.embedding_params + d.head_params,
                    max(d.embedding_params, d.head_params))
    copies = schedules.param_copies(c.sched)  # DualPipe holds two stages per rank
    dense = copies * (layers * dense_layer + ends) / c.tp
    expert = copies * layers * d.moe_fraction * d.experts * d.expert_params / (c.ep * c.etp)
    return dense, expert


def largest_weight(d: Dims, c: Candidates) -> F:
    """Parameters of the largest single linear of a layer on one GPU (the FFN up/gate or down
    projection, an expert's (split by etp), or the fused QKV), which a per-submodule gather must
    hold whole."""
    n = 3.0 if d.gated else 2.0
    qkv = min(d.hidden * (d.qk + 2.0 * d.kv), d.attn_params)  # fused QKV (MLA: bounded by the block)
    return np.maximum(np.maximum(d.mlp_params / n / c.tp, d.expert_params / n / c.etp), qkv / c.tp)


def _shard_divisors(job: TrainingJob, c: Candidates) -> tuple[F, F]:
    group = np.where(c.shard == 4, hsdp_group(job, c), c.dp * c.cp).astype(np.float64)  # hsdp shards in-group
    return group, np.maximum(group * c.tp / (c.ep * c.etp), 1.0)


def _static_parts(job: TrainingJob, d: Dims, c: Candidates, cal: Calibration) -> dict[str, F]:
    """Bytes per GPU of everything but activations (weights, gradients, optimizer, logits, reserve)."""
    m = cal.memory
    dense, expert = local_params(d, c)
    g_dense, g_exp = _shard_divisors(job, c)
    fsdp = c.shard >= 3  # FSDP keeps fp32 sharded parameters as the master copy (no bf16 copy)

    def sharded(bytes_per: F | float, min_stage: int) -> F:
        on = c.shard >= min_stage
        return bytes_per * (np.where(on, dense / g_dense, dense) + np.where(on, expert / g_exp, expert))

    layer_params = (dense + expert) / np.ceil(d.layers / c.pp)
    zero3 = np.minimum(np.maximum(m.zero3_max_live_params, largest_weight(d, c)), dense + expert)
    live = np.where(c.shard == 5, zero3, 2.0 * layer_params)
    gather = np.where((c.shard >= 3) & (g_dense > 1), live * m.weight_bytes, 0.0)
    t = c.mb * job.seq_len / c.cp
    return {
        "weights": sharded(np.where(fsdp, m.fsdp_weight_bytes, m.weight_bytes), 3) + gather,
        "gradients": sharded(m.grad_bytes, 2),
        "optimizer": sharded(np.where(fsdp, m.optimizer_bytes - m.fsdp_weight_bytes, m.optimizer_bytes), 1),
        "logits": t * d.vocab * 4.0 / c.tp,
        "reserve": np.full(c.tp.shape, m.reserve_gb * GB),
    }


def _layer_bytes(job: TrainingJob, d: Dims, c: Candidates) -> tuple[F, F]:
    """(stored bytes of one layer and micro-batch without full recompute, less what a module
    policy frees (training.recompute), its input alone). Sequence parallelism splits everything by
    t; without it the layer input and the norms' inputs and outputs sit whole on every TP rank
    (Korthikanti et al. 2022, eq. 1: sbh(10 + 24/t); full recompute keeps 2sbh, not 2sbh/t). A
    materialised attention core adds its 5as/h of scores, split by heads (training.stack)."""
    t = c.mb * job.seq_len / c.cp
    low = job.precision in ("fp8", "mxfp8", "nvfp4")
    stored = (d.act_bytes_per_layer_low_precision if low else d.act_bytes_per_layer) - freed_bytes(d, c.rc, low)
    if probs_on_expert_output(job.stack_year):  # freed by recomputing the whole MoE block
        stored = stored + np.where(uses(c.rc, "moe"), 0.0, d.moe_fraction * d.probs_output_bytes)
    scores = np.where(uses(c.rc, "core_attn"), 0.0, SCORE_BYTES * job.model.heads * job.seq_len / c.tp) \
        if job.materialised_attention else 0.0
    if job.sequence_parallel:
        per_rank, inp = stored / c.tp, t * d.hidden * DTYPE_BYTES / c.tp
    else:
        norms = np.where(uses(c.rc, "layernorm"), 0.0, d.modules.layernorm * (0.5 if low else 1.0))
        replicated = np.minimum(4.0 * d.hidden + norms, stored)  # two norm inputs (2h each) + outputs
        per_rank, inp = replicated + (stored - replicated) / c.tp, t * d.hidden * DTYPE_BYTES
    return np.maximum(t * (per_rank + scores), inp), inp


def recompute_layers(job: TrainingJob, d: Dims, c: Candidates, cal: Calibration, micro_batches: F,
                     static: dict[str, F] | None = None) -> F:
    """Layers per stage that ``partial`` recompute re-runs in full: the fewest whole layers for the
    stage to fit (Megatron ``--recompute-method block --recompute-num-layers N``); for ``full`` every
    layer, otherwise none. Depends on fixed memory constants only (never on fitted ones)."""
    stage = np.ceil(d.layers / c.pp)
    if not np.any(c.rc == 3):
        return np.where(c.rc == 2, stage, 0.0)
    per_layer, inp = _layer_bytes(job, d, c)
    inflight = schedules.inflight(c.sched, c.pp, c.vpp, micro_batches)
    cap = job.accelerator.hbm_gb * cal.memory.usable_fraction * GB
    static = static if static is not None else _static_parts(job, d, c, cal)
    over = sum(static.values()) + per_layer * (stage * inflight + 1.0) - cap
    need = np.clip(np.ceil(over / np.maximum((per_layer - inp) * inflight, 1.0)), 0.0, stage)
    return np.select([c.rc == 2, c.rc == 3], [stage, need], 0.0)


def memory(job: TrainingJob, d: Dims, c: Candidates, cal: Calibration, micro_batches: F,
           recomputed: F | None = None) -> Memory:
    """Memory per GPU; ``recomputed``: :func:`recompute_layers` when the caller has it already."""
    static = _static_parts(job, d, c, cal)
    per_layer, inp = _layer_bytes(job, d, c)
    stage = np.ceil(d.layers / c.pp)
    n = recompute_layers(job, d, c, cal, micro_batches, static) if recomputed is None else recomputed
    inflight = schedules.inflight(c.sched, c.pp, c.vpp, micro_batches)
    acts = (per_layer * (stage - n) + inp * n) * inflight + np.where(n > 0, per_layer, 0.0)
    return Memory(activations=acts / GB, **{k: v / GB for k, v in static.items()})
