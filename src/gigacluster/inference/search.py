"""Choose a serving layout: evaluate the candidates' offline throughput and rank them."""

from __future__ import annotations

from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.inference.calibration import ServingCalibration, load_calibration
from gigacluster.inference.layout import ServingLayout, candidate_layouts
from gigacluster.inference.throughput import OfflineThroughput, offline_throughput
from gigacluster.llm.spec import ModelSpec


def default_kv_precision(weight_precision: str) -> str:
    """Engines serving 8- or 4-bit weights keep an FP8 KV cache; 16-bit weights a 16-bit one."""
    return "fp8" if weight_precision in ("fp8", "fp4", "int8", "int4") else weight_precision


def rank_layouts(spec: ModelSpec, accel: Accelerator, layouts: list[ServingLayout], input_len: float,
                 output_len: float, cal: ServingCalibration | None = None) -> list[OfflineThroughput]:
    """Layouts that fit, best offline throughput per GPU first. Pipeline parallelism is kept only
    when no layout without it fits (serving engines use PP only to hold the weights)."""
    cal = cal or load_calibration()
    ok: list[OfflineThroughput] = []
    first_error: GigaclusterError | None = None
    for layout in layouts:
        try:
            ok.append(offline_throughput(spec, accel, layout, input_len, output_len, cal))
        except GigaclusterError as exc:
            first_error = first_error or exc
    if not ok:
        raise first_error or GigaclusterError("layout", "no candidate layout")
    if any(r.layout.pp == 1 for r in ok):
        ok = [r for r in ok if r.layout.pp == 1]
    return sorted(ok, key=lambda r: -r.output_tokens_per_s_per_gpu)


def best_layout(spec: ModelSpec, accel: Accelerator, num_gpus: int | None, weight_precision: str,
                kv_precision: str, input_len: float, output_len: float, tp: int | None = None,
                cal: ServingCalibration | None = None) -> OfflineThroughput:
    """The best layout on ``num_gpus`` GPUs (or any engine size when None); ``tp`` fixes TP."""
    layouts = candidate_layouts(spec, accel, num_gpus, weight_precision, kv_precision)
    if tp is not None:
        layouts = [lay for lay in layouts if lay.tp == tp] or [
            ServingLayout(tp=tp, dp=max((num_gpus or tp) // tp, 1), weight_precision=weight_precision,
                          kv_precision=kv_precision)]
    return rank_layouts(spec, accel, layouts, input_len, output_len, cal)[0]
