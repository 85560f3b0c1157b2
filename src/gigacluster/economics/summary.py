"""The design as one typed result: counts, power, fabric, capex, opex, TCO and the assumptions made.

This is what ``gigacluster design`` prints and what a plan's design section holds; breakdown fields
(``power_mw``, ``capex_usd`` …) carry the unit of their parts and a ``total`` part."""

from __future__ import annotations

from gigacluster.economics.cluster import Cluster
from gigacluster.hardware.fabric import Tier
from gigacluster.results import Result, quantity


class FabricSummary(Result):
    """The scale-out fabric: tiers of one switch model, rails, links, optics and bisection."""

    tiers: int = quantity("Switch tiers")
    switch: str = quantity("Switch")
    radix: int = quantity("Switch radix", "ports")
    link_gbps: float = quantity("Link speed", "Gb/s")
    rails: int = quantity("Rails per GPU")
    pod_gpus: int = quantity("GPUs per full-bisection pod")
    oversubscription: float = quantity("Oversubscription above the pod", ":1")
    switches: int = quantity("Switches")
    links: int = quantity("Links")
    transceivers: int = quantity("Optical transceivers")
    bisection_tbps: float = quantity("Bisection bandwidth", "Tb/s")
    per_tier: list[Tier] = quantity("Fabric tiers")


class SystemSummary(Result):
    """What the training and scheduling models see of the design."""

    scaleup_domain: int = quantity("GPUs per scale-up domain")
    scaleup_gbytes_per_s: float | None = quantity("Scale-up bandwidth per GPU (None: no scale-up link)", "GB/s")
    scaleout_gbits_per_s: float = quantity("Scale-out bandwidth per GPU", "Gb/s")
    pod_gpus: float = quantity("GPUs per pod")
    oversubscription: float = quantity("Oversubscription above the pod", ":1")


class DesignSummary(Result):
    """Counts, power, fabric, capex, opex, TCO and the assumptions of one designed cluster."""

    accelerator: str = quantity("Accelerator")
    form_factor: str = quantity("Form factor")
    network: str = quantity("Scale-out network")
    accelerators: int = quantity("Accelerators")
    nodes: int = quantity("Nodes")
    racks: int = quantity("Racks")
    scaleup_domains: int = quantity("Scale-up domains")
    pods: int = quantity("Pods")
    it_power_mw: float = quantity("IT power", "MW")
    facility_power_mw: float = quantity("Facility power", "MW")
    pue: float = quantity("PUE (cooling and conversion)")
    kw_per_rack: float = quantity("Power per rack", "kW")
    power_mw: dict[str, float] = quantity("Power breakdown", "MW")
    fabric: FabricSummary = quantity("Fabric")
    system: SystemSummary = quantity("System seen by the training model")
    capex_usd: dict[str, float] = quantity("Capex breakdown", "USD")
    opex_usd_per_year: dict[str, float] = quantity("Opex per year", "USD/year")
    tco_usd_per_year: dict[str, float] = quantity("Total cost of ownership per year", "USD/year")
    usd_per_gpu_hour: float = quantity("Owner cost per installed GPU-hour", "USD/GPU-h")
    breakeven_usd_per_gpu_hour: float = quantity("Break-even rental price per GPU-hour sold", "USD/GPU-h")
    cost_of_capital: float = quantity("Cost of capital (WACC)", "ratio")
    sold_utilisation: float = quantity("Share of GPU-hours sold", "ratio")
    power_reserve_mw: float = quantity("Facility power held in reserve", "MW")
    energy_mwh_per_year: float = quantity("Energy per year", "MWh/year")
    co2_t_per_year: float = quantity("CO2 per year", "t/year")
    capex_usd_per_gw: float = quantity("Capex per GW of facility power", "USD/GW")
    assumptions: list[str] = quantity("Assumptions")


def _fabric(c: Cluster) -> FabricSummary:
    f = c.design.fabric  # TPU fabrics count hosts (one DCN NIC per host of gpus_per_nic chips)
    return FabricSummary(tiers=f.tier_count, switch=f.switch, radix=f.radix, link_gbps=f.link_gbps, rails=f.rails,
                         pod_gpus=f.pod_gpus * c.design.build.gpus_per_nic, oversubscription=f.oversubscription,
                         switches=f.switches,
                         links=f.links, transceivers=f.transceivers, bisection_tbps=f.bisection_tbps,
                         per_tier=list(f.tiers))


def summary(c: Cluster) -> DesignSummary:
    """The typed summary of a priced cluster (the JSON of ``gigacluster design``)."""
    d, p = c.design, c.design.power
    return DesignSummary(
        accelerator=d.build.accelerator, form_factor=d.build.form_factor, network=d.fabric.network,
        accelerators=d.counts.accelerators, nodes=d.counts.nodes, racks=d.counts.racks,
        scaleup_domains=d.counts.scaleup_domains, pods=d.counts.pods,
        it_power_mw=p.it_mw, facility_power_mw=p.facility_mw, pue=d.spec.pue, kw_per_rack=p.kw_per_rack,
        power_mw={**p.it_parts_mw(), "it_total": p.it_mw, "cooling": p.cooling_mw, "reserve": p.reserve_mw,
                  "total": p.facility_mw},
        fabric=_fabric(c), system=SystemSummary(**d.system_fields()),
        capex_usd={**c.capex.lines(), "total": c.capex.total_usd},
        opex_usd_per_year={"electricity": c.opex.electricity_usd, "maintenance": c.opex.maintenance_usd,
                           "total": c.opex.total_usd},
        tco_usd_per_year={"it_depreciation": c.tco.it_depreciation_usd,
                          "facility_depreciation": c.tco.facility_depreciation_usd,
                          "electricity": c.tco.electricity_usd, "maintenance": c.tco.maintenance_usd,
                          "total": c.tco.total_usd_per_year},
        usd_per_gpu_hour=c.tco.usd_per_gpu_hour, breakeven_usd_per_gpu_hour=c.tco.breakeven_usd_per_gpu_hour,
        cost_of_capital=c.costs.cost_of_capital, sold_utilisation=c.costs.sold_utilisation,
        power_reserve_mw=p.reserve_mw, energy_mwh_per_year=c.opex.energy_mwh,
        co2_t_per_year=c.opex.co2_t, capex_usd_per_gw=c.capex.total_usd / (p.facility_mw / 1e3),
        assumptions=list(d.assumptions),
    )
