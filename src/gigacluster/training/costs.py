"""Per-micro-batch costs of one layer on one GPU, vectorised over candidate layouts.

For a micro-batch of ``mb`` sequences, a GPU of a TP×CP group handles T = mb·s/cp tokens; its
share of every matmul is 1/tp. Compute per op is FLOPs / (peak × efficiency) plus a fixed launch
cost; memory-bound ops move bytes at the achieved HBM bandwidth. Backward = 2× forward for
matmuls and elementwise ops, ``backward_ratio``× for the flash-attention core.
Tensor-parallel traffic follows Megatron sequence parallelism (Korthikanti et al. 2022, §4.2.2):
per layer and pass, two all-gathers and two reduce-scatters of the T·h activation (without it,
two all-reduces of the same bytes, and every TP rank repeats the norms and dropouts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gigacluster.comm import TieredFabric, all_gather_s, p2p_s
from gigacluster.training import precision
from gigacluster.training.attention import head_dim, shape_factor
from gigacluster.training.calibration import Calibration
from gigacluster.training.dims import DTYPE_BYTES, Dims
from gigacluster.training.job import TrainingJob
from gigacluster.training.layout import Candidates
from gigacluster.training.stack import REPLICATED_SHARE

F = np.ndarray
GEMMS_PER_LAYER = 4.0  # QKV, output projection, FFN up(+gate), FFN down


@dataclass(frozen=True)
class Rates:
    """Achieved rates of one job on its accelerator (FLOP/s, bytes/s)."""

    gemm_flops: float
    attn_flops: float
    hbm_bytes: float

    @staticmethod
    def of(job: TrainingJob, cal: Calibration) -> Rates:
        acc = job.accelerator
        eff = cal.gemm_efficiency(acc.generation)
        bf16 = acc.peak_tflops("bf16") * 1e12 * eff
        shape = shape_factor(job.seq_len, head_dim(job.model), cal.attention)
        attn = bf16 * cal.attention_efficiency(acc.generation) * shape
        return Rates(gemm_rate(job, cal, bf16), attn, acc.hbm_tbps * 1e12 * cal.memory_bound.hbm_efficiency)


def gemm_rate(job: TrainingJob, cal: Calibration, bf16_rate: float) -> float:
    """Achieved GEMM FLOP/s: a low-precision format runs ``coverage`` of the FLOPs at its own peak
    × ``factor`` and the rest at bf16 (harmonic mix: time adds, not rate)."""
    low = cal.gemm.low_precision.get(job.precision)
    if low is None:
        return bf16_rate
    acc = job.accelerator
    low_rate = bf16_rate * acc.peak_tflops(job.precision) / acc.peak_tflops("bf16") * low.factor
    return 1.0 / (low.coverage / low_rate + (1.0 - low.coverage) / bf16_rate)


@dataclass(frozen=True)
class LayerCost:
    """Forward seconds per layer per micro-batch: compute parts and raw (unhidden) comm."""

    gemm: F
    attn: F
    elem: F
    tp_comm: F
    cp_comm: F
    ep_comm: F

    def compute(self, attn_ratio: float, backward: bool) -> F:
        k = 2.0 if backward else 1.0
        return k * (self.gemm + self.elem) + (attn_ratio if backward else 1.0) * self.attn


def tokens(job: TrainingJob, c: Candidates) -> F:
    """Tokens per micro-batch on one GPU's CP slice: T = mb·s/cp."""
    return c.mb * job.seq_len / c.cp


def _common(d: Dims, t: F, c: Candidates, job: TrainingJob, r: Rates, cal: Calibration) -> tuple[F, F]:
    """Attention core and norm/residual elementwise seconds (same in dense and MoE layers)."""
    attn_flops = 2.0 * t * (job.seq_len / 2.0) * (d.qk + d.v) / c.tp  # causal: mean context s/2
    elem_bytes = t * d.hidden * DTYPE_BYTES * cal.memory_bound.bytes_per_hidden * elementwise_split(job, c)
    return attn_flops / r.attn_flops, elem_bytes / r.hbm_bytes + cal.memory_bound.layer_overhead_s


def elementwise_split(job: TrainingJob, c: Candidates) -> F:
    """Share of a layer's fitted elementwise traffic one TP rank moves: 1/t with sequence
    parallelism; without it the norms, dropouts and residual adds run whole on every rank, which is
    REPLICATED_SHARE of that traffic by Korthikanti's byte count (10 of 34 bytes per token and
    hidden unit), and the rest is split (training.stack)."""
    if job.sequence_parallel:
        return 1.0 / c.tp
    return REPLICATED_SHARE + (1.0 - REPLICATED_SHARE) / c.tp


def _tp_comm(d: Dims, t: F, c: Candidates, fab: TieredFabric, cal: Calibration,
             gather_bytes: float = DTYPE_BYTES) -> F:
    """Two all-gathers (of the quantised GEMM input under low precision, training.precision) and
    two bf16 reduce-scatters of the T·h activation per layer and pass. A TP group wider than the
    scale-up domain spreads its rings over the NICs of its members in each domain (multi-rail)."""
    bw = fab.bandwidth_gbps(c.tp, np.minimum(c.tp, fab.tiers[0].span_gpus))
    return 2.0 * (all_gather_s(t * d.hidden * gather_bytes, c.tp, bw, cal.comm)
                  + all_gather_s(t * d.hidden * DTYPE_BYTES, c.tp, bw, cal.comm))


def _cp_comm(d: Dims, t: F, c: Candidates, fab: TieredFabric, cal: Calibration) -> F:
    """Ring attention: K and V blocks pass cp−1 times around the CP ring."""
    kv_bytes = t * 2.0 * d.kv * DTYPE_BYTES / c.tp
    return (c.cp - 1) * p2p_s(kv_bytes, fab.bandwidth_gbps(c.tp * c.cp), cal.comm)


def dense_layer(job: TrainingJob, d: Dims, c: Candidates, r: Rates, fab: TieredFabric,
                cal: Calibration) -> LayerCost:
    t = tokens(job, c)
    attn, elem = _common(d, t, c, job, r, cal)
    gemm_flops = 2.0 * t * (d.attn_params + d.mlp_params) / c.tp
    mlp_elem = t * (3.0 if d.gated else 2.0) * d.ffn * DTYPE_BYTES / c.tp
    quant = precision.quantise_s(job, cal, t * d.dense_gemm_input_bytes / DTYPE_BYTES / c.tp, r.hbm_bytes)
    return LayerCost(
        gemm=gemm_flops / r.gemm_flops + GEMMS_PER_LAYER * cal.gemm.overhead_s,
        attn=attn, elem=elem + mlp_elem / r.hbm_bytes + quant,
        tp_comm=_tp_comm(d, t, c, fab, cal, precision.dispatch_bytes(job, cal)),
        cp_comm=_cp_comm(d, t, c, fab, cal),
        ep_comm=np.zeros_like(t),
    )


def head_fwd_s(job: TrainingJob, d: Dims, c: Candidates, r: Rates) -> F:
    """LM head GEMM plus the fp32 softmax/cross-entropy over the vocabulary (last stage)."""
    t = tokens(job, c)
    gemm = 2.0 * t * d.vocab * d.hidden / c.tp / r.gemm_flops
    return gemm + 3.0 * t * d.vocab * 4.0 / c.tp / r.hbm_bytes
