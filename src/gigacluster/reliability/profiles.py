"""Failure profiles as data: per-node hardware rate, per-job software / user rate, planned
maintenance, cause weights. Loaded from ``data/profiles.yaml``; each rate carries its source."""

from __future__ import annotations

import functools
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from gigacluster.errors import unknown

SOURCE_NODE_GPUS = 8
"""GPUs per node in all the source fleets (RSC A100 and Llama 3 H100 servers are 8-GPU)."""


class FailureProfile(BaseModel):
    """One fleet's failure rates. Rates are per 8-GPU node-day (hardware) and per job-day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    source: str
    node_failures_per_1000_node_days: float = Field(ge=0)
    node_rate_note: str = ""
    job_failures_per_day: float = Field(ge=0)
    job_failure_saturation_gpus: int = Field(gt=0)
    job_rate_note: str = ""
    planned_per_day: float = Field(ge=0, default=0.0)
    planned_note: str = ""
    hardware_causes: dict[str, float]
    hardware_causes_note: str = ""
    job_causes: dict[str, float]

    def hardware_per_gpu_day(self) -> float:
        """Node-level hardware failures per GPU-day: r_f / 8 (Kokolis et al. 2025 series model)."""
        return self.node_failures_per_1000_node_days / 1000.0 / SOURCE_NODE_GPUS

    def job_per_day(self, gpus: int) -> float:
        """Per-job software / user failures per day for a job of ``gpus`` GPUs.

        Linear in job size up to ``job_failure_saturation_gpus``, flat above (see the data file
        for how the two RSC-1 measured MTTFs fix the two constants).
        """
        return self.job_failures_per_day * min(1.0, gpus / self.job_failure_saturation_gpus)


DEFAULT_PROFILE = "llama3"
"""The failure profile every command uses unless told otherwise: Llama 3 405B's 54-day run on 16,384 H100
(Meta 2024) is the only published large-scale synchronous training run with counts by cause."""


@functools.cache
def load_profiles() -> dict[str, FailureProfile]:
    """Every packaged profile, keyed by id (``rsc1``, ``rsc2``, ``llama3``)."""
    path = resources.files("gigacluster.reliability") / "data" / "profiles.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {pid: FailureProfile(id=pid, **entry) for pid, entry in raw.items()}


def get_profile(name: str) -> FailureProfile:
    """A profile by id (case-insensitive); unknown names list the closest ones."""
    table = load_profiles()
    key = name.strip().lower()
    if key not in table:
        raise unknown("profile", name, table)
    return table[key]
