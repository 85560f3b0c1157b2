"""Bounded work per request: size limits checked before any work starts, a concurrency limit and a time
limit (see :mod:`gigacluster.web.runner`). An oversize request is refused (413), never run."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gigacluster.api.requests import (
    CostRequest,
    DesignRequest,
    PlanRequest,
    ScheduleRequest,
    ServeRequest,
    TrainRequest,
)
from gigacluster.catalog.scenarios import scenario_ids
from gigacluster.errors import GigaclusterError
from gigacluster.reliability import ReliabilitySpec

SHIPPED_TRACES = ("synthetic", "philly", "alibaba")


class WebLimits(BaseModel):
    """What one HTTP request may ask for. Defaults allow every shipped scenario (the largest, hyperion's
    full phase, is ~5 GW) and refuse work that would hold a worker for minutes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_accelerators: int = Field(2_000_000, gt=0, description="cluster size (design sizing, job GPUs)")
    max_facility_mw: float = Field(10_000, gt=0, description="facility / IT power sizing, MW")
    max_budget_usd: float = Field(1e12, gt=0, description="capex budget sizing, USD")
    max_train_gpus: int = Field(262_144, gt=0, description="GPUs of one training layout search")
    max_schedule_jobs: int = Field(20_000, gt=0, description="jobs of one scheduling simulation")
    max_schedule_gpus: int = Field(200_000, gt=0, description="GPUs of a simulated research cluster")
    max_researchers: int = Field(20_000, gt=0, description="researchers sharing the cluster")
    max_replications: int = Field(5_000, gt=0, description="Monte Carlo runs of a reliability estimate")
    max_users: float = Field(1e10, gt=0, description="daily active users of serving traffic")
    max_concurrent: int = Field(2, gt=0, description="computations running at once")
    max_waiting: int = Field(32, ge=0, description="computations queued behind them before 429")
    timeout_s: float = Field(120.0, gt=0, description="time limit per request, s (504 after it)")
    cache_entries: int = Field(256, ge=0, description="results kept in the LRU cache")


class Oversize(Exception):
    """A request asks for more work than the server's limits allow."""

    def __init__(self, field: str, value: float, limit: float) -> None:
        self.field, self.value, self.limit = field, value, limit
        super().__init__(f"{field}: {value:g} exceeds this server's limit of {limit:g}")


# request type -> (field, the WebLimits attribute bounding it)
BOUNDS: dict[type[BaseModel], tuple[tuple[str, str], ...]] = {
    PlanRequest: (("accelerators", "max_accelerators"), ("facility_mw", "max_facility_mw"),
                  ("budget_usd", "max_budget_usd"), ("researchers", "max_researchers"),
                  ("daily_active_users", "max_users")),
    DesignRequest: (("accelerators", "max_accelerators"), ("facility_mw", "max_facility_mw"),
                    ("it_mw", "max_facility_mw"), ("budget_usd", "max_budget_usd")),
    TrainRequest: (("gpus", "max_train_gpus"),),
    ServeRequest: (("users", "max_users"),),
    ScheduleRequest: (("gpus", "max_schedule_gpus"), ("jobs", "max_schedule_jobs"),
                      ("researchers", "max_researchers")),
    ReliabilitySpec: (("gpus", "max_accelerators"), ("replications", "max_replications")),
}
BOUNDS[CostRequest] = BOUNDS[DesignRequest]


def _scenario_id(value: str | None) -> None:
    """Over HTTP a scenario is a shipped id, never a file path on the server."""
    if value is not None and value not in scenario_ids():
        raise GigaclusterError("scenario", f"'{value}' is not a shipped scenario; allowed: {', '.join(scenario_ids())}")


def _schedule(req: ScheduleRequest) -> None:
    if req.trace not in SHIPPED_TRACES:
        raise GigaclusterError("trace", f"'{req.trace}' not one of {', '.join(SHIPPED_TRACES)} (no server files)")
    if req.jobs is None:
        raise GigaclusterError("jobs", "give a job count over HTTP (the whole trace or the default 100,000 "
                                       "synthetic jobs is more than one request may simulate)")


def check(req: BaseModel, limits: WebLimits) -> None:
    """Raise :class:`Oversize` (or a GigaclusterError) when ``req`` asks for more than ``limits`` allow."""
    for field, attr in BOUNDS.get(type(req), ()):
        value, limit = getattr(req, field), getattr(limits, attr)
        if value is not None and value > limit:
            raise Oversize(field, value, limit)
    if isinstance(req, DesignRequest | PlanRequest):
        _scenario_id(req.scenario if isinstance(req.scenario, str) else None)  # inline Scenario data is fine
    if isinstance(req, ScheduleRequest):
        _schedule(req)
