"""Compose the stages for one scenario into a plan (a JSON-able dict the report renders)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from gigacluster.catalog import get_accelerator
from gigacluster.catalog.scenarios import Scenario
from gigacluster.economics import build_cluster, rates_of, serving_cost, summary
from gigacluster.economics.spec import CostSpec
from gigacluster.inference import Slo, Traffic, plan_serving
from gigacluster.plan.training import fastest_job, scaling_curve, training_section
from gigacluster.scheduling import ClusterSpec, researcher_compute
from gigacluster.training.job import SystemSpec


def serving_section(s: Scenario, acc_id: str, cluster_gpus: int, rates: Any) -> dict[str, Any]:
    """Fleet for the scenario's traffic, and how many users the whole cluster could serve."""
    w = s.serving
    traffic = Traffic(users=w.daily_active_users, requests_per_user_day=w.requests_per_user_day,
                      input_len=w.input_len, output_len=w.output_len)
    sp = plan_serving(s.serving_model(), get_accelerator(acc_id), traffic,
                      Slo(ttft_p99_ms=w.ttft_p99_ms, tpot_p99_ms=w.tpot_p99_ms))
    out = sp.model_dump(mode="json")
    cost = serving_cost(rates, sp.gpus_needed, sp.mean_output_tokens_per_s)
    out.update({"power_mw": cost.facility_power_mw, "usd_per_mtok": cost.usd_per_mtok})
    out["share_of_cluster"] = sp.gpus_needed / cluster_gpus
    out["users_servable_by_whole_cluster"] = w.daily_active_users * cluster_gpus / sp.gpus_needed
    return out


def scheduling_section(s: Scenario, gpus: int, domain: int, pod_gpus: float, frontier_gpus: int) -> dict[str, Any]:
    """Compute per researcher under the scenario's policy (steady-state Philly-fitted workload) on the
    GPUs the frontier run (reserved for its own job) leaves."""
    cluster = ClusterSpec(gpus=gpus - gpus % domain, gpus_per_domain=domain,
                          domains_per_pod=max(1, int(pod_gpus // domain)))
    rep = researcher_compute(cluster, s.researchers, s.scheduling_policy, jobs=20_000,
                             reserved_gpus=min(frontier_gpus, cluster.gpus * 3 // 4))
    keep = ("jobs", "utilization", "arrival_window_h", "makespan_h", "queue_wait_h", "jct_h",
            "jain_fairness", "gpu_hours_per_researcher_per_day", "researcher_gpu_h_per_day", "researcher_compute",
            "largest_job_gpu_time_share", "offered")
    data = rep.model_dump(mode="json")
    shared = rep.gpus * rep.cluster_slice
    return {"policy": s.scheduling_policy, "researchers": s.researchers, "shared_gpus": shared,
            "reserved_frontier_gpus": cluster.gpus - shared, "simulated_slice": f"1/{rep.cluster_slice}",
            "simulated_researchers": rep.researchers} | {k: data[k] for k in keep if k in data}


def _timed(timings: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = fn()
    timings[name] = time.perf_counter() - start
    return value


def plan_scenario(s: Scenario, phase: str | None = None) -> dict[str, Any]:
    """design → training (+ failures, cost, scaling curve) → serving → scheduling, one dict."""
    timings: dict[str, float] = {}
    cluster = _timed(timings, "design", lambda: build_cluster(s.design_spec(phase), CostSpec(**s.costs)))
    design, rates = summary(cluster), rates_of(cluster)
    acc = get_accelerator(cluster.design.build.accelerator)
    system = SystemSpec(**cluster.design.system_fields())
    gpus = int(design["accelerators"])
    plan: dict[str, Any] = {
        "scenario": {"id": s.id, "name": s.name, "year": s.year, "description": s.description,
                     "accelerator": acc.id, "phase": phase or ""},
        "design": design,
    }
    plan["scaling"] = _timed(timings, "scaling", lambda: scaling_curve(s, acc, system, gpus))
    job = fastest_job(plan["scaling"])
    plan["training"] = _timed(timings, "training", lambda: training_section(s, acc, system, job, rates))
    plan["training"]["job_choice"] = "the job size with the shortest wall-clock time to train, failures included"
    plan["serving"] = _timed(timings, "serving", lambda: serving_section(s, acc.id, gpus, rates))
    plan["scheduling"] = _timed(timings, "scheduling", lambda: scheduling_section(
        s, gpus, system.scaleup_domain, system.pod_gpus or gpus, job))
    plan["timings_s"] = timings
    return plan
