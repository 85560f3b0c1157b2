"""CostSpec: the economic parameters (prices of power and facility, lives, carbon), defaults from
``data/costs.yaml`` where each number has its source."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from gigacluster.errors import GigaclusterError
from gigacluster.limits import MAX_USD


@functools.cache
def cost_defaults() -> dict[str, dict[str, Any]]:
    """The raw costs data file: ``{name: {value, source}}``."""
    text = (resources.files("gigacluster.economics") / "data" / "costs.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def _default(name: str) -> Any:
    return Field(default_factory=lambda: float(cost_defaults()[name]["value"]))


class CostSpec(BaseModel):
    """Economic parameters; every field defaults to the sourced value in costs.yaml.

    Bounds: prices and rates in [0, 1e14] (no NaN / inf), lives in (0, 200] years."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    facility_usd_per_mw: float = _default("facility_usd_per_mw")
    generation_usd_per_mw: float = _default("generation_usd_per_mw")
    usd_per_mwh: float = _default("usd_per_mwh")
    power_draw_fraction: float = _default("power_draw_fraction")
    sold_utilisation: float = _default("sold_utilisation")
    maintenance_usd_per_mw_it_year: float = _default("maintenance_usd_per_mw_it_year")
    it_life_years: float = _default("it_life_years")
    facility_life_years: float = _default("facility_life_years")
    cost_of_capital: float = _default("cost_of_capital")
    grid_kg_co2_per_mwh: float = _default("grid_kg_co2_per_mwh")

    @model_validator(mode="after")
    def _check(self) -> CostSpec:
        for name in ("it_life_years", "facility_life_years"):
            if not 0 < getattr(self, name) <= 200:
                raise GigaclusterError(name.replace("_", "-"), f"must be in (0, 200] years, got {getattr(self, name)}")
        if not 0.0 < self.power_draw_fraction <= 1.0:
            raise GigaclusterError("power-draw", f"must be in (0, 1] (mean draw / nameplate), got "
                                                 f"{self.power_draw_fraction}")
        if not 0.0 < self.sold_utilisation <= 1.0:
            raise GigaclusterError("utilisation", f"must be in (0, 1] (share of GPU-hours sold), got "
                                                  f"{self.sold_utilisation}")
        if not 0.0 <= self.cost_of_capital < 1.0:
            raise GigaclusterError("cost-of-capital", f"must be in [0, 1) per year, e.g. 0.08, got "
                                                      f"{self.cost_of_capital}")
        for name in ("facility_usd_per_mw", "generation_usd_per_mw", "usd_per_mwh", "maintenance_usd_per_mw_it_year",
                     "cost_of_capital", "grid_kg_co2_per_mwh"):
            if not 0 <= getattr(self, name) <= MAX_USD:
                raise GigaclusterError(name.replace("_", "-"),
                                       f"must be in [0, {MAX_USD:.0e}], got {getattr(self, name)}")
        return self


def sources() -> dict[str, str]:
    """Where each default comes from."""
    return {k: str(v["source"]).strip() for k, v in cost_defaults().items()}
