"""Cost of a training run (amortised GPU-hours + energy, MWh, CO2) and $ per million tokens served.

Pure functions over :class:`CostRates`, which come from a priced cluster (:func:`rates_of`) or by hand."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.economics.cluster import Cluster, build_cluster
from gigacluster.errors import GigaclusterError
from gigacluster.hardware.spec import DesignSpec


class CostRates(BaseModel):
    """What a GPU-hour costs. ``capital_usd_per_gpu_hour`` = depreciation + maintenance per installed
    GPU-hour (no energy); energy is charged by the MWh drawn, so a busy run pays for what it burns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    capital_usd_per_gpu_hour: float
    usd_per_mwh: float
    pue: float
    it_kw_per_gpu: float
    power_draw_fraction: float
    grid_kg_co2_per_mwh: float


class RunCost(BaseModel):
    """A training run: ``total_usd`` = ``amortised_usd`` + ``energy_usd``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gpu_hours: float
    it_energy_mwh: float
    facility_energy_mwh: float
    co2_t: float
    amortised_usd: float
    energy_usd: float
    total_usd: float


def rates_of(cluster: Cluster) -> CostRates:
    d, c = cluster.design, cluster.costs
    return CostRates(capital_usd_per_gpu_hour=cluster.tco.capital_usd_per_gpu_hour, usd_per_mwh=c.usd_per_mwh,
                     pue=d.spec.pue, it_kw_per_gpu=d.power.it_kw_per_gpu, power_draw_fraction=c.power_draw_fraction,
                     grid_kg_co2_per_mwh=c.grid_kg_co2_per_mwh)


def training_run_cost(rates: CostRates, gpu_hours: float, it_energy_mwh: float | None = None,
                      grid_kg_co2_per_mwh: float | None = None) -> RunCost:
    """Amortised = GPU-hours x capital $/GPU-hour; energy = IT MWh x PUE x $/MWh.

    ``it_energy_mwh`` defaults to GPU-hours x the design's IT kW per GPU (servers, network and storage
    share) x power-draw fraction; pass the training model's figure to use it instead. CO2 = facility MWh x grid
    intensity (a parameter; default the rates' value)."""
    if gpu_hours < 0:
        raise GigaclusterError("gpu-hours", f"must be ≥ 0, got {gpu_hours}")
    it = gpu_hours * rates.it_kw_per_gpu * rates.power_draw_fraction / 1e3 if it_energy_mwh is None else it_energy_mwh
    facility = it * rates.pue
    grid = rates.grid_kg_co2_per_mwh if grid_kg_co2_per_mwh is None else grid_kg_co2_per_mwh
    amortised, energy = gpu_hours * rates.capital_usd_per_gpu_hour, facility * rates.usd_per_mwh
    return RunCost(gpu_hours=gpu_hours, it_energy_mwh=it, facility_energy_mwh=facility, co2_t=facility * grid / 1e3,
                   amortised_usd=amortised, energy_usd=energy, total_usd=amortised + energy)


def usd_per_gpu_hour(rates: CostRates) -> float:
    """All-in $ per busy GPU-hour: capital + energy at the rates' power draw."""
    energy_mwh = rates.it_kw_per_gpu * rates.power_draw_fraction * rates.pue / 1e3
    return rates.capital_usd_per_gpu_hour + energy_mwh * rates.usd_per_mwh


def usd_per_mtok(rates: CostRates, tokens_per_s_per_gpu: float) -> float:
    """$ per million tokens served at ``tokens_per_s_per_gpu`` (sustained): $/GPU-hour / (tokens per GPU-hour / 1e6)."""
    if not tokens_per_s_per_gpu > 0:
        raise GigaclusterError("tokens-per-s-per-gpu", f"must be > 0, got {tokens_per_s_per_gpu}")
    return usd_per_gpu_hour(rates) / (tokens_per_s_per_gpu * 3600.0 / 1e6)


class ServingCost(BaseModel):
    """A serving fleet sized for the peak but paid for around the clock: power and $ per million
    output tokens at the mean rate (so the peak-to-mean headroom is in the price)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gpus: int
    it_power_mw: float
    facility_power_mw: float
    usd_per_hour: float
    mean_output_tokens_per_s: float
    usd_per_mtok: float | None


def serving_cost(rates: CostRates, gpus: int, mean_output_tokens_per_s: float | None) -> ServingCost:
    """Fleet $/hour = GPUs x all-in $/GPU-hour; $/Mtok = $/hour / (mean output tokens per hour / 1e6)."""
    if gpus < 1:
        raise GigaclusterError("gpus", f"must be a positive integer, got {gpus}")
    it_mw = gpus * rates.it_kw_per_gpu / 1e3
    per_hour = gpus * usd_per_gpu_hour(rates)
    tokens = mean_output_tokens_per_s or 0.0
    usd = per_hour / (tokens * 3600.0 / 1e6) if tokens > 0 else None
    return ServingCost(gpus=gpus, it_power_mw=it_mw, facility_power_mw=it_mw * rates.pue, usd_per_hour=per_hour,
                       mean_output_tokens_per_s=tokens, usd_per_mtok=usd)


def reference_rates(accelerator: str, gpus: int = 1024) -> CostRates:
    """Cost rates of a reference cluster of ``gpus`` of ``accelerator`` built with the default design and
    cost data (for serving or training estimates outside a scenario)."""
    return rates_of(build_cluster(DesignSpec(accelerator=accelerator, accelerators=gpus)))
