"""Yearly operating cost: electricity at an average power draw, and maintenance."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.economics.spec import CostSpec
from gigacluster.hardware.design import ClusterDesign

HOURS_PER_YEAR = 8760.0


class Opex(BaseModel):
    """USD per year; ``total_usd`` = electricity + maintenance."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    electricity_usd: float
    maintenance_usd: float
    total_usd: float
    average_facility_mw: float
    energy_mwh: float
    co2_t: float


def average_facility_mw(design: ClusterDesign, costs: CostSpec) -> float:
    """Mean draw: IT nameplate x power-draw fraction x PUE (the reserve is capacity, not load)."""
    return design.power.it_mw * costs.power_draw_fraction * design.spec.pue


def opex(design: ClusterDesign, costs: CostSpec) -> Opex:
    """Electricity = mean facility MW x 8,760 h x $/MWh; maintenance = $/MW-IT-year x IT MW (Epoch:
    $0.9B/yr opex per GW IT of which $0.6B energy)."""
    mw = average_facility_mw(design, costs)
    energy = mw * HOURS_PER_YEAR
    electricity = energy * costs.usd_per_mwh
    maintenance = design.power.it_mw * costs.maintenance_usd_per_mw_it_year
    return Opex(electricity_usd=electricity, maintenance_usd=maintenance, total_usd=electricity + maintenance,
                average_facility_mw=mw, energy_mwh=energy, co2_t=energy * costs.grid_kg_co2_per_mwh / 1e3)
