"""What one sweep point runs: a registry of named stages, each calling only the application layer.

A point's inputs are split three ways: ``phase``; dotted paths of the scenario file (applied to the base
scenario's data, which is then re-validated as a :class:`Scenario`); and fields of the stage's request.
Sweeping a sizing (``design.facility_mw`` …) or ``design.accelerator`` replaces the phases' own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from gigacluster import api
from gigacluster.catalog.scenarios import Scenario, ServingWorkload, TrainingWorkload, get_scenario, resolve_model
from gigacluster.economics.spec import CostSpec
from gigacluster.errors import GigaclusterError, closest
from gigacluster.hardware.spec import SIZINGS, DesignSpec
from gigacluster.results import Result
from gigacluster.sweeps import headlines as h
from gigacluster.sweeps.spec import Frontier, Scalar, SweepSpec

SUBMODELS: dict[str, type[BaseModel]] = {"design": DesignSpec, "training": TrainingWorkload,
                                         "serving": ServingWorkload, "costs": CostSpec}
SCENARIO_FIELDS = tuple(f for f in Scenario.model_fields if f not in ("id", "phases"))
Runner = Callable[[Scenario | None, str | None, dict[str, Any]], Result]


@dataclass(frozen=True)
class Stage:
    """A named stage: its request model (None for plan), its runner, its default frontiers, and how many
    points make about a second of work (the smallest default chunk, so task overhead stays small)."""

    name: str
    request: type[BaseModel] | None
    headline: type[Result]
    run: Runner
    frontiers: tuple[Frontier, ...]
    points_per_s: int = 1


# ---- scenario overrides --------------------------------------------------------------------------

def axis_kind(stage: Stage, key: str, has_base: bool) -> str:
    """'phase', 'scenario' or 'request' for an axis key; an error naming the allowed keys otherwise."""
    head, _, rest = key.partition(".")
    if key == "phase":
        return "phase"
    if head in SUBMODELS and rest in SUBMODELS[head].model_fields and has_base:
        return "scenario"
    if not rest and head in SCENARIO_FIELDS and has_base:
        return "scenario"
    fields = stage.request.model_fields if stage.request else {}
    if key in fields and key not in ("scenario", "phase"):
        if has_base and key == "accelerator" and stage.name in ("train", "serve"):
            raise GigaclusterError(key, "with a base scenario, sweep design.accelerator (the cluster's)")
        return "request"
    allowed = _allowed(stage, has_base)
    near = closest(key, allowed)
    hint = f"did you mean {', '.join(near)}? " if near else ""
    raise GigaclusterError(key, f"not a field of the scenario or the {stage.name} request; {hint}"
                                f"allowed: {', '.join(allowed[:60])}{' …' if len(allowed) > 60 else ''}")


def _allowed(stage: Stage, has_base: bool) -> list[str]:
    keys = ["phase"]
    if has_base:
        keys += [f"{head}.{f}" for head, m in SUBMODELS.items() for f in m.model_fields]
        keys += [f for f in SCENARIO_FIELDS if f not in SUBMODELS]
    if stage.request is not None:
        keys += [f for f in stage.request.model_fields if f not in ("scenario", "phase")]
    return keys


def apply_overrides(scn: Scenario, overrides: dict[str, Scalar]) -> Scenario:
    """The scenario with dotted-path values set, re-validated (a bad value is one error naming the path)."""
    data = scn.model_dump()
    for key, value in overrides.items():
        head, _, rest = key.partition(".")
        if rest:
            data[head] = dict(data[head] or {}) | {rest: value}
        else:
            data[head] = value
    _reconcile(data, set(overrides))
    try:
        return Scenario(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        raise GigaclusterError(f"scenario.{loc}", str(first.get("msg", "invalid"))) from None


def _reconcile(data: dict[str, Any], keys: set[str]) -> None:
    """A swept sizing replaces the base's other sizings and the phases' sizings; a swept accelerator the
    phases' accelerator (otherwise the phase would silently win)."""
    sized = [k for k in SIZINGS if f"design.{k}" in keys]
    if sized:
        data["design"] = {k: v for k, v in data["design"].items() if k not in SIZINGS or k in sized}
    cleared = ([*SIZINGS] if sized else []) + (["accelerator"] if "design.accelerator" in keys else [])
    data["phases"] = [p | {k: None for k in cleared} for p in data["phases"]]


def base_scenario(base: str | None) -> Scenario | None:
    return None if base is None else get_scenario(base)


# ---- runners -------------------------------------------------------------------------------------

def _design(scn: Scenario | None, phase: str | None, req: dict[str, Any]) -> api.DesignSummary:
    return api.design(api.DesignRequest(scenario=scn, phase=phase, **req))


def run_design(scn: Scenario | None, phase: str | None, req: dict[str, Any]) -> Result:
    return h.design_headline(_design(scn, phase, req))


def _train_defaults(scn: Scenario, d: api.DesignSummary) -> dict[str, Any]:
    t = scn.training
    return {"model": resolve_model(t.model), "accelerator": d.accelerator, "gpus": d.accelerators,
            "seq_len": t.seq_len, "global_batch_tokens": t.global_batch_tokens, "precision": t.precision,
            "tokens": t.tokens}


