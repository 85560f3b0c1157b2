"""Predicted vs measured time per microbenchmark, using the models' own per-op formulas:
the training model's GEMM / attention / memory-bound / collective costs (``training/costs.py``,
``comm/collectives.py``) and the serving model's compute rates (``inference/step_cost.py``),
each under the shipped calibration and under the overlay."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from gigacluster.calibrate.device import DeviceInfo
from gigacluster.calibrate.overlay import CalibrationOverlay
from gigacluster.calibrate.records import (
    AttentionPoint,
    BandwidthPoint,
    CollectivePoint,
    DispatchPoint,
    GemmPoint,
    Point,
    all_points,
)
from gigacluster.comm import all_gather_s, all_reduce_s, all_to_all_s, p2p_s, reduce_scatter_s
from gigacluster.errors import GigaclusterError
from gigacluster.inference.calibration import ServingCalibration
from gigacluster.inference.calibration import load_calibration as serving_shipped
from gigacluster.training.calibration import Calibration
from gigacluster.training.calibration import load_calibration as training_shipped


class Predictor(BaseModel):
    """One calibration pair on one device: per-op predicted seconds (None: the model has no such op)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    dev: DeviceInfo
    train: Calibration
    serve: ServingCalibration

    def gemm_train_s(self, p: GemmPoint) -> float:
        """costs.py: FLOPs / (peak × efficiency_max × the format's low-precision factor) + overhead per GEMM
        (a microbenchmark GEMM runs wholly in its format: coverage 1)."""
        fmt = self.train.gemm.low_precision.get(p.precision)
        low = fmt.factor if fmt is not None else 1.0
        rate = self.dev.peak_flops(p.precision) * self.train.gemm_efficiency(self.dev.generation) * low
        return p.flops / rate + self.train.gemm.overhead_s

    def gemm_serve_s(self, p: GemmPoint) -> float:
        """step_cost.py: FLOPs / (peak × gemm_eff × rows / (rows + gemm_half_tokens))."""
        eff = self.serve.family(self.dev.family).gemm_eff * p.m / (p.m + self.serve.global_.gemm_half_tokens)
        return p.flops / (self.dev.peak_flops(p.precision) * eff)

    def attention_train_s(self, p: AttentionPoint) -> float:
        fam = self.dev.generation
        rate = self.dev.peak_flops(p.precision) * self.train.gemm_efficiency(fam) * self.train.attention_efficiency(fam)
        return p.forward_flops / rate * (self.train.attention.backward_ratio if p.phase == "bwd" else 1.0)

    def attention_serve_s(self, p: AttentionPoint) -> float | None:
        eff = self.serve.family(self.dev.family).attn_eff
        return p.forward_flops / (self.dev.peak_flops(p.precision) * eff) if p.phase == "fwd" else None

    def bandwidth_s(self, p: BandwidthPoint, serving: bool) -> float | None:
        if not self.dev.mem_tbps:
            return None
        eff = self.serve.family(self.dev.family).hbm_eff if serving else self.train.memory_bound.hbm_efficiency
        return p.bytes_moved / (self.dev.mem_tbps * 1e12 * eff)

    def collective_s(self, p: CollectivePoint) -> float | None:
        if not self.dev.scaleup_gbps_per_dir:
            return None
        c = self.train.comm
        bw = self.dev.scaleup_gbps_per_dir * c.scaleup_efficiency
        fns = {"all_reduce": all_reduce_s, "all_gather": all_gather_s, "reduce_scatter": reduce_scatter_s,
               "all_to_all": all_to_all_s}
        if p.op == "send_recv":
            return float(p2p_s(p.size_bytes, bw, c))
        return float(fns[p.op](p.size_bytes, p.ranks, bw, c))


class CompareRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    held_out: bool
    measured_s: float
    spread: float
    training_shipped_s: float | None
    training_overlay_s: float | None
    serving_shipped_s: float | None
    serving_overlay_s: float | None


def _pair(p: Point, pr: Predictor, serving: bool) -> float | None:
    if isinstance(p, GemmPoint):
        return pr.gemm_serve_s(p) if serving else pr.gemm_train_s(p)
    if isinstance(p, AttentionPoint):
        return pr.attention_serve_s(p) if serving else pr.attention_train_s(p)
    if isinstance(p, BandwidthPoint):
        return pr.bandwidth_s(p, serving)
    if isinstance(p, CollectivePoint):
        return None if serving else pr.collective_s(p)
    if isinstance(p, DispatchPoint):
        return None if serving else pr.train.kernels.host_op_s  # training/kernels.py: host time per op
    return None if serving else pr.train.gemm.overhead_s  # launch: the fixed cost per GEMM


def compare(overlay: CalibrationOverlay) -> list[CompareRow]:
    """One row per measurement of the overlay, predicted under the shipped and the overlay calibration."""
    if overlay.provenance is None or overlay.measurements.count == 0:
        raise GigaclusterError("calibration", "--compare needs an overlay written by gigacluster calibrate "
                               "(with provenance and measurements)")
    dev = overlay.provenance.device
    shipped = Predictor(dev=dev, train=training_shipped(), serve=serving_shipped())
    mine = Predictor(dev=dev, train=overlay.training_calibration(), serve=overlay.serving_calibration())
    rows = []
    for p in all_points(overlay.measurements):
        rows.append(CompareRow(id=p.id, held_out=isinstance(p, GemmPoint) and p.role != "grid",
                               measured_s=p.timing.median_s, spread=p.timing.spread,
                               training_shipped_s=_pair(p, shipped, False), training_overlay_s=_pair(p, mine, False),
                               serving_shipped_s=_pair(p, shipped, True), serving_overlay_s=_pair(p, mine, True)))
    return rows


def median_ape(rows: list[CompareRow], column: str, held_out: bool | None = None) -> float | None:
    """Median |pred/measured − 1| of one prediction column (optionally only held-out rows)."""
    errs = [abs(getattr(r, column) / r.measured_s - 1.0) for r in rows
            if getattr(r, column) is not None and (held_out is None or r.held_out == held_out)]
    return float(np.median(errs)) if errs else None
