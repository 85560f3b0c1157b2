"""The typed plan: one section model per stage, units in field names, label and unit in metadata.

One authoritative figure per meaning: ``TrainingRun.gpu_hours`` are the GPU-hours the run holds the
cluster (wall-clock, failures included) and are what it pays for; ``it_energy_mwh`` /
``facility_energy_mwh`` are what those hours draw. The failure-free and board-only figures are named
for what they are (``*_failure_free``, ``gpu_board_*``)."""

from __future__ import annotations

from gigacluster.economics.run import ServingCost
from gigacluster.economics.summary import DesignSummary
from gigacluster.inference import ServingPlan
from gigacluster.reliability.goodput import LostTime
from gigacluster.results import Result, Scalar, model_rows, quantity
from gigacluster.scheduling import QueueReport
from gigacluster.training.plan import TrainingPlan


class ScenarioInfo(Result):
    """Which scenario (and phase) the plan is for."""

    id: str = quantity("Scenario")
    name: str = quantity("Name")
    year: int = quantity("Year")
    description: str = quantity("Description")
    accelerator: str = quantity("Accelerator")
    phase: str = quantity("Phase")


class RunCostParts(Result):
    """A run's cost: amortised cluster-hours plus the energy they draw."""

    amortised_usd: float = quantity("Amortised cluster-hours", "USD")
    energy_usd: float = quantity("Energy", "USD")
    total_usd: float = quantity("Total", "USD")


class TrainingRun(Result):
    """Time, GPU-hours, energy and cost to train a token budget, failures included."""

    tokens: float = quantity("Tokens to train")
    failure_profile: str = quantity("Failure profile")
    failure_free_days: float = quantity("Days to train, failure-free", "days")
    wall_days: float = quantity("Days to train, wall-clock with failures", "days")
    ettr: float = quantity("Effective training time ratio (ETTR)", "ratio")
    recovery: str = quantity("Recovery mode (the one that finishes first)", default="restart")
    spare_gpus: int = quantity("Hot-spare GPUs held for the run", default=0)
    interruptions_expected: float = quantity("Interruptions expected")
    lost_days: LostTime = quantity("Days lost to failures by reason", "days")
    gpu_hours: float = quantity("GPU-hours held (wall-clock × GPUs)", "GPU-h")
    gpu_hours_failure_free: float = quantity("GPU-hours of useful work (failure-free)", "GPU-h")
    gpu_board_energy_mwh_failure_free: float = quantity("GPU board energy, failure-free (TDP)", "MWh")
    it_energy_mwh: float = quantity("IT energy of the run", "MWh")
    facility_energy_mwh: float = quantity("Facility energy of the run (IT × PUE)", "MWh")
    co2_t: float = quantity("CO2 of the run", "t")
    cost_usd: RunCostParts = quantity("Cost of the run", "USD")


class TrainingResult(TrainingPlan, Result):
    """The best layout with its step-time and memory breakdowns, the runners-up, and (given a token
    budget) the run's time, energy and cost."""

    run: TrainingRun | None = quantity("Run", default=None)
    job_choice: str = quantity("How the job size was chosen", default="")

    def flat_rows(self) -> list[dict[str, Scalar]]:
        """One row per evaluated layout (the best first)."""
        return model_rows(self.top)


class ScalingPoint(Result):
    """One job size of the scaling curve at the scenario's batch."""

    gpus: int = quantity("GPUs in the job")
    mfu: float = quantity("MFU", "ratio")
    step_time_s: float = quantity("Step time", "s")
    train_days: float = quantity("Days to train, failure-free", "days")
    wall_days: float = quantity("Days to train, wall-clock with failures", "days")
    ettr: float = quantity("ETTR", "ratio")
    recovery: str = quantity("Recovery mode", default="restart")
    spare_gpus: int = quantity("Hot-spare GPUs", default=0)
    gpu_hours: float = quantity("GPU-hours held (wall-clock × (GPUs + spares))", "GPU-h", default=0.0)
    run_cost_usd: float = quantity("Run cost (GPU-hours held at the cluster's rates)", "USD", default=0.0)


class ServeResult(Result):
    """A serving fleet: the deployment under the SLOs and its power and price."""

    plan: ServingPlan = quantity("Deployment")
    cost: ServingCost = quantity("Fleet power and price")


