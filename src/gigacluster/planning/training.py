"""The training section of a plan: the scenario's model on the designed cluster, with failures and cost.

:func:`training_result` is shared by ``gigacluster train`` and ``plan``: one place turns a searched
layout, a token budget and a failure profile into a :class:`TrainingResult`."""

from __future__ import annotations

import math
from collections.abc import Callable

from gigacluster.catalog.scenarios import Scenario
from gigacluster.economics import CostRates, training_run_cost
from gigacluster.errors import GigaclusterError, unknown
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.planning.model import RunCostParts, ScalingPoint, TrainingResult, TrainingRun
from gigacluster.reliability import ReliabilitySpec, checkpoint_bytes
from gigacluster.reliability.goodput import LostTime
from gigacluster.reliability.profiles import DEFAULT_PROFILE
from gigacluster.reliability.recovery import RecoveryOutcome, best_recovery
from gigacluster.training.calibration import Calibration
from gigacluster.training.energy import train_cost
from gigacluster.training.job import SystemSpec, TrainingJob
from gigacluster.training.plan import LayoutResult, TrainingPlan, plan_training

DEFAULT_FAILURE_PROFILE = DEFAULT_PROFILE
"""The failure profile every command uses unless told otherwise (reliability.profiles.DEFAULT_PROFILE)."""


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


def wall_clock(job: TrainingJob, step_s: float, train_days: float, profile: str = DEFAULT_FAILURE_PROFILE,
               gpus_per_replica: int | None = None, recovery: str = "best") -> RecoveryOutcome:
    """Failure-free days → wall-clock days under a reliability ``profile`` (Monte Carlo, 200 runs) with
    the recovery mode that finishes first (``recovery="best"``) or the one named; replica modes fail
    over per data-parallel replica of ``gpus_per_replica`` GPUs (default: the whole job, i.e. none)."""
    spec = ReliabilitySpec(gpus=job.gpus, days=1.0, profile=profile, step_s=step_s,
                           checkpoint_bytes=checkpoint_bytes(job.model), replications=200)
    modes = None if recovery == "best" else (recovery,)
    return best_recovery(spec, train_days, gpus_per_replica or job.gpus, modes)[0]


def replica_gpus(gpus: int, dp: int) -> int:
    """GPUs in one data-parallel replica (the unit FT-HSDP-style recovery restarts)."""
    return max(1, gpus // max(dp, 1))


def training_run(job: TrainingJob, plan: TrainingPlan, tokens: float, rates: CostRates,
                 profile: str = DEFAULT_FAILURE_PROFILE) -> TrainingRun:
    """Days, GPU-hours, energy and cost to train ``tokens`` at the plan's best layout; ``profile`` "none"
    counts no failures (wall-clock = failure-free)."""
    ideal = train_cost(tokens, plan.best.tokens_per_s, job.gpus, job.accelerator)
    outcome = None if profile == "none" else wall_clock(job, plan.best.step_time_s, ideal.train_days, profile,
                                                        replica_gpus(job.gpus, plan.best.layout.dp))
    wall = outcome.time if outcome else None
    wall_days = outcome.wall_days if outcome else ideal.train_days
    spares = outcome.spare_gpus if outcome else 0
    run = training_run_cost(rates, wall_days * 24.0 * (job.gpus + spares))
    return TrainingRun(
        tokens=tokens, failure_profile=profile, failure_free_days=ideal.train_days, wall_days=wall_days,
        ettr=outcome.ettr if outcome else 1.0, recovery=outcome.mode if outcome else "none",
        spare_gpus=spares, interruptions_expected=wall.interruptions_expected if wall else 0.0,
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
                  cal: Calibration | None = None, rates: CostRates | None = None) -> list[ScalingPoint]:
    """MFU, failure-free and wall-clock days (with failures, best recovery mode), GPU-hours held and
    (given ``rates``) run cost against job size at the scenario's batch."""
    points: list[ScalingPoint] = []
    for gpus in job_sizes(cluster_gpus, s.training_model().layers, system.scaleup_domain):
        job = training_job(s, acc, system, gpus)
        try:
            best = plan_training(job, cal, top_k=1).best
        except GigaclusterError:
            continue
        days = s.training.tokens / best.tokens_per_s / 86400.0
        points.append(_point(s, job, best, days, rates))
    return points


def _point(s: Scenario, job: TrainingJob, best: LayoutResult, days: float, rates: CostRates | None) -> ScalingPoint:
    """One scaling point under the scenario's failure profile ("none": wall-clock = failure-free)."""
    profile, gpus = s.training.failure_profile, job.gpus
    wall = None if profile == "none" else wall_clock(job, best.step_time_s, days, profile,
                                                     replica_gpus(gpus, best.layout.dp))
    wall_days, spares = (wall.wall_days, wall.spare_gpus) if wall else (days, 0)
    held = wall_days * 24.0 * (gpus + spares)
    return ScalingPoint(gpus=gpus, mfu=best.mfu, train_days=days, wall_days=wall_days,
                        ettr=wall.ettr if wall else 1.0, step_time_s=best.step_time_s,
                        recovery=wall.mode if wall else "none", spare_gpus=spares, gpu_hours=held,
                        run_cost_usd=training_run_cost(rates, held).total_usd if rates else 0.0)


def _balanced(p: ScalingPoint, points: list[ScalingPoint]) -> float:
    """Wall-clock and cost each relative to their best, multiplied: 1.1 x as long for 0.8 x the cost wins."""
    fastest = min(q.wall_days for q in points)
    cheapest = min(q.run_cost_usd or q.gpu_hours for q in points)
    return p.wall_days / fastest * (p.run_cost_usd or p.gpu_hours) / cheapest


DEFAULT_OBJECTIVE = "balanced"
"""Job size by the product of relative wall-clock time and relative run cost: the time-only choice buys a
few per cent of days with twice the GPU-hours (issue: 131k GPUs for 18.6 days over 65k for 18.9)."""

OBJECTIVES: dict[str, tuple[str, Callable[[ScalingPoint, list[ScalingPoint]], float]]] = {
    "time": ("the job size with the shortest wall-clock time to train, failures included",
             lambda p, _: p.wall_days),
    "cost": ("the job size with the cheapest run (GPU-hours held, spares included, x the cluster's rates)",
             lambda p, _: p.run_cost_usd or p.gpu_hours),
    "balanced": ("the job size with the smallest product of wall-clock time and run cost, each relative to "
                 "its best", _balanced),
}


def choose_job(points: list[ScalingPoint], objective: str = DEFAULT_OBJECTIVE) -> int:
    """The job size the ``objective`` (a key of OBJECTIVES) prefers."""
    if objective not in OBJECTIVES:
        raise unknown("objective", objective, OBJECTIVES)
    if not points:
        raise GigaclusterError("training", "no job size of this cluster fits the model and batch")
    key = OBJECTIVES[objective][1]
    return min(points, key=lambda p: key(p, points)).gpus


def training_section(s: Scenario, acc: Accelerator, system: SystemSpec, gpus: int,
                     rates: CostRates, cal: Calibration | None = None,
                     objective: str = DEFAULT_OBJECTIVE) -> TrainingResult:
    """Best layout for a job of ``gpus``, time/energy/cost to train, wall-clock with failures."""
    job = training_job(s, acc, system, gpus)
    plan = plan_training(job, cal, top_k=3)
    run = training_run(job, plan, s.training.tokens, rates, s.training.failure_profile)
    return training_result(plan, run, OBJECTIVES[objective][0])
