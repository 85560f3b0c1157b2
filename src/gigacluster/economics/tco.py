"""Annualised total cost of ownership and the amortised $ per GPU-hour."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.economics.capex import Capex
from gigacluster.economics.opex import HOURS_PER_YEAR, Opex
from gigacluster.economics.spec import CostSpec


class TCO(BaseModel):
    """USD per year by line; ``total_usd_per_year`` is their sum. ``usd_per_gpu_hour`` (the owner's
    cost) divides it by every installed GPU-hour of the year; ``capital_usd_per_gpu_hour`` is its
    non-energy share; ``breakeven_usd_per_gpu_hour`` divides it by the GPU-hours sold (the rental
    price at which a seller at ``sold_utilisation`` recovers its costs, cost of capital included)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    it_depreciation_usd: float
    facility_depreciation_usd: float
    electricity_usd: float
    maintenance_usd: float
    total_usd_per_year: float
    lifetime_usd: float
    usd_per_gpu_hour: float
    capital_usd_per_gpu_hour: float
    energy_usd_per_gpu_hour: float
    breakeven_usd_per_gpu_hour: float
    cost_of_capital: float
    sold_utilisation: float


def capital_recovery(rate: float, years: float) -> float:
    """Share of a capital sum paid each year: r / (1 - (1+r)^-n); straight line 1/n when r = 0."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def tco(capex: Capex, opex: Opex, gpus: int, costs: CostSpec) -> TCO:
    """IT over ``it_life_years``, facility and generation over ``facility_life_years`` (Epoch: 5 / 14 y),
    each as an annuity at ``cost_of_capital`` (capital recovery factor)."""
    it = capex.it_usd * capital_recovery(costs.cost_of_capital, costs.it_life_years)
    site = capex.site_usd * capital_recovery(costs.cost_of_capital, costs.facility_life_years)
    total = it + site + opex.electricity_usd + opex.maintenance_usd
    hours = gpus * HOURS_PER_YEAR
    return TCO(it_depreciation_usd=it, facility_depreciation_usd=site, electricity_usd=opex.electricity_usd,
               maintenance_usd=opex.maintenance_usd, total_usd_per_year=total,
               lifetime_usd=total * costs.it_life_years, usd_per_gpu_hour=total / hours,
               capital_usd_per_gpu_hour=(total - opex.electricity_usd) / hours,
               energy_usd_per_gpu_hour=opex.electricity_usd / hours,
               breakeven_usd_per_gpu_hour=total / (hours * costs.sold_utilisation),
               cost_of_capital=costs.cost_of_capital, sold_utilisation=costs.sold_utilisation)
