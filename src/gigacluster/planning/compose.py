"""Compose the stages for one scenario into a typed :class:`Plan`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from gigacluster.catalog import get_accelerator
from gigacluster.catalog.scenarios import Scenario
from gigacluster.economics import CostRates, build_cluster, rates_of, serving_cost, summary
from gigacluster.economics.spec import CostSpec
from gigacluster.economics.summary import DesignSummary
from gigacluster.inference import Slo, Traffic, plan_serving
from gigacluster.inference.calibration import ServingCalibration
from gigacluster.inference.fleet import load_profile, pool_day, users_servable
from gigacluster.inference.options import ServingOptions
from gigacluster.planning.model import (
    CostSection,
    Plan,
    ScenarioInfo,
    SchedulingSection,
    ServingSection,
    Timings,
    TrainingResult,
)
from gigacluster.planning.phases import phase_rows
from gigacluster.planning.training import DEFAULT_OBJECTIVE, choose_job, scaling_curve, training_section
from gigacluster.scheduling import ClusterSpec, researcher_compute
from gigacluster.training.calibration import Calibration
from gigacluster.training.job import SystemSpec

T = TypeVar("T")


def serving_section(s: Scenario, acc_id: str, cluster_gpus: int, rates: CostRates,
                    cal: ServingCalibration | None = None) -> ServingSection:
    """The scenario's fleet over a day (its traffic profile, whole engines, N+1; ``fleet.pool_day``) and the
    daily users whose PEAK-hour fleet fits in the whole cluster (``fleet.users_servable``, closed form).
    Engines are sized for the profile's peak by the colocated SLO search (``plan_serving``)."""
    w, opts = s.serving, ServingOptions()
    profile = load_profile(w.traffic_profile)
    traffic = Traffic(users=w.daily_active_users, requests_per_user_day=w.requests_per_user_day,
                      peak_to_mean=profile.peak_to_mean, input_len=w.input_len, output_len=w.output_len)
    sp = plan_serving(s.serving_model(), get_accelerator(acc_id), traffic,
                      Slo(ttft_p99_ms=w.ttft_p99_ms, tpot_p99_ms=w.tpot_p99_ms), cal=cal)
    fleet = pool_day(traffic.mean_rate_rps() or 0.0, sp.rate_per_engine_rps, sp.engine_gpus, profile,
                     opts.n_plus, opts.regional_headroom, opts.scale_up_delay_h)
    users = users_servable(sp.rate_per_engine_rps, sp.engine_gpus, cluster_gpus, w.requests_per_user_day, profile,
                           opts.n_plus, opts.regional_headroom)
    return ServingSection(plan=sp, cost=serving_cost(rates, fleet.peak_gpus, sp.mean_output_tokens_per_s),
                          traffic_profile=profile.name, peak_to_mean=profile.peak_to_mean, n_plus=opts.n_plus,
                          regional_headroom=opts.regional_headroom, fleet_peak_gpus=fleet.peak_gpus,
                          fleet_avg_gpus=fleet.avg_gpus, fleet_gpu_hours_per_day=fleet.avg_gpus * 24.0,
                          share_of_cluster=fleet.peak_gpus / cluster_gpus, users_servable_by_whole_cluster=users)


def scheduling_section(s: Scenario, gpus: int, domain: int, pod_gpus: float, frontier_gpus: int) -> SchedulingSection:
    """Compute per researcher under the scenario's policy (steady-state Philly-fitted workload) on the
    GPUs the frontier run leaves: it is reserved for its own job (at most 3/4 of the cluster)."""
    cluster = ClusterSpec(gpus=gpus - gpus % domain, gpus_per_domain=domain,
                          domains_per_pod=max(1, int(pod_gpus // domain)))
    rep = researcher_compute(cluster, s.researchers, s.scheduling_policy, jobs=10_000, max_researchers=100,
                             reserved_gpus=min(frontier_gpus, cluster.gpus * 3 // 4))  # ~100 jobs per researcher
    shared = rep.gpus * rep.cluster_slice
    return SchedulingSection(policy=s.scheduling_policy, researchers=s.researchers, shared_gpus=shared,
                             reserved_frontier_gpus=cluster.gpus - shared,
                             simulated_slice=rep.cluster_slice, queue=rep)


def cost_section(design: DesignSummary, training: TrainingResult, serving: ServingSection) -> CostSection:
    """The money of the other sections in one place (each figure is theirs, not recomputed)."""
    return CostSection(capex_usd=design.capex_usd["total"], opex_usd_per_year=design.opex_usd_per_year["total"],
                       tco_usd_per_year=design.tco_usd_per_year["total"], usd_per_gpu_hour=design.usd_per_gpu_hour,
                       training_run_usd=training.run.cost_usd.total_usd if training.run else 0.0,
                       serving_usd_per_hour=serving.cost.usd_per_hour,
                       serving_usd_per_mtok=serving.cost.usd_per_mtok)


def _timed(timings: dict[str, float], name: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = fn()
    timings[f"{name}_s"] = time.perf_counter() - start
    return value


def plan_scenario(s: Scenario, phase: str | None = None, cal: Calibration | None = None,
                  serving_cal: ServingCalibration | None = None,
                  objective: str = DEFAULT_OBJECTIVE) -> Plan:
    """design → scaling → training (+ failures, cost) → serving → scheduling → cost, one typed plan
    (``cal`` / ``serving_cal``: calibrations other than the shipped ones; the job size by ``objective``)."""
    timings: dict[str, float] = {}
    cluster = _timed(timings, "design", lambda: build_cluster(s.design_spec(phase), CostSpec(**s.costs)))
    design, rates = summary(cluster), rates_of(cluster)
    acc = get_accelerator(cluster.design.build.accelerator)
    system = SystemSpec(**cluster.design.system_fields())
    gpus = design.accelerators
    scaling = _timed(timings, "scaling", lambda: scaling_curve(s, acc, system, gpus, cal, rates))
    job = choose_job(scaling, objective)
    training = _timed(timings, "training", lambda: training_section(s, acc, system, job, rates, cal, objective))
    serving = _timed(timings, "serving", lambda: serving_section(s, acc.id, gpus, rates, serving_cal))
    scheduling = _timed(timings, "scheduling", lambda: scheduling_section(
        s, gpus, system.scaleup_domain, system.pod_gpus or gpus, job))
    info = ScenarioInfo(id=s.id, name=s.name, year=s.year, description=s.description, accelerator=acc.id,
                        phase=phase or "")
    return Plan(scenario=info, design=design, scaling=scaling, training=training, serving=serving,
                scheduling=scheduling, cost=cost_section(design, training, serving),
                phases=phase_rows(s, training, serving, scheduling), timings=Timings(**timings))
