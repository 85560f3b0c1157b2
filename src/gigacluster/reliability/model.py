"""Resolve a ReliabilitySpec into rates, recovery times and a checkpoint plan (all closed form)."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from gigacluster.catalog import get_accelerator
from gigacluster.errors import GigaclusterError
from gigacluster.reliability import closed_form as cf
from gigacluster.reliability.profiles import SOURCE_NODE_GPUS, FailureProfile, get_profile
from gigacluster.reliability.spec import DEFAULT_CHECKPOINT_WRITE_S, DEFAULT_RESTORE_S, ReliabilitySpec

_DAY_S = 86400.0


class Stall(BaseModel):
    """A failure stream that stalls the job for ``stall_s`` without rolling back its work."""

    model_config = ConfigDict(frozen=True)

    reason: str
    rate_per_s: float
    stall_s: float


class Resolved(BaseModel):
    """Everything the closed forms and the Monte Carlo need, derived from one spec."""

    model_config = ConfigDict(frozen=True)

    profile: FailureProfile
    nodes: int
    hardware_per_s: float
    job_per_s: float
    planned_per_s: float
    cause_rates_per_s: dict[str, float]
    recovery_parts_s: dict[str, float]
    write_s: float
    block_s: float
    durable_delay_s: float
    rollback_rate_per_s: float
    interval_s: float
    young_interval_s: float
    daly_interval_s: float
    stalls: tuple[Stall, ...]
    replicas: int

    @property
    def recovery_s(self) -> float:
        return sum(self.recovery_parts_s.values())

    @property
    def unexpected_per_s(self) -> float:
        return self.hardware_per_s + self.job_per_s


def _rates(spec: ReliabilitySpec, prof: FailureProfile) -> tuple[float, float, float]:
    """Job-level hardware, per-job software / user, and planned rates, per second."""
    per_gpu_day = (spec.node_failures_per_1000_node_days / 1000.0 / SOURCE_NODE_GPUS if
                   spec.node_failures_per_1000_node_days is not None else prof.hardware_per_gpu_day())
    job_day = (spec.job_failures_per_day * min(1.0, spec.gpus / prof.job_failure_saturation_gpus)
               if spec.job_failures_per_day is not None else prof.job_per_day(spec.gpus))
    planned_day = spec.planned_per_day if spec.planned_per_day is not None else prof.planned_per_day
    return per_gpu_day * spec.gpus / _DAY_S, job_day / _DAY_S, planned_day / _DAY_S


def _causes(prof: FailureProfile, hw: float, job: float, planned: float) -> dict[str, float]:
    out: dict[str, float] = {}
    for weights, total in ((prof.hardware_causes, hw), (prof.job_causes, job)):
        norm = sum(weights.values())
        for cause, w in weights.items():
            out[cause] = out.get(cause, 0.0) + total * w / norm
    out["planned_maintenance"] = planned
    return out


def _checkpoint_times(spec: ReliabilitySpec) -> tuple[float, float]:
    """(write_s, restore_s): given, else checkpoint size / storage bandwidth, else defaults."""
    size = spec.checkpoint_bytes
    write = spec.checkpoint_write_s or (size / (spec.storage_write_gb_per_s * 1e9) if size
                                        else DEFAULT_CHECKPOINT_WRITE_S)
    restore = spec.restore_s if spec.restore_s is not None else (
        size / (spec.storage_read_gb_per_s * 1e9) if size else DEFAULT_RESTORE_S)
    return write, restore


def _spare_wait_s(spec: ReliabilitySpec, hw_per_s: float) -> float:
    """Mean wait for a replacement node per hardware failure (0 with unlimited hot spares).

    Nodes in repair ~ Poisson(m), m = λ_hw · repair time (M/G/∞); a failure finds no spare when
    that count is ≥ spare_nodes, and then waits for the first repair to finish, ≈ repair/(m+1).
    """
    if spec.spare_nodes is None:
        return 0.0
    repair_s = spec.repair_hours * 3600.0
    m = hw_per_s * repair_s
    return cf.poisson_tail(m, spec.spare_nodes) * repair_s / (m + 1.0)


def _interval_s(spec: ReliabilitySpec, block_s: float, write_s: float, rollback_per_s: float,
                step_s: float | None) -> tuple[float, float, float]:
    """(chosen, Young, Daly) compute time between checkpoints; 'auto' takes Daly."""
    mttf_s = cf.job_mttf_hours(rollback_per_s * 3600.0) * 3600.0
    young = cf.young_interval_s(block_s, mttf_s)
    daly = cf.daly_interval_s(block_s, mttf_s)
    if spec.checkpoint_interval_min is not None:
        chosen = spec.checkpoint_interval_min * 60.0
        if chosen < write_s:
            raise GigaclusterError("checkpoint_interval_min", f"{spec.checkpoint_interval_min:g} min is "
                                   f"shorter than the checkpoint write ({write_s:.1f} s)")
        return chosen, young, daly
    chosen = max(daly, write_s, block_s, 1.0)
    if step_s and math.isfinite(chosen):
        chosen = math.ceil(chosen / step_s) * step_s
    return chosen, young, daly


def resolve(spec: ReliabilitySpec) -> Resolved:
    """Rates, recovery, checkpoint plan and stall streams of ``spec``; raises on bad input."""
    prof = get_profile(spec.profile)
    if spec.accelerator is not None:
        get_accelerator(spec.accelerator)
    hw, job, planned = _rates(spec, prof)
    write, restore = _checkpoint_times(spec)
    sync = spec.checkpoint_mode == "sync"
    block, delay = (write, 0.0) if sync else (min(spec.async_stall_s, write), write)
    replica = spec.blast_radius == "replica"
    rollback = job if replica else hw + job
    parts = {"detection": spec.detection_s, "restart": spec.restart_s, "restore": restore,
             "spare_wait": 0.0 if replica else _spare_wait_s(spec, hw) * hw / max(rollback, 1e-300)}
    interval, young, daly = _interval_s(spec, block, write, rollback, spec.step_s)
    replicas = max(1, spec.gpus // spec.gpus_per_replica)
    planned_stall = spec.restart_s + restore + block
    stalls = [Stall(reason="planned_maintenance", rate_per_s=planned, stall_s=planned_stall)]
    if replica:
        replica_down = spec.detection_s + spec.restart_s + restore + _spare_wait_s(spec, hw)
        stalls.append(Stall(reason="replica_stall", rate_per_s=hw, stall_s=spec.replica_stall_s))
        stalls.append(Stall(reason="replica_recovery", rate_per_s=hw, stall_s=replica_down / replicas))
    return Resolved(
        profile=prof, nodes=math.ceil(spec.gpus / spec.gpus_per_node), hardware_per_s=hw, job_per_s=job,
        planned_per_s=planned, cause_rates_per_s=_causes(prof, hw, job, planned), recovery_parts_s=parts,
        write_s=write, block_s=block, durable_delay_s=delay, rollback_rate_per_s=rollback,
        interval_s=interval, young_interval_s=young, daly_interval_s=daly, stalls=tuple(stalls),
        replicas=replicas)
