"""Small-kernel regime: the host dispatch floor of a layer, vectorised over candidate layouts.

An eager PyTorch framework (Megatron-LM, DeepSpeed, FSDP) dispatches every op of a layer from
the host: Python, the autograd and ATen dispatchers and ``cudaLaunchKernel`` cost about 5-25 µs
of CPU time per op whatever the op's size. The GPU runs asynchronously behind the host, so one
pass over a layer takes max(GPU time, host dispatch time): with large kernels the host hides
behind the GPU; with short ones (small hidden, high TP, small micro-batch) the GPU waits for the
host. Only the excess over the GPU time is added (``host`` part of the step):

    excess = Σ_passes max(0, H_pass − G_pass)
    H_fwd = host_op_s · (ops_per_layer + moe_fraction·moe_ops + collectives·ops_per_collective)
    H_bwd = backward_ops_ratio · H_fwd;  H_recompute = H_fwd (full), the ops of the modules a
    selective / module policy re-runs (``module_ops``)

Compiled stacks (XLA on TPU, Neuron on Trainium: the whole step is one program) have no per-op
host dispatch: their families are listed in ``kernels.compiled_families``.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator

from gigacluster.training.dims import MODULES, Dims
from gigacluster.training.job import TrainingJob
from gigacluster.training.layout import Candidates
from gigacluster.training.recompute import ALL_CODES, layer_share, per_code, reruns

F = np.ndarray


class KernelCal(BaseModel):
    """Per-kernel fixed costs (calibration.yaml ``kernels``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host_op_s: float  # host CPU time to dispatch one op (fitted; prior from published dispatch costs)
    ops_per_layer: float  # ops of one dense transformer layer's forward pass (fixed, counted)
    moe_ops: float  # extra ops of an MoE layer's forward: router, top-k, permute, unpermute (fixed)
    ops_per_collective: float  # host ops per collective call: the call plus its stream/event sync (fixed)
    module_ops: dict[str, float]  # forward ops each recompute module re-dispatches (fixed, counted)
    backward_ops_ratio: float  # host ops of a backward pass per forward op (fixed)
    compiled_families: tuple[str, ...]  # catalog families whose stack compiles the step (no host floor)

    @field_validator("module_ops")
    @classmethod
    def _known_modules(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(MODULES))
        if unknown:
            raise ValueError(f"unknown recompute module(s) {unknown}; allowed: {', '.join(MODULES)}")
        return value


def collectives_per_pass(d: Dims, c: Candidates, sequence_parallel: bool = True) -> F:
    """Collective calls per layer and pass: TP with sequence parallelism 2 all-gathers + 2
    reduce-scatters (Korthikanti et al. 2022), without it 2 all-reduces; EP dispatch + combine,
    CP one ring exchange."""
    tp = np.where(c.tp > 1, 4.0 if sequence_parallel else 2.0, 0.0)
    ep = np.where(c.ep > 1, 2.0 * d.moe_fraction, 0.0)
    return tp + ep + np.where(c.cp > 1, 1.0, 0.0)


def host_fwd_s(d: Dims, c: Candidates, k: KernelCal, sequence_parallel: bool = True) -> F:
    """Host dispatch time of one layer's forward pass (mean over dense and MoE layers)."""
    calls = collectives_per_pass(d, c, sequence_parallel)
    ops = k.ops_per_layer + d.moe_fraction * k.moe_ops + calls * k.ops_per_collective
    return ops * k.host_op_s


def module_ops(d: Dims, c: Candidates, k: KernelCal) -> F:
    """Forward ops per layer a selective or module recompute policy re-dispatches (mean over dense
    and MoE layers, training.recompute.layer_share); evaluated once per policy code."""
    table = np.zeros(ALL_CODES.shape)
    for module, ops in k.module_ops.items():
        table = table + np.where(reruns(ALL_CODES, module), layer_share(d, module) * ops, 0.0)
    return per_code(table, c.rc)


def host_excess_s(job: TrainingJob, d: Dims, c: Candidates, k: KernelCal,
                  gpu: dict[str, F], rc_share: F) -> F:
    """Seconds per layer and micro-batch the GPU waits on the host. ``gpu`` holds the GPU time of
    one layer's ``fwd``, ``bwd`` and ``recompute`` passes, each with its exposed communication;
    ``rc_share``: share of the layers re-run in full (full / partial recompute)."""
    if job.accelerator.family in k.compiled_families:
        return np.zeros_like(gpu["fwd"])
    h = host_fwd_s(d, c, k, job.sequence_parallel)
    h_rc = rc_share * h + module_ops(d, c, k) * k.host_op_s
    return (np.maximum(0.0, h - gpu["fwd"]) + np.maximum(0.0, k.backward_ops_ratio * h - gpu["bwd"])
            + np.maximum(0.0, h_rc - gpu["recompute"]))


def per_layer_collectives_s(d: Dims, c: Candidates, alpha_s: F) -> F:
    """Fixed cost of the collectives a per-layer-wrapped FSDP / ZeRO-3 issues beyond one: a
    gather (or scatter) per layer of the stage rather than one for the whole stage (PyTorch FSDP
    wraps each transformer block; the bandwidth term already covers the bytes)."""
    return (np.ceil(d.layers / c.pp) - 1.0) * alpha_s
