"""Typed records of microbenchmark measurements: timings with their spread, one model per kind."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

BandwidthOp = Literal["copy", "elementwise"]
CollectiveOp = Literal["all_reduce", "all_gather", "reduce_scatter", "all_to_all", "send_recv"]
AttentionPass = Literal["fwd", "bwd"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Timing(_Frozen):
    """Seconds per call over ``reps`` samples (after warm-up): median and spread."""

    median_s: float
    p10_s: float
    p90_s: float
    min_s: float
    reps: int

    def per(self, n: int) -> Timing:
        """The timing of one of ``n`` equal parts of each call."""
        return Timing(median_s=self.median_s / n, p10_s=self.p10_s / n, p90_s=self.p90_s / n,
                      min_s=self.min_s / n, reps=self.reps)

    @staticmethod
    def of(samples_s: list[float]) -> Timing:
        a = np.asarray(samples_s, dtype=np.float64)
        p10, med, p90 = np.percentile(a, [10, 50, 90])
        return Timing(median_s=float(med), p10_s=float(p10), p90_s=float(p90), min_s=float(a.min()), reps=a.size)

    @property
    def spread(self) -> float:
        """(p90 − p10) / median: the relative spread of the samples."""
        return (self.p90_s - self.p10_s) / self.median_s if self.median_s > 0 else 0.0


class GemmPoint(_Frozen):
    """C[m×n] = A[m×k]·B[k×n]; ``m`` is the token (row) dimension. ``role`` names a model layer's
    GEMM (``qkv``, ``out``, ``up``, ``down``) or ``grid`` for the generic shape grid."""

    precision: str
    m: int
    n: int
    k: int
    role: str = "grid"
    timing: Timing

    @property
    def flops(self) -> float:
        return 2.0 * self.m * self.n * self.k

    @property
    def id(self) -> str:
        return f"gemm/{self.precision}/{self.m}x{self.n}x{self.k}"


class AttentionPoint(_Frozen):
    """Causal scaled-dot-product attention over (batch, heads, seq_len, head_dim)."""

    precision: str
    batch: int
    heads: int
    seq_len: int
    head_dim: int
    phase: AttentionPass
    timing: Timing

    @property
    def forward_flops(self) -> float:
        """2 matmuls (QKᵀ, PV) of 2·s·s·d FLOPs each, halved by the causal mask (FlashAttention-2, Dao 2023)."""
        return 4.0 * self.batch * self.heads * self.seq_len * self.seq_len * self.head_dim / 2.0

    @property
    def id(self) -> str:
        return f"attention/{self.phase}/{self.precision}/b{self.batch}h{self.heads}s{self.seq_len}d{self.head_dim}"


class BandwidthPoint(_Frozen):
    """A streaming kernel moving ``bytes_moved`` (reads + writes) per call."""

    op: BandwidthOp
    bytes_moved: float
    timing: Timing

    @property
    def id(self) -> str:
        return f"bandwidth/{self.op}/{self.bytes_moved / 1e6:.0f}MB"


class LaunchPoint(_Frozen):
    """Back-to-back calls of a trivial kernel: the per-call dispatch/launch cost."""

    timing: Timing

    @property
    def id(self) -> str:
        return "launch/empty"


class DispatchPoint(_Frozen):
    """Host seconds per eager op as a training step dispatches it: a chain of ``ops`` tiny ops whose
    input requires grad (so autograd records each), timed back to back and divided by ``ops``. The
    device work is negligible, so this is the host's cost: Python, the dispatcher, autograd, launch
    (training/kernels.py ``host_op_s``; the framework's own Python and module hooks add to it)."""

    ops: int
    timing: Timing

    @property
    def id(self) -> str:
        return "dispatch/autograd-op"


class CollectivePoint(_Frozen):
    """One collective over ``ranks`` devices of one ``tier``; ``size_bytes`` per rank as in
    :mod:`gigacluster.comm` (the full buffer for all-gather / reduce-scatter / all-to-all)."""

    op: CollectiveOp
    ranks: int
    tier: str
    size_bytes: float
    timing: Timing

    @property
    def id(self) -> str:
        return f"collective/{self.op}/{self.tier}/n{self.ranks}/{self.size_bytes / 1e6:g}MB"


class Measurements(_Frozen):
    """Everything one calibration run measured."""

    gemm: list[GemmPoint] = []
    attention: list[AttentionPoint] = []
    bandwidth: list[BandwidthPoint] = []
    launch: list[LaunchPoint] = []
    dispatch: list[DispatchPoint] = []
    collectives: list[CollectivePoint] = []

    @property
    def count(self) -> int:
        return len(all_points(self))


Point = GemmPoint | AttentionPoint | BandwidthPoint | LaunchPoint | DispatchPoint | CollectivePoint


def all_points(m: Measurements) -> list[Point]:
    return [*m.gemm, *m.attention, *m.bandwidth, *m.launch, *m.dispatch, *m.collectives]
