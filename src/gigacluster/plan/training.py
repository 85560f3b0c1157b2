"""The training section of a plan: the scenario's model on the designed cluster, with failures and cost."""

from __future__ import annotations

import math
from typing import Any

from gigacluster.catalog.scenarios import Scenario
from gigacluster.economics import CostRates, training_run_cost
from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.reliability import ReliabilitySpec, TrainTime, checkpoint_bytes, time_to_train
from gigacluster.training.energy import TrainCost, train_cost
from gigacluster.training.job import SystemSpec, TrainingJob
from gigacluster.training.plan import TrainingPlan, plan_training


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


def wall_clock(job: TrainingJob, step_s: float, train_days: float, profile: str = "llama3") -> TrainTime:
    """Failure-free days → wall-clock days under a reliability ``profile`` (Monte Carlo, 200 runs)."""
    spec = ReliabilitySpec(gpus=job.gpus, days=1.0, profile=profile, step_s=step_s,
                           checkpoint_bytes=checkpoint_bytes(job.model), replications=200)
    return time_to_train(spec, train_days)


def training_report(plan: TrainingPlan, cost: TrainCost | None = None,
                    wall: TrainTime | None = None) -> dict[str, Any]:
    """The best layout with its breakdowns, the runners-up, and (given) time, energy and failures."""
    best = plan.best
    out: dict[str, Any] = {
        "model": plan.model, "accelerator": plan.accelerator, "gpus": plan.gpus, "seq_len": plan.seq_len,
        "global_batch_seqs": plan.global_batch_seqs, "precision": plan.precision,
        "layout": best.layout.model_dump(), "micro_batches": best.micro_batches,
        "step_time_s": best.step_time_s, "step_breakdown_s": best.step_breakdown_s,
        "mfu": best.mfu, "mfu_at_precision_peak": best.mfu_at_precision_peak, "hfu": best.hfu,
        "tflops_per_gpu": best.tflops_per_gpu,
        "memory_gb": best.memory_gb, "memory_breakdown_gb": best.memory_breakdown_gb,
        "tokens_per_s": best.tokens_per_s,
        "top": [{"layout": r.layout.model_dump(), "step_time_s": r.step_time_s, "mfu": r.mfu,
                 "memory_gb": r.memory_gb} for r in plan.top],
        "search": plan.search.model_dump(),
        "peak_rule": plan.peak_rule,
    }
    if cost:
        out.update({"tokens": cost.tokens, "train_days": cost.train_days, "gpu_hours": cost.gpu_hours,
                    "gpu_energy_mwh": cost.gpu_energy_mwh, "server_energy_mwh": cost.server_energy_mwh})
    if wall:
        out.update({"wall_days": wall.wall_days, "ettr": wall.ettr, "interruptions_expected":
                    wall.interruptions_expected, "lost_days": wall.lost_days.model_dump()})
    return out


def training_section(s: Scenario, acc: Accelerator, system: SystemSpec, gpus: int,
                     rates: CostRates) -> dict[str, Any]:
    """Best layout for a job of ``gpus``, time/energy/cost to train, wall-clock with failures."""
    job = training_job(s, acc, system, gpus)
    plan = plan_training(job, top_k=3)
    cost = train_cost(s.training.tokens, plan.best.tokens_per_s, job.gpus, acc)
    wall = wall_clock(job, plan.best.step_time_s, cost.train_days)
    run = training_run_cost(rates, wall.wall_days * 24.0 * job.gpus)
    return training_report(plan, cost, wall) | {
        "model": s.training.model,
        "cost_usd": {"amortised": run.amortised_usd, "energy": run.energy_usd, "total": run.total_usd},
        "run_energy": {"gpu_hours": run.gpu_hours, "it_energy_mwh": run.it_energy_mwh,
                       "facility_energy_mwh": run.facility_energy_mwh, "co2_t": run.co2_t},
    }


def job_sizes(cluster_gpus: int, layers: int, domain: int) -> list[int]:
    """Doubling job sizes from a few scale-up domains up to the largest job the cluster holds."""
    top = job_gpus(cluster_gpus, layers)
    sizes, gpus = [], max(domain, 1024)
    while gpus < top:
        sizes.append(gpus)
        gpus *= 2
    return sizes + [top]


def scaling_curve(s: Scenario, acc: Accelerator, system: SystemSpec, cluster_gpus: int) -> list[dict[str, float]]:
    """MFU, failure-free and wall-clock days (with failures) against job size at the scenario's batch."""
    points: list[dict[str, float]] = []
    for gpus in job_sizes(cluster_gpus, s.training_model().layers, system.scaleup_domain):
        job = training_job(s, acc, system, gpus)
        try:
            best = plan_training(job, top_k=1).best
        except GigaclusterError:
            continue
        days = s.training.tokens / best.tokens_per_s / 86400.0
        wall = wall_clock(job, best.step_time_s, days)
        points.append({"gpus": gpus, "mfu": best.mfu, "train_days": days, "wall_days": wall.wall_days,
                       "ettr": wall.ettr, "step_time_s": best.step_time_s})
    return points


def fastest_job(points: list[dict[str, float]]) -> int:
    """The job size with the shortest wall-clock time once failures are counted."""
    if not points:
        raise GigaclusterError("training", "no job size of this cluster fits the model and batch")
    return int(min(points, key=lambda p: p["wall_days"])["gpus"])
