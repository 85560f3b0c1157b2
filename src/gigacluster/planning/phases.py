"""What each build-out phase buys: the phase table of a phased scenario.

For every phase the cluster is designed (cheap); the rest is derived from the planned phase's
measured figures, not re-simulated: the frontier run keeps its size, MFU and ETTR; serving keeps its
fleet; researchers share what the frontier run leaves at the plan's measured utilisation and spread.

* frontier runs in parallel = phase GPUs // the frontier run's GPUs;
* largest model trainable in ``target_days``: compute C = GPUs × achieved FLOP/s per GPU × ETTR ×
  target time, spent Chinchilla-optimally (C = 6·N·D with D = 20·N, Hoffmann et al. 2022), so
  N = √(C / 120) parameters on 20·N tokens;
* serving share = the serving fleet's GPUs / phase GPUs;
* researcher compute = the plan's median and mean GPU-h per researcher per day × (GPUs the frontier
  run leaves in this phase / those it leaves in the planned phase).
"""

from __future__ import annotations

import math

from gigacluster.catalog.scenarios import Scenario
from gigacluster.economics import build_cluster
from gigacluster.economics.spec import CostSpec
from gigacluster.planning.model import PhaseRow, SchedulingSection, ServingSection, TrainingResult

CHINCHILLA_TOKENS_PER_PARAM = 20.0  # Hoffmann et al. 2022 (compute-optimal)


def largest_model_params(gpus: int, flops_per_gpu: float, ettr: float, days: float) -> float:
    """Chinchilla-optimal parameters trainable in ``days`` on ``gpus`` at an achieved FLOP/s per GPU."""
    compute = gpus * flops_per_gpu * ettr * days * 86400.0
    return math.sqrt(compute / (6.0 * CHINCHILLA_TOKENS_PER_PARAM))


def phase_rows(s: Scenario, training: TrainingResult, serving: ServingSection, scheduling: SchedulingSection,
               target_days: float = 90.0) -> list[PhaseRow]:
    """One row per phase of ``s`` (empty when it has none), from the planned phase's figures."""
    run = training.run
    if not s.phases or run is None:
        return []
    flops = training.best.tflops_per_gpu * 1e12
    q = scheduling.queue.researcher_compute
    rows = []
    for p in s.phases:
        cluster = build_cluster(s.design_spec(p.name), CostSpec(**s.costs))
        gpus = cluster.design.counts.accelerators
        shared = max(gpus - min(training.gpus, gpus * 3 // 4), 0)
        ratio = shared / max(scheduling.shared_gpus, 1)
        params = largest_model_params(gpus, flops, run.ettr, target_days)
        rows.append(PhaseRow(
            phase=p.name, year=p.year, accelerators=gpus, facility_power_mw=cluster.design.power.facility_mw,
            capex_usd=cluster.capex.total_usd, frontier_runs_in_parallel=gpus // training.gpus,
            largest_model_params=params, largest_model_tokens=CHINCHILLA_TOKENS_PER_PARAM * params,
            target_days=target_days, serving_share=serving.fleet_peak_gpus / gpus,
            researcher_gpu_h_per_day_median=q.median * ratio, researcher_gpu_h_per_day_mean=q.mean * ratio))
    return rows
