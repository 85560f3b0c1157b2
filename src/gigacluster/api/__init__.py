"""The application layer: ``plan``, ``design``, ``train``, ``serve``, ``reliability``, ``schedule``,
``cost``, ``validate`` — request specs in, typed results out. The CLI, the HTTP API and sweeps call
only these; results have ``.model_dump()``, ``.flat_rows()`` and ``.to_frame()``."""

from gigacluster.api.requests import (
    CostRequest,
    DesignRequest,
    PlanRequest,
    ScheduleRequest,
    ServeRequest,
    TrainRequest,
)
from gigacluster.api.stages import (
    CostResult,
    cost,
    design,
    design_specs,
    plan,
    reliability,
    schedule,
    serve,
    train,
    training_job,
    validate,
    workload,
)
from gigacluster.catalog.scenarios import Scenario
from gigacluster.economics.summary import DesignSummary
from gigacluster.planning.model import Plan, ServeResult, TrainingResult
from gigacluster.reliability import GoodputResult, ReliabilitySpec
from gigacluster.scheduling import QueueReport

__all__ = [
    "CostRequest", "CostResult", "DesignRequest", "DesignSummary", "GoodputResult", "Plan", "PlanRequest",
    "QueueReport",
    "ReliabilitySpec", "Scenario", "ScheduleRequest", "ServeRequest", "ServeResult", "TrainRequest",
    "TrainingResult", "cost", "design", "design_specs", "plan", "reliability", "schedule", "serve", "train",
    "training_job", "validate", "workload",
]