class ServingSection(ServeResult):
    """The scenario's traffic served on its cluster over a day: the fleet autoscaled hour by hour to the
    scenario's traffic profile in whole engines plus N+1 spares; the cluster share and the cost are the
    peak hour's (those GPUs are held for serving)."""

    traffic_profile: str = quantity("Traffic profile over the day")
    peak_to_mean: float = quantity("Peak-hour demand to mean demand", ":1")
    n_plus: int = quantity("Spare engines (N+1 = 1)")
    regional_headroom: float = quantity("Regional headroom", "ratio")
    fleet_peak_gpus: int = quantity("Fleet GPUs at the peak hour (spares included)")
    fleet_avg_gpus: float = quantity("Fleet GPUs averaged over the day (autoscaled)")
    fleet_gpu_hours_per_day: float = quantity("Fleet GPU-hours per day", "GPU-h/day")
    share_of_cluster: float = quantity("Share of the cluster", "ratio")  # at the peak hour
    users_servable_by_whole_cluster: float = quantity("Daily users whose peak-hour fleet fits the whole cluster")


class SchedulingSection(Result):
    """Researchers sharing the cluster under the scenario's policy."""

    policy: str = quantity("Policy")
    researchers: int = quantity("Researchers")
    shared_gpus: int = quantity("GPUs the researchers share")
    reserved_frontier_gpus: int = quantity("GPUs reserved for the frontier run")
    simulated_slice: int = quantity("Simulated 1/n slice of the shared GPUs and researchers")
    queue: QueueReport = quantity("Queue report")


class CostSection(Result):
    """The money in one place: what the cluster costs and what its work costs."""

    capex_usd: float = quantity("Capex", "USD")
    opex_usd_per_year: float = quantity("Opex per year", "USD/year")
    tco_usd_per_year: float = quantity("Total cost of ownership per year", "USD/year")
    usd_per_gpu_hour: float = quantity("Cost per installed GPU-hour", "USD/GPU-h")
    training_run_usd: float = quantity("Cost of the training run", "USD")
    serving_usd_per_hour: float = quantity("Serving fleet cost per hour", "USD/h")
    serving_usd_per_mtok: float | None = quantity("Serving price per million output tokens", "USD/Mtok")


class PhaseRow(Result):
    """What one build-out phase buys (see planning/phases.py for how each figure is derived)."""

    phase: str = quantity("Phase")
    year: int = quantity("Year")
    accelerators: int = quantity("Accelerators")
    facility_power_mw: float = quantity("Facility power", "MW")
    capex_usd: float = quantity("Capex", "USD")
    frontier_runs_in_parallel: int = quantity("Frontier runs of the planned size in parallel")
    largest_model_params: float = quantity("Largest model trainable in the target time (Chinchilla)", "params")
    largest_model_tokens: float = quantity("Its tokens (20 per parameter)", "tokens")
    target_days: float = quantity("Target time", "days")
    serving_share: float = quantity("Share of the phase the serving fleet takes at the peak hour", "ratio")
    researcher_gpu_h_per_day_median: float = quantity("Compute per researcher, median", "GPU-h/day")
    researcher_gpu_h_per_day_mean: float = quantity("Compute per researcher, mean", "GPU-h/day")


class Timings(Result):
    """Seconds each stage of the plan took to compute."""

    design_s: float = quantity("Design", "s")
    scaling_s: float = quantity("Scaling curve", "s")
    training_s: float = quantity("Training", "s")
    serving_s: float = quantity("Serving", "s")
    scheduling_s: float = quantity("Scheduling", "s")


class Plan(Result):
    """Every stage for one scenario: design → scaling → training → serving → scheduling → cost."""

    scenario: ScenarioInfo = quantity("Scenario")
    design: DesignSummary = quantity("Cluster design")
    scaling: list[ScalingPoint] = quantity("Scaling")
    training: TrainingResult = quantity("Training")
    serving: ServingSection = quantity("Serving")
    scheduling: SchedulingSection = quantity("Researchers")
    cost: CostSection = quantity("Cost")
    phases: list[PhaseRow] = quantity("What each phase buys", default_factory=list)
    timings: Timings = quantity("Timings")

    def flat_rows(self) -> list[dict[str, Scalar]]:
        """The scaling curve, one row per job size."""
        return model_rows(self.scaling)
