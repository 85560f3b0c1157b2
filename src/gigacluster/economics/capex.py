"""Up-front capital cost by line: accelerators, servers, NICs, switches, optics, storage (= IT),
the facility ($ per MW of facility power) and on-site generation ($ per MW)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.economics.spec import CostSpec
from gigacluster.hardware import parts
from gigacluster.hardware.design import ClusterDesign

IT_LINES = ("accelerators", "servers", "nics", "switches", "optics", "storage")
SITE_LINES = ("facility", "onsite_generation")


class Capex(BaseModel):
    """USD by line; ``total_usd`` = ``it_usd`` + ``site_usd`` = the sum of the lines."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accelerators_usd: float
    servers_usd: float
    nics_usd: float
    switches_usd: float
    optics_usd: float
    storage_usd: float
    facility_usd: float
    onsite_generation_usd: float
    it_usd: float
    site_usd: float
    total_usd: float

    def lines(self) -> dict[str, float]:
        return {k: getattr(self, f"{k}_usd") for k in IT_LINES + SITE_LINES}


def _ocs_usd(design: ClusterDesign) -> float:
    """Optical circuit switches of TPU pods (counted with the switches)."""
    b = design.build
    return design.counts.pods * b.ocs_per_pod * parts.ocs().price_usd if b.ici_pod_chips else 0.0


def capex(design: ClusterDesign, costs: CostSpec) -> Capex:
    """Prices from hardware/data/parts.yaml (per part) and economics/data/costs.yaml (per MW).

    Facility: $/MW x facility power (Hyperion JV $27B / 2 GW; Bernstein). Generation: $/MW x the
    spec's on-site generation MW (Bernstein: turbines ~6% of capex)."""
    b, f, gpus = design.build, design.fabric, design.counts.accelerators
    it = {
        "accelerators": gpus * b.costs.price_usd,
        "servers": gpus * b.server_usd_per_gpu,
        "nics": gpus * parts.nic(b.nic_gbps).price_usd / b.gpus_per_nic,
        "switches": f.switches * parts.switch(f.switch).price_usd + _ocs_usd(design),
        "optics": (f.transceivers - f.transceivers_above_pod) * parts.transceiver(f.link_gbps, True).price_usd
        + f.transceivers_above_pod * parts.transceiver(f.link_gbps).price_usd,
        "storage": gpus * b.storage_tb_per_gpu * parts.storage()["usd_per_tb"],
    }
    site = {"facility": design.power.facility_mw * costs.facility_usd_per_mw,
            "onsite_generation": design.spec.onsite_generation_mw * costs.generation_usd_per_mw}
    it_usd, site_usd = sum(it.values()), sum(site.values())
    return Capex(**{f"{k}_usd": v for k, v in (it | site).items()}, it_usd=it_usd, site_usd=site_usd,
                 total_usd=it_usd + site_usd)
