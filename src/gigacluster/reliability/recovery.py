"""Recovery modes (a registry from ``data/recovery.yaml``) and the best one for a job.

A mode is what a failure stops and for how long: the whole job from a checkpoint on storage
(``restart``), the whole job from in-memory checkpoints (``in_memory``), one data-parallel replica
(``replica``, FT-HSDP), or nothing but a short stall while hot spares stand in (``elastic``). Each
has a cost: a throughput factor on failure-free speed, and for ``elastic`` the spare GPUs held idle.
``best_recovery`` evaluates the modes a job can use and keeps the shortest wall-clock time.
"""

from __future__ import annotations

import functools
import math
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from gigacluster.errors import GigaclusterError, unknown
from gigacluster.reliability import closed_form as cf
from gigacluster.reliability.goodput import TrainTime, closed_form_ettr, time_to_train
from gigacluster.reliability.model import resolve
from gigacluster.reliability.spec import ReliabilitySpec

MIN_CLOSED_FORM_ETTR = 0.15
"""A mode whose closed-form ETTR is below this is not simulated: failures outpace its recovery (the
Monte Carlo would have to play out a run hundreds of times longer than failure-free)."""


class RecoveryMode(BaseModel):
    """One named recovery strategy: ReliabilitySpec overrides and its costs, with a source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    source: str
    overrides: dict[str, float | str]
    throughput_factor: float = Field(gt=0, le=1)
    min_replicas: int = Field(ge=1)
    hot_spares: bool


class RecoveryOutcome(BaseModel):
    """A mode's result for one job: wall-clock days, ETTR, spare GPUs held."""

    model_config = ConfigDict(frozen=True)

    mode: str
    wall_days: float
    ettr: float
    spare_gpus: int
    time: TrainTime


@functools.cache
def recovery_modes() -> dict[str, RecoveryMode]:
    """Every recovery mode, keyed by id (data/recovery.yaml)."""
    text = (resources.files("gigacluster.reliability") / "data" / "recovery.yaml").read_text(encoding="utf-8")
    return {k: RecoveryMode(id=k, **v) for k, v in yaml.safe_load(text).items()}


def get_mode(name: str) -> RecoveryMode:
    table = recovery_modes()
    if name not in table:
        raise unknown("recovery", name, table)
    return table[name]


def hot_spare_nodes(spec: ReliabilitySpec) -> int:
    """Spare nodes for the P99 count of nodes in repair at once (Poisson, mean = hardware rate x repair
    time; ByteRobust sizes its warm standby to the P99 simultaneous-failure count, R-rel §1.7)."""
    res = resolve(spec.model_copy(update={"spare_nodes": None}))
    m = res.hardware_per_s * spec.repair_hours * 3600.0 / max(spec.gpus / spec.gpus_per_node, 1.0)
    m *= math.ceil(spec.gpus / spec.gpus_per_node)
    k = 0
    while cf.poisson_tail(m, k) > 0.01:
        k += 1
    return k


def apply_mode(spec: ReliabilitySpec, mode: RecoveryMode, gpus_per_replica: int) -> ReliabilitySpec:
    """The job's spec under ``mode`` (replica modes fail over per ``gpus_per_replica``)."""
    data = {**mode.overrides, "gpus_per_replica": max(1, min(gpus_per_replica, spec.gpus))}
    out = spec.model_copy(update=data)
    return out.model_copy(update={"spare_nodes": None}) if mode.hot_spares else out


def evaluate(spec: ReliabilitySpec, mode: RecoveryMode, failure_free_days: float,
             gpus_per_replica: int) -> RecoveryOutcome | None:
    """``mode`` for this job: None when the job has too few replicas or makes no progress under it."""
    if spec.gpus // max(gpus_per_replica, 1) < mode.min_replicas:
        return None
    s = apply_mode(spec, mode, gpus_per_replica)
    if closed_form_ettr(resolve(s))[0] < MIN_CLOSED_FORM_ETTR:
        return None
    try:
        t = time_to_train(s, failure_free_days / mode.throughput_factor)
    except GigaclusterError:
        return None
    spares = hot_spare_nodes(s) * s.gpus_per_node if mode.hot_spares else 0
    return RecoveryOutcome(mode=mode.id, wall_days=t.wall_days, ettr=failure_free_days / t.wall_days,
                           spare_gpus=spares, time=t)


SCREEN_REPLICATIONS = 20
"""Monte Carlo replications when screening the modes; the chosen one is rerun at the spec's count."""

SCREEN_MODES = 2
"""How many modes (best by closed form) the Monte Carlo screens."""


def _closed_form_rank(spec: ReliabilitySpec, mode: RecoveryMode, gpus_per_replica: int) -> float:
    """Closed-form ETTR x throughput factor: the cheap first screen (-1 when the mode does not apply)."""
    if spec.gpus // max(gpus_per_replica, 1) < mode.min_replicas:
        return -1.0
    return closed_form_ettr(resolve(apply_mode(spec, mode, gpus_per_replica)))[0] * mode.throughput_factor


def best_recovery(spec: ReliabilitySpec, failure_free_days: float, gpus_per_replica: int,
                  modes: tuple[str, ...] | None = None) -> tuple[RecoveryOutcome, list[RecoveryOutcome]]:
    """The mode with the shortest wall-clock time (ETTR counts the throughput cost): the closed form
    ranks the modes, the best ``SCREEN_MODES`` are screened with a short Monte Carlo, and the winner
    is rerun at the spec's count. Returns it and the screened outcomes."""
    chosen = [get_mode(m) for m in modes] if modes else list(recovery_modes().values())
    ranked = sorted(chosen, key=lambda m: -_closed_form_rank(spec, m, gpus_per_replica))[:SCREEN_MODES]
    quick = spec.model_copy(update={"replications": min(SCREEN_REPLICATIONS, spec.replications)})
    outcomes = [o for m in ranked if (o := evaluate(quick, m, failure_free_days, gpus_per_replica))]
    if not outcomes:
        raise GigaclusterError("gpus", f"a {spec.gpus:,}-GPU job makes no progress under any recovery mode "
                                       f"({', '.join(m.id for m in chosen)}): failures outpace recovery")
    best = min(outcomes, key=lambda o: o.wall_days)
    full = evaluate(spec, get_mode(best.mode), failure_free_days, gpus_per_replica)
    return full or best, outcomes
