"""The application layer: ``plan``, ``design``, ``train``, ``serve``, ``reliability``, ``schedule``,
``cost``, ``validate`` — request specs in, typed results out. The CLI, the HTTP API and sweeps call
only these; results have ``.model_dump()``, ``.flat_rows()`` and ``.to_frame()``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gigacluster.api.calibration import calibrate, compare_calibration
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
from gigacluster.calibrate import CalibrationOverlay
from gigacluster.calibrate.compare import CompareRow
from gigacluster.calibrate.pipeline import CalibrateRequest
from gigacluster.catalog.scenarios import Scenario
from gigacluster.economics.summary import DesignSummary
from gigacluster.planning.model import Plan, ServeResult, TrainingResult
from gigacluster.reliability import GoodputResult, ReliabilitySpec
from gigacluster.scheduling import QueueReport

if TYPE_CHECKING:
    import pandas as pd

    from gigacluster.sweeps.run import SpecLike

__all__ = [
    "CalibrateRequest", "CalibrationOverlay", "CompareRow", "calibrate", "compare_calibration",
    "CostRequest", "CostResult", "DesignRequest", "DesignSummary", "GoodputResult", "Plan", "PlanRequest",
    "QueueReport",
    "ReliabilitySpec", "Scenario", "ScheduleRequest", "ServeRequest", "ServeResult", "TrainRequest",
    "TrainingResult", "cost", "design", "design_specs", "plan", "reliability", "schedule", "serve", "train",
    "training_job", "validate", "workload", "sweep",
]


def sweep(spec: SpecLike, out: str | Path | None = None, workers: int | None = None, scheduler: str | None = None,
          resume: bool = False) -> pd.DataFrame:
    """A design-space sweep (a SweepSpec, a mapping or a YAML path) as a pandas DataFrame, one row per point;
    see :func:`gigacluster.sweeps.run.sweep` (imported on first use: it needs the ``sweep`` extra)."""
    from gigacluster.sweeps.run import sweep as run_sweep

    return run_sweep(spec, out, workers=workers, scheduler=scheduler, resume=resume)
