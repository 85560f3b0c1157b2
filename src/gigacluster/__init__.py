"""gigacluster: a digital twin and planner for gigawatt-scale AI superclusters.

The application layer is re-exported here: ``gigacluster.plan("prometheus")``,
``gigacluster.train(gigacluster.TrainRequest(...))`` and so on (see ``docs/python-api.md``)."""

from gigacluster.errors import GigaclusterError

__version__ = "0.1.0"

_API = ("CostRequest", "CostResult", "DesignRequest", "DesignSummary", "GoodputResult", "Plan", "PlanRequest",
        "QueueReport", "ReliabilitySpec", "Scenario", "ScheduleRequest", "ServeRequest", "ServeResult", "TrainRequest",
        "TrainingResult", "cost", "design", "plan", "schedule", "serve", "sweep", "train")
_RENAMED = {"goodput": "reliability", "validate_cases": "validate"}
"""``gigacluster.reliability`` and ``gigacluster.validate`` are subpackages, so their application functions
are re-exported under these names (and stay ``gigacluster.api.reliability`` / ``gigacluster.api.validate``)."""

__all__ = ["GigaclusterError", "__version__", *_API, *_RENAMED]


def __getattr__(name: str) -> object:
    """The application layer, imported on first use (so ``import gigacluster`` stays light)."""
    if name in _API or name in _RENAMED:
        from gigacluster import api

        return getattr(api, _RENAMED.get(name, name))
    raise AttributeError(f"module 'gigacluster' has no attribute {name!r}")
