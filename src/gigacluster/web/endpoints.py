"""The HTTP API's endpoints: one per application-layer call, each a request spec in and a typed result
out. A table, so the app (:mod:`gigacluster.web.app`) builds every route the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from gigacluster import api
from gigacluster.api.requests import (
    CostRequest,
    DesignRequest,
    PlanRequest,
    ScheduleRequest,
    ServeRequest,
    TrainRequest,
)
from gigacluster.catalog import accelerator_ids, model_ids
from gigacluster.catalog.scenarios import Scenario, load_scenarios
from gigacluster.economics.summary import DesignSummary
from gigacluster.planning.model import Plan, ServeResult, TrainingResult
from gigacluster.reliability import GoodputResult, ReliabilitySpec
from gigacluster.reliability.profiles import load_profiles
from gigacluster.scheduling import QueueReport
from gigacluster.scheduling.policies import POLICIES
from gigacluster.validate.inference import InferenceValidation
from gigacluster.validate.training import ValidationReport
from gigacluster.web.limits import SHIPPED_TRACES


class ValidateRequest(BaseModel):
    """Predict every shipped published case of one kind (the server's own files only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["training", "inference"] = "training"


@dataclass(frozen=True)
class Endpoint:
    """``POST /api/{name}``: validate ``request``, check the limits, run ``call``, answer ``result``."""

    name: str
    request: type[BaseModel]
    call: Callable[[Any], BaseModel]
    result: type[BaseModel] | Any
    summary: str


ENDPOINTS = (
    Endpoint("plan", PlanRequest, api.plan, Plan,
             "Every stage for a scenario (with optional what-if overrides): the CLI's `plan --format json`"),
    Endpoint("design", DesignRequest, api.design, DesignSummary, "Size a cluster from power, money or a count"),
    Endpoint("train", TrainRequest, api.train, TrainingResult, "Best training layout, step and memory breakdowns"),
    Endpoint("serve", ServeRequest, api.serve, ServeResult, "Serving fleet under latency SLOs, its power and price"),
    Endpoint("schedule", ScheduleRequest, api.schedule, QueueReport, "A shared research cluster's job queue"),
    Endpoint("reliability", ReliabilitySpec, api.reliability, GoodputResult, "ETTR and failures of one job"),
    Endpoint("cost", CostRequest, api.cost, api.CostResult, "Cost of a training run and/or serving"),
    Endpoint("validate", ValidateRequest, lambda r: api.validate(r.kind), ValidationReport | InferenceValidation,
             "Predict the shipped published cases (training ~10 s, inference ~30 s)"),
)


class Options(BaseModel):
    """The names the request fields accept (for forms such as the dashboard's)."""

    scenarios: list[str]
    accelerators: list[str]
    models: list[str]
    failure_profiles: list[str]
    policies: list[str]
    traces: list[str]


def options() -> Options:
    """Every catalog name a request may use."""
    return Options(scenarios=list(load_scenarios()), accelerators=accelerator_ids(), models=model_ids(),
                   failure_profiles=[*load_profiles(), "none"], policies=list(POLICIES), traces=list(SHIPPED_TRACES))


def scenarios() -> list[Scenario]:
    """The shipped scenarios with their design inputs and workloads (the dashboard's defaults)."""
    return list(load_scenarios().values())
