"""Accelerator spec: peak rates, memory, scale-up and scale-out bandwidth, power, price."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError

Precision = Literal["fp32", "fp16", "bf16", "fp8", "mxfp8", "nvfp4"]
PRECISIONS: tuple[str, ...] = ("fp32", "fp16", "bf16", "fp8", "mxfp8", "nvfp4")


class Accelerator(BaseModel):
    """One accelerator as published (dense peak rates, no sparsity). Units in field names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    vendor: str
    year: int | None = None
    bf16_tflops: float | None = None
    fp16_tflops: float | None = None
    fp8_tflops: float | None = None
    fp4_tflops: float | None = None
    int8_tops: float | None = None
    hbm_gb: float = 0.0  # 0 = not published
    hbm_tbps: float = 0.0  # 0 = not published
    scaleup_gbps_per_dir: float | None = None
    scaleup_domain: int = 8
    scaleout_gbps: float | None = None
    tdp_w: float | None = None
    server_w_per_gpu: float | None = None
    price_usd: float | None = None
    confidence: str = ""
    source: str = ""
    notes: str = ""
    family: str = "other"  # calibration family (catalog column): volta, ampere, hopper, blackwell, tpu, amd, ...
    generation: str = "other"  # training-model generation (catalog column): e.g. tpu-v5p, mi300, trainium
    peak_reference: str = ""  # catalog id whose peaks, clock-scaled, stand in for unpublished ones
    peak_rule: str = ""  # how unpublished peaks were derived (shown in outputs); blank = published
    matrix_units: int | None = None  # parallel GEMM tile engines: SMs, CUs or MXUs (training.tiles)
    matrix_tile: int | None = None  # edge of the smallest full-rate output tile (training.tiles)

    def peak_tflops(self, precision: str) -> float:
        """Dense peak TFLOP/s of the tensor units at ``precision``.

        fp32 training runs its GEMMs in TF32/bf16 on tensor cores, so it maps to the 16-bit rate;
        mxfp8 runs at the fp8 rate; nvfp4 at the fp4 rate. A rate the part lacks falls back to the
        next wider precision it has (e.g. fp8 on A100 or TPU v4 runs at the bf16 rate).
        """
        order = {
            "nvfp4": ("fp4_tflops", "fp8_tflops", "bf16_tflops", "fp16_tflops"),
            "fp8": ("fp8_tflops", "bf16_tflops", "fp16_tflops"),
            "mxfp8": ("fp8_tflops", "bf16_tflops", "fp16_tflops"),
            "bf16": ("bf16_tflops", "fp16_tflops"),
            "fp16": ("fp16_tflops", "bf16_tflops"),
            "fp32": ("bf16_tflops", "fp16_tflops"),
        }
        if precision not in order:
            raise GigaclusterError("precision", f"unknown '{precision}'; allowed: {', '.join(PRECISIONS)}")
        for attr in order[precision]:
            value = getattr(self, attr)
            if value:
                return float(value)
        raise GigaclusterError("accelerator", f"'{self.id}' publishes no peak TFLOP/s for {precision}")

    @property
    def bf16_peak_tflops(self) -> float:
        """The denominator of MFU: dense 16-bit peak."""
        return self.peak_tflops("bf16")
