"""What each application call takes: frozen, validated request specs (the CLI, the HTTP API and sweeps
fill them; a bad field is one error naming it). Numbers are plain numbers here; the CLI parses '16M'."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gigacluster.catalog.scenarios import Scenario
from gigacluster.inference.options import ServingOptions
from gigacluster.limits import (
    MAX_ACCELERATORS,
    MAX_LAYERS,
    MAX_MW,
    MAX_SEED,
    MAX_SEQ,
    MAX_TOKENS,
    MAX_USD,
    Load,
)
from gigacluster.planning.training import DEFAULT_FAILURE_PROFILE
from gigacluster.scheduling.cluster import MAX_SCHED_GPUS, MAX_SIMULATED_GPUS
from gigacluster.scheduling.simulate import MAX_SCHED_JOBS
from gigacluster.training.layout import Recompute, Sharding


class Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)  # ranges: gigacluster.limits


class DesignRequest(Request):
    """Size a cluster: a scenario (and phase) and/or exactly one sizing, with choices and cost overrides on top."""

    scenario: str | Scenario | None = Field(None, description="scenario id, scenario YAML path or a Scenario")
    phase: str | None = Field(None, description="build-out phase of the scenario (default: the first)")
    facility_mw: float | None = Field(None, gt=0, le=MAX_MW, description="facility power, MW")
    it_mw: float | None = Field(None, gt=0, le=MAX_MW, description="IT power, MW")
    budget_usd: float | None = Field(None, gt=0, le=MAX_USD, description="capex budget, USD")
    accelerators: int | None = Field(None, gt=0, le=MAX_ACCELERATORS, description="accelerator count")
    accelerator: str | None = Field(None, description="accelerator id")
    pue: float | None = Field(None, ge=1.0, le=10.0, description="power usage effectiveness")
    form_factor: str | None = None
    network: str | None = None
    nic_gbps: float | None = Field(None, gt=0, le=1e6)
    switch: str | None = None
    pod_gpus: int | None = Field(None, gt=0, le=MAX_ACCELERATORS)
    oversubscription: float | None = Field(None, ge=1.0, le=1000.0)
    gpus_per_rack: int | None = Field(None, gt=0, le=100_000)
    onsite_generation_mw: float | None = Field(None, ge=0, le=MAX_MW)
    usd_per_mwh: float | None = Field(None, ge=0, le=MAX_USD)
    sold_utilisation: float | None = Field(None, gt=0, le=1, description="share of GPU-hours sold")
    cost_of_capital: float | None = Field(None, ge=0, lt=1, description="WACC per year")
    power_draw_fraction: float | None = Field(None, gt=0, le=1, description="average draw / nameplate")
    it_life_years: float | None = Field(None, gt=0, le=200.0)
    grid_kg_co2_per_mwh: float | None = Field(None, ge=0, le=MAX_USD)


class CostRequest(DesignRequest):
    """Price a training run (GPU-hours) and/or serving (tokens/s per GPU) on a designed cluster."""

    gpu_hours: float | None = Field(None, gt=0, le=1e15, description="GPU-hours of a training run")
    it_energy_mwh: float | None = Field(None, ge=0, le=1e12, description="IT energy of the run, MWh")
    tokens_per_s_per_gpu: float | None = Field(None, ge=1e-6, le=1e9,
                                               description="sustained serving throughput per GPU")


class TrainRequest(Request):
    """A model on a number of accelerators: the best layout (given layout fields are fixed)."""

    model: str = "llama3-405b"
    accelerator: str = "h100-sxm"
    gpus: int = Field(16384, gt=0, le=MAX_ACCELERATORS)
    seq_len: int = Field(8192, gt=0, le=MAX_SEQ)
    global_batch_tokens: float = Field(16 * 2**20, gt=0, le=MAX_TOKENS)
    precision: str = "bf16"
    tp: int | None = Field(None, gt=0, le=MAX_ACCELERATORS)
    pp: int | None = Field(None, gt=0, le=MAX_ACCELERATORS)
    vpp: int | None = Field(None, gt=0, le=MAX_LAYERS)
    dp: int | None = Field(None, gt=0, le=MAX_ACCELERATORS)
    cp: int | None = Field(None, gt=0, le=MAX_ACCELERATORS)
    ep: int | None = Field(None, gt=0, le=MAX_ACCELERATORS)
    micro_batch: int | None = Field(None, gt=0, le=MAX_ACCELERATORS)
    sharding: Sharding | None = None
    recompute: Recompute | None = None
    pipeline_schedule: str | None = Field(None, description="pipeline schedule (default: searched)")
    tokens: float | None = Field(None, gt=0, le=MAX_TOKENS, description="tokens to train (adds time, energy and cost)")
    failure_profile: str = Field(DEFAULT_FAILURE_PROFILE, description="reliability profile, or 'none'")
    top_k: int = Field(5, gt=0, le=100)
    calibration: str | None = Field(None, description="calibration overlay YAML (gigacluster calibrate)")


class ServeRequest(Request):
    """Traffic and SLOs for a model on an accelerator: layout, replicas, GPUs, MW, $/Mtok."""

    model: str
    accelerator: str
    tp: int | None = Field(None, gt=0, le=MAX_ACCELERATORS)
    precision: str = "fp8"
    kv_precision: str | None = None
    input_len: float = Field(1024, gt=0, le=MAX_SEQ)
    output_len: float = Field(256, gt=0, le=MAX_SEQ)
    rate_rps: float | None = Field(None, gt=0, le=1e9)
    users: float | None = Field(None, gt=0, le=1e11)
    requests_per_user_day: float = Field(10, gt=0, le=1e6)
    peak_to_mean: float = Field(2.0, gt=0, le=1000.0)
    ttft_p99_ms: float = Field(2000, gt=0, le=1e9)
    tpot_p99_ms: float = Field(100, gt=0, le=1e9)
    calibration: str | None = Field(None, description="calibration overlay YAML (gigacluster calibrate)")
    options: ServingOptions = Field(ServingOptions(), description="deployment agg|disagg|auto, "
                                    "MTP, prefix caching, traffic profile, routing, autoscaling, token prices")


class ScheduleRequest(Request):
    """A job queue on a trace or a synthetic workload under one policy."""

    trace: str = "synthetic"
    gpus: int = Field(16_384, gt=0, le=MAX_SIMULATED_GPUS)
    policy: str = "fifo"
    researchers: int = Field(500, gt=0, le=1_000_000)
    jobs: int | None = Field(None, gt=0, le=MAX_SCHED_JOBS)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    load: Load = 0.9
    gpus_per_domain: int = Field(8, gt=0, le=100_000)
    domains_per_pod: int = Field(128, gt=0, le=MAX_SCHED_GPUS)
    cross_pod_slowdown: float = Field(1.25, ge=1.0, le=1000.0)
    failures: bool = False


class PlanRequest(Request):
    """A scenario's plan with what-if overrides on top (what the dashboard changes). With no override the
    plan is exactly ``plan(scenario, phase)``."""

    scenario: str = Field(description="scenario id")
    phase: str | None = Field(None, description="build-out phase of the scenario (default: the first)")
    facility_mw: float | None = Field(None, gt=0, description="size by facility power, MW")
    budget_usd: float | None = Field(None, gt=0, description="size by capex budget, USD")
    accelerators: int | None = Field(None, gt=0, description="size by accelerator count")
    accelerator: str | None = Field(None, description="accelerator id (resets form factor, rack and NIC)")
    model: str | None = Field(None, description="model to train (catalog id)")
    global_batch_tokens: float | None = Field(None, gt=0, description="training batch, tokens")
    tokens: float | None = Field(None, gt=0, description="tokens to train")
    daily_active_users: float | None = Field(None, gt=0, description="serving traffic: daily active users")
    requests_per_user_day: float | None = Field(None, gt=0, description="serving traffic: requests per user-day")
    researchers: int | None = Field(None, gt=0, description="researchers sharing the cluster")
    failure_profile: str | None = Field(None, description="reliability profile id, or 'none'")
