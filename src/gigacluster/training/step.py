"""Step time with its breakdown, vectorised over candidate layouts.

    step = m·t_mb (compute + recompute + exposed TP/CP/EP comm)    — the steady 1F1B phase
         + (p − 1)/v · t_mb                                        — pipeline bubble
         + exposed PP send/recv + exposed DP/FSDP traffic + optimizer + fixed per-step overhead

with m = B/(dp·mb) micro-batches and t_mb the time of one micro-batch through the most loaded
stage (Narayanan et al. 2021, §2.2: bubble fraction (p−1)/(v·m) for interleaved 1F1B).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gigacluster.comm import TieredFabric, all_gather_s, all_reduce_s, default_fabric, latency_s, p2p_s
from gigacluster.training import kernels, schedules
from gigacluster.training.calibration import Calibration
from gigacluster.training.costs import LayerCost, Rates, dense_layer, head_fwd_s, tokens
from gigacluster.training.dims import DTYPE_BYTES, Dims, dims_of
from gigacluster.training.job import TrainingJob
from gigacluster.training.layout import Candidates
from gigacluster.training.memory import Memory, hsdp_group, local_params, memory, recompute_layers
from gigacluster.training.moe import expert_grad_bandwidth_gbps, moe_layer
from gigacluster.training.recompute_cost import module_forward_s

F = np.ndarray
PARTS = ("compute", "recompute", "host", "tp_comm", "cp_comm", "ep_comm", "pp_comm", "dp_comm",
         "bubble", "optimizer", "overhead")


@dataclass(frozen=True)
class Evaluation:
    """Arrays over candidates: step-time parts (s), memory per GPU (GB), micro-batches, layers per
    stage re-run in full by recompute."""

    parts: dict[str, F]
    memory: Memory
    micro_batches: F
    recompute_layers: F

    @property
    def step_time_s(self) -> F:
        return np.sum([self.parts[k] for k in PARTS], axis=0)


def fabric_of(job: TrainingJob, cal: Calibration) -> TieredFabric:
    s = job.system
    return default_fabric(s.scaleup_domain, s.scaleup_gbytes_per_s, s.scaleout_gbits_per_s, cal.comm,
                          s.pod_gpus, s.oversubscription)


def _mix(d: Dims, dense: LayerCost, moe: LayerCost | None, field: str) -> F:
    value: F = getattr(dense, field)
    if moe is None:
        return value
    return (1 - d.moe_fraction) * value + d.moe_fraction * getattr(moe, field)


def _per_layer(job: TrainingJob, d: Dims, dense: LayerCost, moe: LayerCost | None, c: Candidates,
               cal: Calibration, rc_share: F, modules_s: F) -> dict[str, F]:
    """Per-layer, per-micro-batch seconds of every stage-time part (fwd+bwd+recompute);
    ``rc_share``: share of the stage's layers re-run in full (full/partial recompute);
    ``modules_s``: forward seconds a selective / module policy re-runs (training.recompute_cost)."""
    ratio, ov = cal.attention.backward_ratio, cal.overlap
    fwd = _mix(d, dense, moe, "gemm") + _mix(d, dense, moe, "elem") + _mix(d, dense, moe, "attn")
    bwd = 2.0 * (fwd - _mix(d, dense, moe, "attn")) + ratio * _mix(d, dense, moe, "attn")
    rc = rc_share * fwd + modules_s
    passes = 2.0 + rc_share
    out = {
        "fwd": fwd, "bwd": bwd, "recompute": rc, "wgrad": _mix(d, dense, moe, "gemm"),
        "tp_comm": passes * _mix(d, dense, moe, "tp_comm") * (1 - ov.tp),
        "cp_comm": (passes + 1.0) * _mix(d, dense, moe, "cp_comm") * (1 - ov.cp),
        "ep_comm": passes * _mix(d, dense, moe, "ep_comm") * (1 - ov.ep) * (1 - schedules.ep_hidden(c.sched)),
    }
    comm = (out["tp_comm"] + out["cp_comm"] + out["ep_comm"]) / passes  # exposed comm of one pass
    gpu = {"fwd": fwd + comm, "bwd": bwd + comm, "recompute": rc + rc_share * comm}
    out["host"] = kernels.host_excess_s(job, d, c, cal.kernels, gpu, rc_share)
    return out


def _stage(job: TrainingJob, d: Dims, layer: dict[str, F], head: F, c: Candidates) -> dict[str, F]:
    """Per-micro-batch seconds on the most loaded stage: layers are balanced around the LM head
    as far as whole layers allow (Megatron's pipeline split accounting for embedding and loss)."""
    per_layer = sum(v for k, v in layer.items() if k != "wgrad")
    whole = d.layers * per_layer + 3.0 * head
    load = np.maximum(np.ceil(d.layers / c.pp) * per_layer, whole / c.pp) / whole
    stage = {k: load * d.layers * v for k, v in layer.items()}
    stage["fwd"] = stage["fwd"] + load * head
    stage["bwd"] = stage["bwd"] + load * 2.0 * head
    return stage


def _dp_comm(job: TrainingJob, d: Dims, c: Candidates, fab: TieredFabric, cal: Calibration,
             stage: dict[str, F], m: F) -> F:
    """Exposed data-parallel traffic per step: gradient reduce (+ parameter gather) hidden behind
    one micro-batch's compute, or FSDP gathers/scatters per micro-batch hidden behind its passes."""
    dense, expert = local_params(d, c)
    grad = DTYPE_BYTES * dense, DTYPE_BYTES * expert
    grp = (c.dp * c.cp).astype(np.float64)
    g = np.where(c.shard == 4, hsdp_group(job, c), grp).astype(np.float64)
    per_domain = job.system.scaleup_domain / (c.tp * c.cp)  # DP ranks of one group per scale-up domain
    flat = c.shard == 5  # DeepSpeed ZeRO-3: one flat data-parallel communicator, no multi-rail gain
    k = np.where(flat, 1.0, np.minimum(grp, per_domain))
    bw = fab.bandwidth_gbps(c.tp * c.cp * c.dp, k)
    bw_g = fab.bandwidth_gbps(c.tp * c.cp * g, np.where(flat, 1.0, np.minimum(g, per_domain)))
    p, ov = cal.comm, cal.overlap
    bw_e = expert_grad_bandwidth_gbps(job, c, fab)  # expert replicas sit tp·cp·ep GPUs apart
    k_e = np.where(flat, 1.0, np.maximum(np.minimum(grp, per_domain) / c.ep, 1.0))
    ar = all_reduce_s(grad[0], grp, bw, p, k) + all_reduce_s(grad[1], np.maximum(grp / c.ep, 1), bw_e, p, k_e)
    window = stage["fwd"] + stage["bwd"] + stage["recompute"]
    replicated = np.maximum(ar * (1 - ov.dp), ar - window)
    k_g = np.minimum(g, per_domain)
    ag = all_gather_s(grad[0], g, bw_g, p, k_g) + all_gather_s(grad[1], np.maximum(g / c.ep, 1), bw_g, p, k_g)
    ag = ag + kernels.per_layer_collectives_s(d, c, latency_s(g, p, 1.0, k_g))  # FSDP: one gather per layer
    o = np.where(flat, ov.zero3, ov.fsdp)
    fsdp = m * (np.maximum(0.0, ag - o * stage["fwd"])
                + np.maximum(0.0, 2.0 * ag - o * (stage["bwd"] + stage["recompute"])))
    cross = all_reduce_s(grad[0] / g, grp / g, bw, p, 1.0)
    hsdp = fsdp + np.maximum(cross * (1 - ov.dp), cross - window)
    return np.where(c.shard <= 2, replicated, np.where(c.shard == 4, hsdp, fsdp))


def _optimizer(d: Dims, c: Candidates, job: TrainingJob, r: Rates, cal: Calibration) -> F:
    dense, expert = local_params(d, c)
    grp = np.where(c.shard == 4, hsdp_group(job, c), c.dp * c.cp).astype(np.float64)
    shard = np.where(c.shard >= 1, grp, 1.0)
    params = dense / shard + expert / np.maximum(shard / c.ep, 1.0)
    return params * cal.optimizer.bytes_per_param / r.hbm_bytes


def step_parts(job: TrainingJob, c: Candidates, cal: Calibration, d: Dims) -> tuple[dict[str, F], F, F]:
    """Step-time parts (s) of every candidate, its micro-batch count m and the layers per stage
    recompute re-runs (memory not computed)."""
    r, fab = Rates.of(job, cal), fabric_of(job, cal)
    dense = dense_layer(job, d, c, r, fab, cal)
    moe = moe_layer(job, d, c, r, fab, cal) if d.moe_layers else None
    m = np.ceil(job.global_batch_seqs / (c.dp * c.mb))
    recomputed = recompute_layers(job, d, c, cal, m)
    rc_share = recomputed / np.ceil(d.layers / c.pp)
    modules_s = module_forward_s(job, d, c, r, fab, cal)
    stage = _stage(job, d, _per_layer(job, d, dense, moe, c, cal, rc_share, modules_s), head_fwd_s(job, d, c, r), c)
    wgrad = stage.pop("wgrad")
    t_mb = sum(stage.values())
    # F, B, W of the schedule formulas: exposed comm spread over the passes in proportion to compute
    scale = t_mb / (stage["fwd"] + stage["bwd"] + stage["recompute"])
    f, w = stage["fwd"] * scale, wgrad * scale
    p2p_bytes = tokens(job, c) * d.hidden * DTYPE_BYTES / c.tp
    pp_raw = 2.0 * c.vpp * p2p_s(p2p_bytes, fab.bandwidth_gbps(2 * c.tp * c.cp * c.dp), cal.comm)
    parts = {
        "compute": m * (stage["fwd"] + stage["bwd"]),
        "recompute": m * stage["recompute"], "host": m * stage["host"],
        "tp_comm": m * stage["tp_comm"], "cp_comm": m * stage["cp_comm"], "ep_comm": m * stage["ep_comm"],
        "pp_comm": np.where(c.pp > 1, m * pp_raw * (1 - cal.overlap.pp), 0.0),
        "dp_comm": _dp_comm(job, d, c, fab, cal, stage, m),
        "bubble": schedules.bubble_s(c.sched, c.pp, c.vpp, f, t_mb - f - w, w),
        "optimizer": _optimizer(d, c, job, r, cal),
        "overhead": np.full(c.tp.shape, cal.step_overhead_s),
    }
    return parts, m, recomputed


def step_time_s(job: TrainingJob, c: Candidates, cal: Calibration, d: Dims) -> F:
    parts, _, _ = step_parts(job, c, cal, d)
    return np.sum([parts[k] for k in PARTS], axis=0)


def evaluate(job: TrainingJob, c: Candidates, cal: Calibration, d: Dims | None = None) -> Evaluation:
    """Step-time parts and memory of every candidate (validity is checked by the caller)."""
    d = d or dims_of(job.model)
    parts, m, recomputed = step_parts(job, c, cal, d)
    return Evaluation(parts, memory(job, d, c, cal, m, recomputed), m, recomputed)
