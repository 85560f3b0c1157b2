"""Power breakdown: accelerators, CPUs and hosts, NICs, switches, optics, storage (= IT), then cooling
and facility overheads via PUE, and a reserve share of the facility capacity.

Per-GPU server power is the published system figure (DGX H100 10.2 kW / 8; NVL72 rack 120 kW / 72;
research §1.3, §3.1); it holds the GPU's TDP, its NIC and the rest of the host (CPUs, memory, fans,
PSU losses, NVLink switch trays), which is reported as ``cpus_hosts``. Switch and transceiver power come
from the fabric counts; storage from TB per GPU x W per TB. Facility = IT x PUE / (1 - reserve).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.hardware.fabric import Fabric
from gigacluster.hardware.parts import AcceleratorCosts, PortPart, Switch

IT_PARTS = ("accelerators", "cpus_hosts", "nics", "switches", "optics", "storage")


class PowerBreakdown(BaseModel):
    """MW by part. ``it_mw`` = sum of the IT parts; ``facility_mw`` = IT + cooling + reserve."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accelerators_mw: float
    cpus_hosts_mw: float
    nics_mw: float
    switches_mw: float
    optics_mw: float
    storage_mw: float
    it_mw: float
    cooling_mw: float
    reserve_mw: float
    facility_mw: float
    kw_per_rack: float
    it_kw_per_gpu: float
    facility_kw_per_gpu: float

    def it_parts_mw(self) -> dict[str, float]:
        return {p: getattr(self, f"{p}_mw") for p in IT_PARTS}


def power_breakdown(gpus: int, gpus_per_rack: int, acc: AcceleratorCosts, fabric: Fabric, sw: Switch,
                    nic: PortPart, xcvr: tuple[PortPart, PortPart], storage_w_per_gpu: float, pue: float,
                    reserve_fraction: float, ocs_w: float = 0.0) -> PowerBreakdown:
    """The power of ``gpus`` accelerators and their fabric, in MW, by part; ``xcvr`` = (short-reach
    transceiver inside a pod, long-reach one on links above it)."""
    short, long = xcvr
    inside = fabric.transceivers - fabric.transceivers_above_pod
    host_w = max(acc.server_w_per_gpu - acc.tdp_w - nic.power_w, 0.0)
    parts = {
        "accelerators": gpus * acc.tdp_w, "cpus_hosts": gpus * host_w, "nics": gpus * nic.power_w,
        "switches": fabric.switches * sw.power_w + ocs_w,  # TPU pods: optical circuit switches too
        "optics": inside * short.power_w + fabric.transceivers_above_pod * long.power_w,
        "storage": gpus * storage_w_per_gpu,
    }
    mw = {k: v / 1e6 for k, v in parts.items()}
    it = sum(mw.values())
    cooling = it * (pue - 1.0)
    facility = (it + cooling) / (1.0 - reserve_fraction)
    return PowerBreakdown(**{f"{k}_mw": v for k, v in mw.items()}, it_mw=it, cooling_mw=cooling,
                          reserve_mw=facility * reserve_fraction, facility_mw=facility,
                          kw_per_rack=gpus_per_rack * acc.server_w_per_gpu / 1e3,
                          it_kw_per_gpu=it * 1e3 / gpus, facility_kw_per_gpu=facility * 1e3 / gpus)
