"""The application layer: specs in, typed results out. The CLI, the HTTP API and sweeps call only these.

Each function is the orchestration of one command (resolve catalog names, build the domain specs,
call the domain functions, assemble the typed result); none prints or parses text."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from gigacluster.api.overrides import scenario_of
from gigacluster.api.requests import (
    CostRequest,
    DesignRequest,
    PlanRequest,
    ScheduleRequest,
    ServeRequest,
    TrainRequest,
)
from gigacluster.calibrate import overlay_calibrations
from gigacluster.catalog import get_accelerator, get_model
from gigacluster.catalog.scenarios import Scenario, get_scenario
from gigacluster.economics import (
    CostRates,
    CostSpec,
    RunCost,
    build_cluster,
    rates_of,
    reference_rates,
    serving_cost,
    summary,
    training_run_cost,
    usd_per_mtok,
)
from gigacluster.economics.summary import DesignSummary
from gigacluster.errors import GigaclusterError, check_choice, unknown
from gigacluster.hardware.spec import FORM_FACTORS, NETWORKS, SIZINGS, DesignSpec, flag
from gigacluster.inference import Slo, Traffic
from gigacluster.inference.deployment import plan_deployment
from gigacluster.planning import plan_scenario
from gigacluster.planning.model import Plan, ServeResult, TrainingResult
from gigacluster.planning.training import DEFAULT_OBJECTIVE, OBJECTIVES, training_result, training_run
from gigacluster.reliability import GoodputResult, ReliabilitySpec, goodput
from gigacluster.reliability.profiles import DEFAULT_PROFILE, get_profile
from gigacluster.results import Result, quantity
from gigacluster.scheduling import (
    ClusterSpec,
    QueueReport,
    SimOptions,
    SyntheticSpec,
    Workload,
    generate,
    load_trace,
    make_policy,
    simulate,
)
from gigacluster.scheduling.cluster import check_cluster
from gigacluster.training.job import FixedLayout, SystemSpec, TrainingJob
from gigacluster.training.plan import plan_training
from gigacluster.validate.cases import load_cases
from gigacluster.validate.inference import InferenceValidation, validate_inference
from gigacluster.validate.paths import default_cases
from gigacluster.validate.training import ValidationReport, validate_training

DEFAULT_ACCELERATOR = "gb200"
_COSTS = ("usd_per_mwh", "sold_utilisation", "cost_of_capital", "power_draw_fraction", "it_life_years",
          "grid_kg_co2_per_mwh")
_CHOICES = ("accelerator", "pue", "form_factor", "network", "nic_gbps", "switch", "pod_gpus", "oversubscription",
            "gpus_per_rack", "onsite_generation_mw")


# ---- plan and design ---------------------------------------------------------------------------

def plan(scenario: str | Scenario | PlanRequest, phase: str | None = None, calibration: str | Path | None = None,
         objective: str = DEFAULT_OBJECTIVE, costs: dict[str, float | None] | None = None) -> Plan:
    """Every stage for a scenario (an id, a YAML path, a :class:`Scenario`, or a :class:`PlanRequest`: a
    shipped scenario with what-if overrides, its phase taken from the request); ``calibration`` (or the
    scenario's ``calibration:`` key) is an overlay on the shipped calibration; the job size by
    ``objective`` (time | cost | balanced); ``costs`` overrides CostSpec fields (e.g. cost_of_capital)."""
    if objective not in OBJECTIVES:
        raise unknown("objective", objective, OBJECTIVES)
    if isinstance(scenario, PlanRequest):
        phase, scenario = scenario.phase, scenario_of(scenario)
    s = get_scenario(scenario) if isinstance(scenario, str) else scenario
    given = {k: float(v) for k, v in (costs or {}).items() if v is not None}
    if given:
        CostSpec(**(s.costs | given))  # one error naming the bad field
        s = s.model_copy(update={"costs": s.costs | given})
    train_cal, serve_cal = overlay_calibrations(calibration or s.calibration)
    return plan_scenario(s, phase, train_cal, serve_cal, objective)


def design_specs(req: DesignRequest) -> tuple[DesignSpec, CostSpec]:
    """The DesignSpec and CostSpec a request asks for: the scenario's (if any) with the request on top."""
    data = req.model_dump()
    sizing = {k: data[k] for k in SIZINGS}
    given = [k for k, v in sizing.items() if v is not None]
    if len(given) > 1:
        raise GigaclusterError("sizing", "give exactly one of --facility-mw, --it-mw, --budget-usd, --accelerators "
                                         f"(got {' and '.join('--' + flag(k) for k in given)})")
    check_choice("form-factor", req.form_factor, FORM_FACTORS)
    check_choice("network", req.network, NETWORKS)
    choices = {k: data[k] for k in _CHOICES}
    costs = {k: data[k] for k in _COSTS if data[k] is not None}
    if req.scenario is None:
        if req.phase is not None:
            raise GigaclusterError("phase", "needs --scenario")
        if not given:
            raise GigaclusterError("sizing", "give one of --facility-mw, --it-mw, --budget-usd, --accelerators "
                                             "or a --scenario")
        spec = {k: v for k, v in (sizing | choices).items() if v is not None}
        spec.setdefault("accelerator", DEFAULT_ACCELERATOR)
        return DesignSpec(**spec), CostSpec(**costs)
    scn = req.scenario if isinstance(req.scenario, Scenario) else get_scenario(req.scenario)
    return scn.design_spec(req.phase, **sizing, **choices), CostSpec(**(scn.costs | costs))


def design(req: DesignRequest) -> DesignSummary:
    """Size a cluster from power, money or a count: counts, fabric, power, capex, opex, TCO, $/GPU-hour."""
    return summary(build_cluster(*design_specs(req)))


class CostResult(Result):
    """What a GPU-hour costs on the designed cluster, and the priced run and/or serving."""

    accelerator: str = quantity("Accelerator")
    accelerators: int = quantity("Accelerators")
    rates: CostRates = quantity("Cost rates")
    run: RunCost | None = quantity("Training run", default=None)
    usd_per_mtok: float | None = quantity("Price per million tokens served", "USD/Mtok", default=None)


def cost(req: CostRequest) -> CostResult:
    """Cost of a training run (amortised GPU-hours + energy, MWh, CO2) and $ per million tokens served."""
    if req.gpu_hours is None and req.tokens_per_s_per_gpu is None:
        raise GigaclusterError("cost", "give --gpu-hours (a training run) and/or --tokens-per-s-per-gpu (serving)")
    cluster = build_cluster(*design_specs(req))
    rates = rates_of(cluster)
    run = None if req.gpu_hours is None else training_run_cost(rates, req.gpu_hours, req.it_energy_mwh)
    mtok = None if req.tokens_per_s_per_gpu is None else usd_per_mtok(rates, req.tokens_per_s_per_gpu)
    return CostResult(accelerator=cluster.design.build.accelerator, accelerators=cluster.design.counts.accelerators,
                      rates=rates, run=run, usd_per_mtok=mtok)


# ---- train and serve ---------------------------------------------------------------------------

def training_job(req: TrainRequest) -> TrainingJob:
    """The TrainingJob of a request (catalog names resolved, the batch in whole sequences)."""
    acc = get_accelerator(req.accelerator)
    fixed = FixedLayout(tp=req.tp, pp=req.pp, vpp=req.vpp, dp=req.dp, cp=req.cp, ep=req.ep,
                        micro_batch=req.micro_batch, sharding=req.sharding, recompute=req.recompute,
                        pipeline_schedule=req.pipeline_schedule)
    return TrainingJob(model=get_model(req.model), accelerator=acc, system=SystemSpec.of(acc), gpus=req.gpus,
                       seq_len=req.seq_len, global_batch_seqs=max(1, round(req.global_batch_tokens / req.seq_len)),
                       precision=req.precision, fixed=fixed)  # type: ignore[arg-type]


def train(req: TrainRequest) -> TrainingResult:
    """The best layout with its breakdowns; with ``tokens``, the run's days, GPU-hours, energy and cost
    (priced on a reference cluster of the job's size)."""
    job = training_job(req)
    result = plan_training(job, overlay_calibrations(req.calibration)[0], top_k=req.top_k)
    if req.tokens is None:
        return training_result(result)
    rates = reference_rates(job.accelerator.id, job.gpus)
    return training_result(result, training_run(job, result, req.tokens, rates, req.failure_profile))


def serve(req: ServeRequest) -> ServeResult:
    """Best serving layout under the SLOs, replicas for the peak, GPUs, MW and $/Mtok (reference cluster)."""
    traffic = Traffic(rate_rps=req.rate_rps, users=req.users, requests_per_user_day=req.requests_per_user_day,
                      peak_to_mean=req.peak_to_mean, input_len=req.input_len, output_len=req.output_len)
    slo = Slo(ttft_p99_ms=req.ttft_p99_ms, tpot_p99_ms=req.tpot_p99_ms)
    sp = plan_deployment(get_model(req.model), get_accelerator(req.accelerator), traffic, slo, req.options,
                         weight_precision=req.precision, kv_precision=req.kv_precision, tp=req.tp,
                         cal=overlay_calibrations(req.calibration)[1])
    cost_ = serving_cost(reference_rates(sp.accelerator), sp.gpus_needed, sp.mean_output_tokens_per_s)
    return ServeResult(plan=sp, cost=cost_)


# ---- fail, share, validate ---------------------------------------------------------------------

def reliability(spec: ReliabilitySpec) -> GoodputResult:
    """ETTR, interruptions by cause, MTTF, checkpoint interval and lost GPU-hours of one job."""
    return goodput(spec)


def workload(req: ScheduleRequest) -> Workload:
    """The request's jobs: a synthetic Philly-fitted workload or a (shipped or given) trace."""
    if req.trace == "synthetic":
        return generate(SyntheticSpec(jobs=req.jobs or 100_000, researchers=req.researchers,
                                      cluster_gpus=req.gpus, load=req.load, seed=req.seed))
    w = load_trace(req.trace, researchers=req.researchers, seed=req.seed)
    return w.head(req.jobs) if req.jobs else w


def schedule(req: ScheduleRequest) -> QueueReport:
    """A shared research cluster's job queue under one policy."""
    check_cluster(req.gpus, req.gpus_per_domain)
    policy = make_policy(req.policy)
    cluster = ClusterSpec(gpus=req.gpus, gpus_per_domain=req.gpus_per_domain, domains_per_pod=req.domains_per_pod,
                          cross_pod_slowdown=req.cross_pod_slowdown)
    return simulate(cluster, workload(req), policy, SimOptions(
        failures=req.failures, seed=req.seed,
        node_failures_per_1000_node_days=get_profile(DEFAULT_PROFILE).node_failures_per_1000_node_days))


Progress = Callable[[int, int, str], None]
"""A progress callback: (rows done, rows in all, the current row's id)."""


def validate(kind: str, cases: Path | None = None, progress: Progress | None = None,
             calibration: str | Path | None = None) -> ValidationReport | InferenceValidation:
    """Predict every row of a case file (``kind`` training | inference; default: the shipped file),
    optionally under a calibration overlay."""
    if kind not in ("training", "inference"):
        raise GigaclusterError("kind", f"'{kind}' not one of training, inference")
    train_cal, serve_cal = overlay_calibrations(calibration)
    if kind == "inference":
        return validate_inference(cases, progress=progress, cal=serve_cal)
    path = cases or default_cases("training.csv")
    if progress is None:
        return validate_training(path, train_cal)
    total, done = len(load_cases(path)), itertools.count(1)
    return validate_training(path, train_cal, progress=lambda case_id: progress(next(done), total, case_id))
