"""The training section of a plan: the scenario's model on the designed cluster, with failures and cost.

:func:`training_result` is shared by ``gigacluster train`` and ``plan``: one place turns a searched
layout, a token budget and a failure profile into a :class:`TrainingResult`."""

from __future__ import annotations

import math

from gigacluster.catalog.scenarios import Scenario
from gigacluster.economics import CostRates, training_run_cost
from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.planning.model import RunCostParts, ScalingPoint, TrainingResult, TrainingRun
from gigacluster.reliability import ReliabilitySpec, TrainTime, checkpoint_bytes, time_to_train
from gigacluster.reliability.goodput import LostTime
from gigacluster.training.calibration import Calibration
from gigacluster.training.energy import train_cost
from gigacluster.training.job import SystemSpec, TrainingJob
from gigacluster.training.plan import TrainingPlan, plan_training

DEFAULT_FAILURE_PROFILE = "llama3"
"""The failure profile every command uses unless told otherwise (Llama 3 405B's 54-day run, Meta 2024)."""


def job_gpus(cluster_gpus: int, layers: int) -> int:
    """The largest job p·2^k ≤ the cluster with p ≤ layers: the search's TP, CP and a batch-splitting
    DP are powers of two, so a job is a pipeline depth times a power of two."""
    best = 0
    for p in range(1, min(layers, cluster_gpus) + 1):
        best = max(best, p * 2 ** int(math.log2(cluster_gpus // p)))
    return best


def training_job(s: Scenario, acc: Accelerator, system: SystemSpec, gpus: int) -> TrainingJob:
    t = s.training
    seqs = max(1, round(t.global_batch_tokens / t.seq_len))
    return TrainingJob(model=s.training_model(), accelerator=acc, system=system, gpus=gpus, seq_len=t.seq_len,
                       global_batch_seqs=seqs, precision=t.precision)  # type: ignore[arg-type]


def wall_clock(job: TrainingJob, step_s: float, train_days: float,
               profile: str = DEFAULT_FAILURE_PROFILE) -> TrainTime:
    """Failure-free days → wall-clock days under a reliability ``profile`` (Monte Carlo, 200 runs)."""
    spec = ReliabilitySpec(gpus=job.gpus, days=1.0, profile=profile, step_s=step_s,
                           checkpoint_bytes=checkpoint_bytes(job.model), replications=200)
    return time_to_train(spec, train_days)


def training_run(job: TrainingJob, plan: TrainingPlan, tokens: float, rates: CostRates,
                 profile: str = DEFAULT_FAILURE_PROFILE) -> TrainingRun:
    """Days, GPU-hours, energy and cost to train ``tokens`` at the plan's best layout; ``profile`` "none"
    counts no failures (wall-clock = failure-free)."""
    ideal = train_cost(tokens, plan.best.tokens_per_s, job.gpus, job.accelerator)
    wall = None if profile == "none" else wall_clock(job, plan.best.step_time_s, ideal.train_days, profile)
    wall_days = wall.wall_days if wall else ideal.train_days
    run = training_run_cost(rates, wall_days * 24.0 * job.gpus)
    return TrainingRun(
        tokens=tokens, failure_profile=profile, failure_free_days=ideal.train_days, wall_days=wall_days,
        ettr=wall.ettr if wall else 1.0, interruptions_expected=wall.interruptions_expected if wall else 0.0,
        lost_days=wall.lost_days if wall else LostTime(),
        gpu_hours=run.gpu_hours, gpu_hours_failure_free=ideal.gpu_hours,
        gpu_board_energy_mwh_failure_free=ideal.gpu_energy_mwh, it_energy_mwh=run.it_energy_mwh,
        facility_energy_mwh=run.facility_energy_mwh, co2_t=run.co2_t,
        cost_usd=RunCostParts(amortised_usd=run.amortised_usd, energy_usd=run.energy_usd, total_usd=run.total_usd),
    )


def training_result(plan: TrainingPlan, run: TrainingRun | None = None, job_choice: str = "") -> TrainingResult:
    """The typed result of a searched job, with its run when a token budget was given."""
    return TrainingResult(**dict(plan), run=run, job_choice=job_choice)


def job_sizes(cluster_gpus: int, layers: int, domain: int) -> list[int]:
    """Doubling job sizes from a few scale-up domains up to the largest job the cluster holds."""
    top = job_gpus(cluster_gpus, layers)
    sizes, gpus = [], max(domain, 1024)
    while gpus < top:
        sizes.append(gpus)
        gpus *= 2
    return sizes + [top]


def scaling_curve(s: Scenario, acc: Accelerator, system: SystemSpec, cluster_gpus: int,
                  rates: CostRates, cal: Calibration | None = None) -> list[ScalingPoint]:
    """MFU, failure-free and wall-clock days (with failures), ETTR and run cost against job size at the
    scenario's batch (the run priced as in :func:`training_run`: held GPU-hours plus their energy)."""
    points: list[ScalingPoint] = []
    for gpus in job_sizes(cluster_gpus, s.training_model().layers, system.scaleup_domain):
        job = training_job(s, acc, system, gpus)
        try:
            best = plan_training(job, cal, top_k=1).best
        except GigaclusterError:
            continue
        days = s.training.tokens / best.tokens_per_s / 86400.0
        profile = s.training.failure_profile
        wall_days, ettr = (days, 1.0) if profile == "none" else _wall(wall_clock(job, best.step_time_s, days, profile))
        cost = training_run_cost(rates, wall_days * 24.0 * gpus).total_usd
        points.append(ScalingPoint(gpus=gpus, mfu=best.mfu, train_days=days, wall_days=wall_days,
                                   ettr=ettr, step_time_s=best.step_time_s, run_cost_usd=cost))
    return points


def _wall(t: TrainTime) -> tuple[float, float]:
    return t.wall_days, t.ettr


def fastest_job(points: list[ScalingPoint]) -> int:
    """The job size with the shortest wall-clock time once failures are counted."""
    if not points:
        raise GigaclusterError("training", "no job size of this cluster fits the model and batch")
    return min(points, key=lambda p: p.wall_days).gpus


def training_section(s: Scenario, acc: Accelerator, system: SystemSpec, gpus: int,
                     rates: CostRates, cal: Calibration | None = None) -> TrainingResult:
    """Best layout for a job of ``gpus``, time/energy/cost to train, wall-clock with failures."""
    job = training_job(s, acc, system, gpus)
    plan = plan_training(job, cal, top_k=3)
    run = training_run(job, plan, s.training.tokens, rates, s.training.failure_profile)
    return training_result(plan, run, "the job size with the shortest wall-clock time to train, failures included")
