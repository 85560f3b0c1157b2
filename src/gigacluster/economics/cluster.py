"""A cluster with its economics: design (any of the four sizings) + capex + opex + TCO."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from gigacluster.economics.capex import Capex, capex
from gigacluster.economics.opex import Opex, opex
from gigacluster.economics.spec import CostSpec
from gigacluster.economics.tco import TCO, tco
from gigacluster.hardware.cluster import resolve_build
from gigacluster.hardware.design import ClusterDesign, design_cluster, largest_fitting
from gigacluster.hardware.spec import DesignSpec


class Cluster(BaseModel):
    """The design and what it costs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    design: ClusterDesign
    costs: CostSpec
    capex: Capex
    opex: Opex
    tco: TCO


def price(design: ClusterDesign, costs: CostSpec) -> Cluster:
    cx, ox = capex(design, costs), opex(design, costs)
    return Cluster(design=design, costs=costs, capex=cx, opex=ox, tco=tco(cx, ox, design.counts.accelerators, costs))


def build_cluster(spec: DesignSpec, costs: CostSpec | None = None) -> Cluster:
    """Design and price; a capex budget buys the most whole units whose total capex fits it."""
    costs = costs or CostSpec()
    if spec.budget_usd is None:
        return price(design_cluster(spec), costs)
    design = largest_fitting(spec, resolve_build(spec), lambda d: capex(d, costs).total_usd, spec.budget_usd,
                             lambda x: f"${x:,.0f}")
    return price(design, costs)


def summary(c: Cluster) -> dict[str, Any]:
    """The JSON shape of ``gigacluster design``: counts, power, fabric, capex, opex, TCO, assumptions."""
    d, p, f = c.design, c.design.power, c.design.fabric
    return {
        "accelerator": d.build.accelerator, "form_factor": d.build.form_factor, "network": f.network,
        "accelerators": d.counts.accelerators, "nodes": d.counts.nodes, "racks": d.counts.racks,
        "scaleup_domains": d.counts.scaleup_domains, "pods": d.counts.pods,
        "it_power_mw": p.it_mw, "facility_power_mw": p.facility_mw, "pue": d.spec.pue, "kw_per_rack": p.kw_per_rack,
        "power_mw": {**p.it_parts_mw(), "it_total": p.it_mw, "cooling": p.cooling_mw, "reserve": p.reserve_mw,
                     "total": p.facility_mw},
        "fabric": {"tiers": f.tier_count, "switches": f.switches, "oversubscription": f.oversubscription,
                   "switch": f.switch, "radix": f.radix, "link_gbps": f.link_gbps, "rails": f.rails,
                   "pod_gpus": f.pod_gpus, "links": f.links, "transceivers": f.transceivers,
                   "bisection_tbps": f.bisection_tbps, "per_tier": [t.model_dump() for t in f.tiers]},
        "system": d.system_fields(),
        "capex_usd": {**c.capex.lines(), "total": c.capex.total_usd},
        "opex_usd_per_year": {"electricity": c.opex.electricity_usd, "maintenance": c.opex.maintenance_usd,
                              "total": c.opex.total_usd},
        "tco_usd_per_year": {"it_depreciation": c.tco.it_depreciation_usd,
                             "facility_depreciation": c.tco.facility_depreciation_usd,
                             "electricity": c.tco.electricity_usd, "maintenance": c.tco.maintenance_usd,
                             "total": c.tco.total_usd_per_year},
        "usd_per_gpu_hour": c.tco.usd_per_gpu_hour,
        "breakeven_usd_per_gpu_hour": c.tco.breakeven_usd_per_gpu_hour,
        "cost_of_capital": c.costs.cost_of_capital, "sold_utilisation": c.costs.sold_utilisation,
        "power_reserve_mw": p.reserve_mw, "energy_mwh_per_year": c.opex.energy_mwh,
        "co2_t_per_year": c.opex.co2_t, "capex_usd_per_gw": c.capex.total_usd / (p.facility_mw / 1e3),
        "assumptions": list(d.assumptions),
    }
