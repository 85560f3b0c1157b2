"""The measured device and its reference peaks (what efficiencies are fractions of).

A GPU's reference is its catalog entry (peak TFLOP/s per precision, HBM TB/s, scale-up GB/s), so a
measured efficiency means what the shipped calibration means. A CPU has no catalog entry: its
reference is a stated nominal peak (cores × clock × FLOP per cycle from the vector ISA), recorded
as such in the provenance.
"""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from gigacluster.catalog import get_accelerator
from gigacluster.catalog.loaders import load_accelerators
from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator


class DeviceInfo(BaseModel):
    """Who was measured: name, backend, versions, date, and the reference peaks used."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    backend: str
    device: str
    family: str  # serving calibration key (catalog `family` column)
    generation: str = "other"  # training calibration key (catalog `generation` column)
    accelerator: str | None = None
    peak_tflops: dict[str, float]
    peak_source: str
    mem_tbps: float | None = None
    scaleup_gbps_per_dir: float | None = None
    count: int = 1
    versions: dict[str, str] = {}
    date: str = ""

    def peak_flops(self, precision: str) -> float:
        if precision not in self.peak_tflops:
            raise GigaclusterError("precision", f"no reference peak for '{precision}' on {self.name}; "
                                   f"allowed: {', '.join(sorted(self.peak_tflops))}")
        return self.peak_tflops[precision] * 1e12


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def base_versions() -> dict[str, str]:
    import numpy as np

    return {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform()}


def catalog_reference(accelerator: str, precisions: tuple[str, ...]) -> dict[str, object]:
    """DeviceInfo fields taken from a catalog accelerator (family, peaks, HBM, scale-up)."""
    acc = get_accelerator(accelerator)
    return {"family": acc.family, "generation": acc.generation, "accelerator": acc.id,
            "peak_source": f"catalog {acc.id} ({acc.source})",
            "peak_tflops": {p: acc.peak_tflops(p) for p in precisions}, "mem_tbps": acc.hbm_tbps or None,
            "scaleup_gbps_per_dir": acc.scaleup_gbps_per_dir}


def _model_tokens(acc: Accelerator) -> set[str]:
    return {w.lower() for w in re.split(r"[\s,/()]+", acc.name) if re.search(r"\d", w) and not w.endswith("GB")}


def match_catalog(device_name: str) -> str | None:
    """The catalog accelerator a driver-reported name denotes (``NVIDIA H100 80GB HBM3`` → h100-sxm),
    by its model word and, among several, the memory size; None when nothing matches."""
    words = {w.lower() for w in re.split(r"[\s,/()-]+", device_name)}
    hits = [a for a in load_accelerators().values() if _model_tokens(a) & words]
    sized = [a for a in hits if any(w.endswith("gb") and w in a.name.lower() for w in words)]
    best = sized or hits
    return best[0].id if best else None


def _cpu_ghz() -> float:
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    mhz = [float(m) for m in re.findall(r"cpu MHz\s*:\s*([0-9.]+)", text)]
    return max(mhz) / 1e3 if mhz else 2.0


def _flops_per_cycle() -> tuple[int, str]:
    """fp32 FLOP per cycle per core: 2 FMA units × lanes × 2 (Intel/AMD optimisation manuals)."""
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    flags = set(re.findall(r"\b(avx512f|avx2|fma)\b", text))
    if "avx512f" in flags:
        return 64, "AVX-512"
    if {"avx2", "fma"} <= flags:
        return 32, "AVX2+FMA"
    return 8, "SSE"


def cpu_reference(peak_tflops: float | None, mem_tbps: float | None) -> dict[str, object]:
    """DeviceInfo fields for a CPU: nominal fp32 peak (or the given one) and the given memory rate."""
    cores, ghz = os.cpu_count() or 1, _cpu_ghz()
    fpc, isa = _flops_per_cycle()
    source = f"nominal estimate: {cores} cores × {ghz:.2f} GHz × {fpc} fp32 FLOP/cycle ({isa})"
    if peak_tflops is not None:
        source = "given (--peak-tflops)"
    peak = peak_tflops if peak_tflops is not None else cores * ghz * fpc / 1e3
    return {"family": "other", "generation": "other", "accelerator": None, "peak_source": source,
            "peak_tflops": {"fp32": peak}, "mem_tbps": mem_tbps, "scaleup_gbps_per_dir": None}
