"""The reliability scenario: job size and length, failure profile, recovery and checkpointing."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gigacluster.limits import (
    MAX_ACCELERATORS,
    MAX_DAYS,
    MAX_RATE,
    MAX_REPLICATIONS,
    Accelerators,
    Days,
    Factor,
    Hours,
    PositiveSeconds,
    Rate,
    Replications,
    Seconds,
    Seed,
)
from gigacluster.llm.counts import param_counts
from gigacluster.llm.spec import ModelSpec

DEFAULT_CHECKPOINT_WRITE_S = 30.0
"""Write time when neither the time nor the checkpoint size is given: BLOOM-176B wrote 2.3 TB in
~40 s from 384 GPUs on GPFS/NVMe (research notes §1.5, row 067); 30 s is the figure the research
sweep used (§1.12)."""

DEFAULT_RESTORE_S = 60.0
"""Restore (checkpoint load) time when the checkpoint size is unknown; an assumption."""


class ReliabilitySpec(BaseModel):
    """One synchronous training job on a fleet with a failure profile. Units in field names.

    Recovery per whole-job failure = detection_s + restart_s + restore_s (+ wait for a spare node).
    Under ``blast_radius="replica"`` (fault-tolerant HSDP, arXiv 2602.00277) a node failure stalls
    the whole job for ``replica_stall_s`` only and costs its replica (``gpus_per_replica``) the full
    recovery; software / user failures still restart the whole job.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    gpus: Accelerators
    days: Days
    profile: str = "rsc1"
    accelerator: str | None = None
    gpus_per_node: int = Field(default=8, gt=0, le=MAX_ACCELERATORS)
    blast_radius: Literal["job", "replica"] = "job"
    gpus_per_replica: int = Field(default=1024, gt=0, le=MAX_ACCELERATORS)
    replica_stall_s: Seconds = 180.0
    detection_s: Seconds = 120.0
    restart_s: Seconds = 300.0
    restore_s: Seconds | None = None
    checkpoint_interval_min: float | None = Field(default=None, gt=0, le=MAX_DAYS * 24 * 60)
    checkpoint_mode: Literal["sync", "async"] = "sync"
    checkpoint_write_s: PositiveSeconds | None = None
    checkpoint_bytes: float | None = Field(default=None, gt=0, le=1e20)
    storage_write_gb_per_s: float = Field(default=1000.0, gt=0, le=MAX_RATE)
    storage_read_gb_per_s: float = Field(default=1000.0, gt=0, le=MAX_RATE)
    async_stall_s: Seconds = 5.0
    step_s: PositiveSeconds | None = None
    spare_nodes: int | None = Field(default=None, ge=0, le=MAX_ACCELERATORS)
    repair_hours: Hours = 24.0
    lemon_fraction: float = Field(default=0.0, ge=0, lt=1)
    lemon_hazard_multiplier: Factor = 10.0
    lemon_removal_after_failures: int | None = Field(default=2, ge=1, le=MAX_REPLICATIONS)
    node_failures_per_1000_node_days: Rate | None = None
    job_failures_per_day: Rate | None = None
    planned_per_day: Rate | None = None
    replications: Replications = 1000
    seed: Seed = 0


def checkpoint_bytes(model: ModelSpec, bytes_per_param: float = 14.0) -> float:
    """Checkpoint size in bytes: total parameters x bytes per parameter.

    14 B/param = bf16 weights (2) + fp32 master weights (4) + two fp32 Adam moments (8); 16 with
    fp32 gradients kept (research notes §1.11, row 107: 405B -> 5.7-6.5 TB).
    """
    return param_counts(model).total * bytes_per_param
