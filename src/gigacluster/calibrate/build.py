"""Turn fits into an overlay: each fitted number under the shipped key it replaces, with provenance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gigacluster.calibrate.device import DeviceInfo
from gigacluster.calibrate.fit import FitQuality, FitResult
from gigacluster.calibrate.overlay import CalibratedValue, CalibrationOverlay, Provenance
from gigacluster.calibrate.records import Measurements
from gigacluster.inference.calibration import shipped_raw as serving_raw
from gigacluster.training.calibration import shipped_raw as training_raw

Entry = tuple[float, str, list[str], FitQuality | None]


def _get(tree: Mapping[str, Any], path: str) -> float | None:
    node: Any = tree
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, int | float) else None


def _unknown(entries: dict[str, Entry], shipped: Mapping[str, Any], where: str) -> list[str]:
    return [f"{where}.{k}: the shipped file has no such key (a family it does not calibrate); not written"
            for k in entries if _get(shipped, k) is None]


def _values(entries: dict[str, Entry], shipped: Mapping[str, Any]) -> dict[str, CalibratedValue]:
    return {k: CalibratedValue(value=round(v, 6) if abs(v) >= 1e-3 else float(f"{v:.4g}"), shipped=_get(shipped, k),
                               method=how, measurements=ids, fit=q)
            for k, (v, how, ids, q) in entries.items() if _get(shipped, k) is not None}


def training_entries(fit: FitResult, generation: str) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    if fit.main_precision:
        g = fit.gemm[fit.main_precision]
        how = f"t = F/(P·e) + o, {g.precision} GEMMs, relative least squares"
        out[f"gemm.efficiency_max.{generation}"] = (g.efficiency, how, g.measurements, g.training)
        out["gemm.overhead_s"] = (g.overhead_s, how, g.measurements, g.training)
    if fit.low_precision_factor is not None:
        out["gemm.low_precision.fp8.factor"] = (fit.low_precision_factor, "fp8 efficiency / 16-bit efficiency", [],
                                                None)
    if fit.attention is not None:
        a = fit.attention
        out[f"attention.relative_efficiency.{generation}"] = (a.relative_efficiency, "SDPA forward rate / (P·e_gemm)",
                                                          a.measurements, a.quality)
        out["attention.backward_ratio"] = (a.backward_ratio, "median bwd/fwd time", a.measurements, None)
    if fit.bandwidth is not None:
        b = fit.bandwidth
        out["memory_bound.hbm_efficiency"] = (b.efficiency, "bytes / (B·η), copy + elementwise", b.measurements,
                                              b.quality)
    if fit.dispatch_s is not None:
        out["kernels.host_op_s"] = (fit.dispatch_s, "host seconds per eager op (autograd-recorded chain, median)",
                                    ["dispatch/autograd-op"], None)
    if fit.comm is not None:
        c, how = fit.comm, "t = 2·log2(n)·α + β/(B·s·m/(m + m½)), all collectives of one tier"
        out["comm.latency_us"] = (c.latency_us, how, c.measurements, c.quality)
        out["comm.scaleup_efficiency"] = (c.scaleup_efficiency, how, c.measurements, c.quality)
        out["comm.half_efficiency_mb"] = (c.half_efficiency_mb, how, c.measurements, c.quality)
    return out


def inference_entries(fit: FitResult, family: str) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    if fit.main_precision:
        g = fit.gemm[fit.main_precision]
        how = f"t = F·(M + h)/(P·e·M), {g.precision} GEMMs, relative least squares"
        out[f"families.{family}.gemm_eff"] = (g.serving_efficiency, how, g.measurements, g.serving)
        out["global.gemm_half_tokens"] = (g.half_tokens, how, g.measurements, g.serving)
    if fit.attention is not None:
        a = fit.attention
        out[f"families.{family}.attn_eff"] = (a.serving_efficiency, "SDPA forward rate / P", a.measurements, a.quality)
    if fit.bandwidth is not None:
        b = fit.bandwidth
        out[f"families.{family}.hbm_eff"] = (b.efficiency, "bytes / (B·η)", b.measurements, b.quality)
    return out


def build_overlay(dev: DeviceInfo, grid: str, meas: Measurements, fit: FitResult,
                  command: str = "") -> CalibrationOverlay:
    train, serve = training_entries(fit, dev.generation), inference_entries(fit, dev.family)
    dropped = _unknown(train, training_raw(), "training") + _unknown(serve, serving_raw(), "inference")
    return CalibrationOverlay(
        provenance=Provenance(device=dev, grid=grid, command=command, not_fitted=fit.not_fitted + dropped),
        training=_values(train, training_raw()),
        inference=_values(serve, serving_raw()),
        measurements=meas,
    )
