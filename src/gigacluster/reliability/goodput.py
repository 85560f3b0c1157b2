"""Public entry points: ``goodput(spec)`` and ``time_to_train(spec, failure_free_days)``."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from gigacluster.errors import GigaclusterError
from gigacluster.reliability import closed_form as cf
from gigacluster.reliability.model import Resolved, resolve
from gigacluster.reliability.montecarlo import simulate
from gigacluster.reliability.spec import ReliabilitySpec
from gigacluster.results import CheckedResult, Result

CLOSED_FORM_LIMIT = 0.1
"""The closed form is called valid while its loss term λ·(u0 + Δt/2) (+ stall shares) ≤ 0.1:
its linearisation of e^(−x) is then off by ≤ x²/2 = 0.5 points."""


class LostTime(CheckedResult):
    """Unproductive time by reason, in one unit (GPU-hours, days or a fraction of wall time)."""

    detection: float = 0.0
    restart: float = 0.0
    restore: float = 0.0
    spare_wait: float = 0.0
    rework: float = 0.0
    checkpoint: float = 0.0
    planned_maintenance: float = 0.0
    replica_stall: float = 0.0
    replica_recovery: float = 0.0

    @property
    def total(self) -> float:
        return float(sum(self.model_dump().values()))

    def scaled(self, factor: float) -> LostTime:
        return LostTime(**{k: v * factor for k, v in self.model_dump().items()})


class GoodputResult(Result):
    """ETTR (Meta's effective training time ratio, queue time excluded) and what ate the rest.

    MTTFs and checkpoint intervals are +inf when nothing can fail."""

    unbounded: ClassVar[frozenset[str]] = frozenset({
        "mttf_hours", "hardware_mttf_hours", "optimal_checkpoint_interval_min", "young_checkpoint_interval_min",
        "checkpoint_interval_min"})

    profile: str
    gpus: int
    days: float
    blast_radius: str
    interruptions_expected: float
    interruptions_by_cause: dict[str, float]
    planned_interruptions_expected: float
    whole_job_restarts_expected: float
    mttf_hours: float
    hardware_mttf_hours: float
    ettr_mean: float
    ettr_p5: float
    ettr_p50: float
    ettr_p95: float
    ettr_closed_form: float
    closed_form_loss: float
    closed_form_valid: bool
    optimal_checkpoint_interval_min: float
    young_checkpoint_interval_min: float
    checkpoint_interval_min: float
    checkpoint_write_s: float
    checkpoint_block_s: float
    recovery_s: float
    lost_gpu_hours: LostTime
    lost_fraction: LostTime
    replications: int
    seed: int


class TrainTime(CheckedResult):
    """Wall-clock time to train once failures are counted, with the lost days by reason."""

    failure_free_days: float
    wall_days: float
    ettr: float
    lost_days: LostTime
    interruptions_expected: float
    goodput: GoodputResult


def closed_form_ettr(res: Resolved) -> tuple[float, float]:
    """(ETTR, loss term) by Meta's approximation times the linearised stall shares."""
    base = cf.meta_ettr(res.rollback_rate_per_s, res.recovery_s, res.interval_s, res.block_s,
                        res.durable_delay_s)
    stall = sum(s.rate_per_s * s.stall_s for s in res.stalls)
    tau = res.interval_s if math.isfinite(res.interval_s) else 0.0
    loss = res.rollback_rate_per_s * (res.recovery_s + tau / 2.0 + res.durable_delay_s) + stall
    return base * max(0.0, 1.0 - stall), loss


def _hours(rate_per_s: float) -> float:
    return cf.job_mttf_hours(rate_per_s * 3600.0)


def goodput(spec: ReliabilitySpec) -> GoodputResult:
    """Failures, recovery and checkpoints of one job turned into ETTR, closed form and Monte Carlo.

    Raises GigaclusterError on bad input (unknown profile, interval shorter than the write, ...).
    """
    res = resolve(spec)
    draws = simulate(spec, res)
    horizon = spec.days * 86400.0
    ettr_cf, loss = closed_form_ettr(res)
    frac = LostTime(**draws.fractions)
    by_cause = {c: r * horizon for c, r in res.cause_rates_per_s.items()}
    p5, p50, p95 = (float(v) for v in np.percentile(draws.ettr, [5, 50, 95]))
    return GoodputResult(
        profile=res.profile.id, gpus=spec.gpus, days=spec.days, blast_radius=spec.blast_radius,
        interruptions_expected=res.unexpected_per_s * horizon, interruptions_by_cause=by_cause,
        planned_interruptions_expected=res.planned_per_s * horizon,
        whole_job_restarts_expected=res.rollback_rate_per_s * horizon,
        mttf_hours=_hours(res.unexpected_per_s), hardware_mttf_hours=_hours(res.hardware_per_s),
        ettr_mean=float(draws.ettr.mean()), ettr_p5=p5, ettr_p50=p50, ettr_p95=p95,
        ettr_closed_form=ettr_cf, closed_form_loss=loss, closed_form_valid=loss <= CLOSED_FORM_LIMIT,
        optimal_checkpoint_interval_min=res.daly_interval_s / 60.0,
        young_checkpoint_interval_min=res.young_interval_s / 60.0,
        checkpoint_interval_min=res.interval_s / 60.0, checkpoint_write_s=res.write_s,
        checkpoint_block_s=res.block_s, recovery_s=res.recovery_s,
        lost_gpu_hours=frac.scaled(spec.gpus * spec.days * 24.0), lost_fraction=frac,
        replications=spec.replications, seed=spec.seed)


def time_to_train(spec: ReliabilitySpec, failure_free_days: float) -> TrainTime:
    """Wall-clock days for ``failure_free_days`` of useful compute: wall = T0 / ETTR.

    ``spec.days`` is ignored: the window is set to the (two-pass) wall-time estimate, so the
    interruption counts refer to the whole run.
    """
    if not failure_free_days > 0:
        raise GigaclusterError("failure_free_days", f"must be > 0, got {failure_free_days}")
    first = goodput(spec.model_copy(update={"days": failure_free_days, "replications": 100}))
    if first.ettr_mean <= 0:
        raise GigaclusterError("gpus", "the job makes no progress: failures outpace recovery")
    result = goodput(spec.model_copy(update={"days": failure_free_days / first.ettr_mean}))
    if result.ettr_mean <= 0:
        raise GigaclusterError("gpus", "the job makes no progress: failures outpace recovery")
    wall = failure_free_days / result.ettr_mean
    return TrainTime(failure_free_days=failure_free_days, wall_days=wall, ettr=result.ettr_mean,
                     lost_days=result.lost_fraction.scaled(wall),
                     interruptions_expected=result.interruptions_expected * wall / result.days,
                     goodput=result)
