"""The application layer: ``plan``, ``design``, ``train``, ``serve``, ``reliability``, ``schedule``,
``cost``, ``validate`` — request specs in, typed results out. The CLI, the HTTP API and sweeps call
only these; results have ``.model_dump()``, ``.flat_rows()`` and ``.to_frame()``."""

from gigacluster.api.calibration import calibrate, compare_calibration
from gigacluster.api.requests import CostRequest, DesignRequest, ScheduleRequest, ServeRequest, TrainRequest
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
from gigacluster.calibrate import CalibrationOverlay
from gigacluster.calibrate.compare import CompareRow
from gigacluster.calibrate.pipeline import CalibrateRequest
from gigacluster.catalog.scenarios import Scenario
from gigacluster.economics.summary import DesignSummary
from gigacluster.planning.model import Plan, ServeResult, TrainingResult
from gigacluster.reliability import GoodputResult, ReliabilitySpec
from gigacluster.scheduling import QueueReport

__all__ = [
    "CalibrateRequest", "CalibrationOverlay", "CompareRow", "calibrate", "compare_calibration",
    "CostRequest", "CostResult", "DesignRequest", "DesignSummary", "GoodputResult", "Plan", "QueueReport",
    "ReliabilitySpec", "Scenario", "ScheduleRequest", "ServeRequest", "ServeResult", "TrainRequest",
    "TrainingResult", "cost", "design", "design_specs", "plan", "reliability", "schedule", "serve", "train",
    "training_job", "validate", "workload",
]
