"""Synthetic measurements drawn from known constants, so fits can be checked exactly."""

from __future__ import annotations

import pytest

from gigacluster.calibrate.device import DeviceInfo, catalog_reference
from gigacluster.calibrate.records import BandwidthPoint, GemmPoint, LaunchPoint, Measurements, Timing


def timing(s: float) -> Timing:
    return Timing(median_s=s, p10_s=0.98 * s, p90_s=1.03 * s, min_s=0.97 * s, reps=5)


def h100() -> DeviceInfo:
    ref = catalog_reference("h100-sxm", ("bf16", "fp8"))
    return DeviceInfo(name="NVIDIA H100 80GB HBM3", backend="synthetic", device="cuda:0", date="2026-01-01T00:00:00Z",
                      **ref)  # type: ignore[arg-type]


def synthetic(dev: DeviceInfo, eff: float, overhead_s: float, hbm_eff: float) -> Measurements:
    """GEMMs timed as t = F/(P·eff) + overhead; copies as bytes/(B·hbm_eff)."""
    peak = dev.peak_flops("bf16")
    grid = [(m, nk, nk, "grid") for m in (128, 512, 2048) for nk in (1024, 4096)]
    layer = [(1024, 10240 // 8, 8192, "qkv"), (1024, 8192, 28672 // 8, "down")]
    gemm = [GemmPoint(precision="bf16", m=m, n=n, k=k, role=role,
                      timing=timing(2.0 * m * n * k / (peak * eff) + overhead_s)) for m, n, k, role in grid + layer]
    bw = [BandwidthPoint(op="copy", bytes_moved=b, timing=timing(b / (dev.mem_tbps * 1e12 * hbm_eff)))  # type: ignore[operator]
          for b in (5e8, 2e9)]
    return Measurements(gemm=gemm, bandwidth=bw, launch=[LaunchPoint(timing=timing(5e-6))])


@pytest.fixture
def dev() -> DeviceInfo:
    return h100()
