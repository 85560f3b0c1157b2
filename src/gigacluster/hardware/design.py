"""Design a cluster from facility power, IT power or an accelerator count (a capex budget is sized in
:mod:`gigacluster.economics.cluster`, which owns prices): counts, fabric, power, each with its parts."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError
from gigacluster.hardware import parts
from gigacluster.hardware.cluster import Build, Counts, counts, resolve_build
from gigacluster.hardware.fabric import Fabric, build_fabric
from gigacluster.hardware.power import PowerBreakdown, power_breakdown
from gigacluster.hardware.spec import DesignSpec, flag


class ClusterDesign(BaseModel):
    """A designed cluster: what it was asked, the resolved build, and counts, fabric and power."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    spec: DesignSpec
    build: Build
    counts: Counts
    fabric: Fabric
    power: PowerBreakdown
    assumptions: tuple[str, ...]

    def system_fields(self) -> dict[str, Any]:
        """The fields of ``gigacluster.training.job.SystemSpec`` this design implies."""
        return {"scaleup_domain": self.build.scaleup_domain, "scaleup_gbytes_per_s": self.build.scaleup_gbytes_per_s,
                "scaleout_gbits_per_s": self.fabric.nic_gbps_per_gpu, "pod_gpus": float(self.fabric.pod_gpus),
                "oversubscription": self.fabric.oversubscription}


def design_for_count(spec: DesignSpec, build: Build, gpus: int) -> ClusterDesign:
    """The design with exactly ``gpus`` accelerators (a multiple of the build's unit)."""
    sw = parts.switch(spec.switch) if spec.switch else parts.default_switch(build.network, build.nic_gbps)
    fabric = build_fabric(gpus, build.rails, sw, build.network, build.nic_gbps, spec.pod_gpus,
                          spec.oversubscription, build.host_links_optical)
    nic, xcvr = parts.nic(build.nic_gbps), parts.transceiver(build.nic_gbps)
    storage_w = build.storage_tb_per_gpu * parts.storage()["w_per_tb"]
    power = power_breakdown(gpus, build.gpus_per_rack, build.costs, fabric, sw, nic, xcvr, storage_w, spec.pue,
                            spec.power_reserve_fraction)
    return ClusterDesign(spec=spec, build=build, counts=counts(build, gpus, fabric.pods, fabric.pod_gpus),
                         fabric=fabric, power=power, assumptions=build.costs.assumptions + _rack_note(spec, power))


def _rack_note(spec: DesignSpec, power: PowerBreakdown) -> tuple[str, ...]:
    """A note when the stated rack power and the design's (GPUs per rack x server W per GPU) differ by >15%."""
    if spec.rack_kw is None or abs(power.kw_per_rack / spec.rack_kw - 1.0) <= 0.15:
        return ()
    return (f"rack power: the design draws {power.kw_per_rack:.0f} kW per rack, the scenario states "
            f"{spec.rack_kw:g} kW",)


def largest_fitting(spec: DesignSpec, build: Build, measure: Callable[[ClusterDesign], float], limit: float,
                    show: Callable[[float], str]) -> ClusterDesign:
    """The most whole units whose ``measure`` stays ≤ ``limit`` (bisection; ``measure`` grows with size)."""
    def fits(units: int) -> bool:
        return measure(design_for_count(spec, build, units * build.unit_gpus)) <= limit

    if not fits(1):
        need = show(measure(design_for_count(spec, build, build.unit_gpus)))
        raise GigaclusterError(flag(spec.sizing), f"{show(limit)} is less than one {build.unit_name} of "
                                                   f"{build.accelerator} needs; allowed: ≥ {need}")
    lo, hi = 1, 2
    while fits(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return design_for_count(spec, build, lo * build.unit_gpus)


def _mw(x: float) -> str:
    return f"{x:.4g} MW"


def design_cluster(spec: DesignSpec) -> ClusterDesign:
    """Size by accelerator count (rounded up to whole units), facility MW or IT MW (the most units that fit)."""
    build = resolve_build(spec)
    if spec.accelerators is not None:
        units = math.ceil(spec.accelerators / build.unit_gpus)
        return design_for_count(spec, build, units * build.unit_gpus)
    if spec.facility_mw is not None:
        return largest_fitting(spec, build, lambda d: d.power.facility_mw, spec.facility_mw, _mw)
    if spec.it_mw is not None:
        return largest_fitting(spec, build, lambda d: d.power.it_mw, spec.it_mw, _mw)
    raise GigaclusterError("budget-usd", "a capex budget is sized by gigacluster.economics.build_cluster")