def run_train(scn: Scenario | None, phase: str | None, req: dict[str, Any]) -> Result:
    """The best layout for a job on the scenario's cluster (job size ≤ the cluster), its run priced on
    that cluster; without a base, ``gigacluster train``'s reference pricing."""
    if scn is None:
        return h.TrainHeadline.model_validate(h.train_fields(api.train(api.TrainRequest(**req))))
    d = _design(scn, phase, {})
    request = api.TrainRequest(**(_train_defaults(scn, d) | req))
    if request.gpus > d.accelerators:
        raise GigaclusterError("gpus", f"a job of {request.gpus} GPUs exceeds the cluster's {d.accelerators}")
    t = api.train(request)
    fields = h.design_headline(d).model_dump() | h.train_fields(t)
    if t.run is not None:
        priced = api.cost(api.CostRequest(scenario=scn, phase=phase, gpu_hours=t.run.gpu_hours,
                                          it_energy_mwh=t.run.it_energy_mwh))
        fields["run_cost_usd"] = priced.run.total_usd if priced.run else None
    return h.TrainHeadline.model_validate(fields)


def _serve_defaults(scn: Scenario, phase: str | None) -> dict[str, Any]:
    s = scn.serving
    return {"model": resolve_model(s.model), "accelerator": scn.design_spec(phase).accelerator,
            "users": s.daily_active_users, "requests_per_user_day": s.requests_per_user_day,
            "input_len": s.input_len, "output_len": s.output_len, "ttft_p99_ms": s.ttft_p99_ms,
            "tpot_p99_ms": s.tpot_p99_ms}


def run_serve(scn: Scenario | None, phase: str | None, req: dict[str, Any]) -> Result:
    """The serving fleet for the traffic; with a base, priced on the scenario's cluster."""
    if scn is None:
        return h.serve_headline(api.serve(api.ServeRequest(**req)))
    out = api.serve(api.ServeRequest(**(_serve_defaults(scn, phase) | req)))
    p = out.plan
    if p.gpus_needed <= 0 or p.mean_output_tokens_per_s <= 0:
        return h.serve_headline(out)
    priced = api.cost(api.CostRequest(scenario=scn, phase=phase,
                                      tokens_per_s_per_gpu=p.mean_output_tokens_per_s / p.gpus_needed))
    return h.serve_headline(out, priced.usd_per_mtok)


def run_schedule(scn: Scenario | None, phase: str | None, req: dict[str, Any]) -> Result:
    """The job queue; with a base, on the scenario's accelerators with its researchers and policy."""
    if scn is None:
        return h.schedule_headline(api.schedule(api.ScheduleRequest(**req)))
    d = _design(scn, phase, {})
    domain = int(req.get("gpus_per_domain", d.system.scaleup_domain))
    defaults = {"gpus": d.accelerators - d.accelerators % domain, "gpus_per_domain": domain,
                "researchers": scn.researchers, "policy": scn.scheduling_policy, "jobs": 10_000}
    return h.schedule_headline(api.schedule(api.ScheduleRequest(**(defaults | req))))


def run_reliability(scn: Scenario | None, phase: str | None, req: dict[str, Any]) -> Result:
    """One job's goodput; with a base, the whole cluster's accelerators by default."""
    defaults: dict[str, Any] = {}
    if scn is not None:
        d = _design(scn, phase, {})
        defaults = {"gpus": d.accelerators, "accelerator": d.accelerator}
    return h.reliability_headline(api.reliability(api.ReliabilitySpec(**(defaults | req))))


def run_plan(scn: Scenario | None, phase: str | None, req: dict[str, Any]) -> Result:
    if scn is None:
        raise GigaclusterError("base", "stage 'plan' needs a base scenario")
    return h.plan_headline(api.plan(scn, phase))


_TIME_COST = Frontier(x="wall_days", y="run_cost_usd")
_SERVE = Frontier(x="usd_per_mtok", y="tokens_per_s_per_user", y_goal="max")
STAGES: dict[str, Stage] = {s.name: s for s in (
    Stage("plan", None, h.PlanHeadline, run_plan, (_TIME_COST, _SERVE), points_per_s=1),
    Stage("design", api.DesignRequest, h.DesignHeadline, run_design,
          (Frontier(x="capex_usd", y="accelerators", y_goal="max"),), points_per_s=200),
    Stage("train", api.TrainRequest, h.TrainHeadline, run_train, (_TIME_COST,), points_per_s=16),
    Stage("serve", api.ServeRequest, h.ServeHeadline, run_serve, (_SERVE,), points_per_s=2),
    Stage("schedule", api.ScheduleRequest, h.ScheduleHeadline, run_schedule,
          (Frontier(x="queue_wait_h_mean", y="utilization", y_goal="max"),), points_per_s=1),
    Stage("reliability", api.ReliabilitySpec, h.ReliabilityHeadline, run_reliability,
          (Frontier(x="checkpoint_interval_min", y="ettr_mean", y_goal="max"),), points_per_s=8),
)}


def with_calibration(spec: SweepSpec, path: str) -> SweepSpec:
    """The spec with a calibration overlay for every point: the request's ``calibration`` (train, serve)
    or the base scenario's ``calibration:`` key as a one-value axis (plan)."""
    stage = STAGES[spec.stage]
    if stage.request is not None and "calibration" in stage.request.model_fields:
        return spec.model_copy(update={"request": spec.request | {"calibration": path}})
    if spec.stage == "plan":
        return spec.model_copy(update={"axes": spec.axes | {"calibration": [path]}})
    raise GigaclusterError("calibration", f"stage '{spec.stage}' uses no calibration; allowed with: plan, train, serve")
