"""Vectorised Monte Carlo of one job's failures, recoveries and checkpoints (NumPy, seeded).

Renewal model (Daly 2006): failures arrive as a Poisson process in wall-clock time. Each failure
starts a recovery of R seconds (a failure during recovery starts it again); then the job computes
τ seconds and blocks b seconds per checkpoint. A failure loses the work since the last *durable*
checkpoint: for a synchronous write that is the last finished one; an asynchronous one becomes
durable ``delay`` seconds after its snapshot. All gaps of all replications are drawn at once as a
(replications × failures) matrix, in chunks to bound memory.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from gigacluster.errors import GigaclusterError
from gigacluster.reliability.model import Resolved
from gigacluster.reliability.spec import ReliabilitySpec

_CHUNK_ELEMENTS = 1 << 20
MAX_DRAWS = 200_000_000
"""Failure gaps drawn over all streams and replications before a run is refused up front: ~10 s
and, in chunks of ``_CHUNK_ELEMENTS``, a few hundred MB on a laptop core."""
MAX_DRAWS_PER_REPLICATION = 10_000_000
"""One replication's gaps are drawn as one row: 1e7 float64 = 80 MB per temporary (~10 of them)."""


class StreamTotals(NamedTuple):
    """Seconds per replication: useful work, recovery, rework (lost), checkpoint blocking; events."""

    useful: np.ndarray
    recovery: np.ndarray
    rework: np.ndarray
    checkpoint: np.ndarray
    events: np.ndarray


class Draws(NamedTuple):
    """What the Monte Carlo returns: per-replication ETTR and mean fractions of wall time."""

    ettr: np.ndarray
    fractions: dict[str, float]
    events_mean: float


def _gaps(rng: np.random.Generator, rates: np.ndarray, horizon_s: float) -> np.ndarray:
    """Inter-failure gaps, shape (m, k), enough columns that every row passes the horizon."""
    mu = float(rates.max()) * horizon_s
    k = int(mu + 6.0 * math.sqrt(mu) + 16)
    g = rng.standard_exponential((rates.size, k)) / rates[:, None]
    while g.sum(axis=1).min() < horizon_s:
        g = np.concatenate([g, rng.standard_exponential((rates.size, k)) / rates[:, None]], axis=1)
    return g


def _checkpointed(c: np.ndarray, failed: np.ndarray, tau: float, block: float, delay: float,
                  rollback: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(compute kept, checkpoint blocking, rework) for productive stretches ``c`` of each gap."""
    if not math.isfinite(tau):
        lost = np.where(failed, c, 0.0) if rollback else np.zeros_like(c)
        return c - lost, np.zeros_like(c), lost
    period = tau + block
    n = np.floor(c / period)
    rem = c - n * period
    compute = n * tau + np.minimum(rem, tau)
    ckpt = c - compute
    if not rollback:
        return compute, ckpt, np.zeros_like(c)
    durable = n if delay <= 0 else np.minimum(np.floor(np.maximum(c - delay, 0.0) / period), n)
    lost = np.where(failed, compute - durable * tau, 0.0)
    return compute - lost, ckpt, lost


def simulate_stream(rng: np.random.Generator, rates_per_s: np.ndarray, horizon_s: float, recovery_s: float,
                    interval_s: float = math.inf, block_s: float = 0.0, delay_s: float = 0.0,
                    rollback: bool = True) -> StreamTotals:
    """Totals per replication of one failure stream over ``horizon_s`` (one rate per replication).

    The window opens mid-run at a checkpoint, so the first gap has no recovery; the stretch cut by
    the window's end is not lost (the run goes on).
    """
    m = rates_per_s.size
    if float(rates_per_s.max(initial=0.0)) <= 0.0:
        z = np.zeros(m)
        return StreamTotals(np.full(m, horizon_s), z, z, z, z)
    parts: list[tuple[np.ndarray, ...]] = []
    step = max(1, _CHUNK_ELEMENTS // max(1, int(rates_per_s.max() * horizon_s) + 16))
    for lo in range(0, m, step):
        rates = np.maximum(rates_per_s[lo:lo + step], 1e-300)
        g = _gaps(rng, rates, horizon_s)
        end = np.cumsum(g, axis=1)
        gl = np.clip(np.minimum(end, horizon_s) - (end - g), 0.0, None)
        failed = end < horizon_s
        rec = np.minimum(gl, recovery_s)
        rec[:, 0] = 0.0
        useful, ckpt, lost = _checkpointed(gl - rec, failed, interval_s, block_s, delay_s, rollback)
        parts.append(tuple(a.sum(axis=1) for a in (useful, rec, lost, ckpt, failed)))
    return StreamTotals(*(np.concatenate([p[i] for p in parts]) for i in range(5)))


def hardware_rates(rng: np.random.Generator, spec: ReliabilitySpec, res: Resolved) -> np.ndarray:
    """Job hardware failure rate per replication; lemon nodes make it vary between replications.

    A share f of nodes fails M times as often as the rest, with the fleet mean kept at the profile
    rate (healthy rate r/(1 − f + f·M)); each lemon is removed after ``lemon_removal_after_failures``
    failures (its failures are spread over the window: an approximation).
    """
    reps, base = spec.replications, res.hardware_per_s
    f, mult = spec.lemon_fraction, spec.lemon_hazard_multiplier
    if f <= 0.0 or base <= 0.0:
        return np.full(reps, base)
    horizon = spec.days * 86400.0
    r_node = base / res.nodes
    healthy = r_node / (1.0 - f + f * mult)
    lemons = rng.binomial(res.nodes, f, size=reps)
    counts = rng.poisson(mult * healthy * horizon, size=int(lemons.sum())).astype(float)
    if spec.lemon_removal_after_failures is not None:
        counts = np.minimum(counts, spec.lemon_removal_after_failures)
    per_rep = np.bincount(np.repeat(np.arange(reps), lemons), weights=counts, minlength=reps)
    return (res.nodes - lemons) * healthy + per_rep / horizon


def _row_draws(rate_per_s: float, horizon_s: float) -> float:
    """Gaps drawn per replication for one stream (as ``_gaps`` sizes its first batch)."""
    mu = rate_per_s * horizon_s
    return mu + 6.0 * math.sqrt(mu) + 16.0 if mu > 0 else 0.0


def check_work(spec: ReliabilitySpec, res: Resolved) -> float:
    """Refuse up front a Monte Carlo that would exceed the draw limits; returns the draws it needs."""
    horizon = spec.days * 86400.0
    worst_hw = res.hardware_per_s * (1.0 + spec.lemon_fraction * spec.lemon_hazard_multiplier)
    rates = [worst_hw + res.job_per_s] + [s.rate_per_s * (worst_hw / res.hardware_per_s if
                                          res.hardware_per_s > 0 else 1.0) for s in res.stalls]
    rows = [_row_draws(r, horizon) for r in rates]
    total = sum(rows) * spec.replications
    if max(rows) > MAX_DRAWS_PER_REPLICATION or total > MAX_DRAWS:
        raise GigaclusterError(
            "replications", f"the Monte Carlo would draw ~{total:.3g} failure gaps ({max(rows):.3g} per "
            f"replication x {spec.replications:,} replications over {spec.days:g} days); limits "
            f"{MAX_DRAWS:.0e} in all and {MAX_DRAWS_PER_REPLICATION:.0e} per replication: lower "
            "replications, days or gpus")
    return total


def simulate(spec: ReliabilitySpec, res: Resolved) -> Draws:
    """ETTR per replication and mean wall-time fractions by reason (``np.random.default_rng(seed)``).

    The rollback stream (whole-job restarts) and the stall streams (planned maintenance, replica
    stalls) are drawn independently and combined as ETTR = ETTR_rollback · Π(1 − stall share).
    """
    check_work(spec, res)
    rng = np.random.default_rng(spec.seed)
    horizon = spec.days * 86400.0
    hw = hardware_rates(rng, spec, res)
    replica = spec.blast_radius == "replica"
    roll_rates = np.full(spec.replications, res.job_per_s) if replica else hw + res.job_per_s
    main = simulate_stream(rng, roll_rates, horizon, res.recovery_s, res.interval_s, res.block_s,
                           res.durable_delay_s)
    keep = np.ones(spec.replications)
    stall_share: dict[str, np.ndarray] = {}
    for stall in res.stalls:
        scale = stall.rate_per_s / res.hardware_per_s if res.hardware_per_s > 0 else 0.0
        per_rep = stall.reason.startswith("replica")
        rates = hw * scale if per_rep else np.full(spec.replications, stall.rate_per_s)
        totals = simulate_stream(rng, rates, horizon, stall.stall_s, rollback=False)
        share = totals.recovery / horizon
        stall_share[stall.reason] = keep * share
        keep = keep * (1.0 - share)
    fractions = {reason: float(v.mean()) for reason, v in stall_share.items()}
    rec = keep * main.recovery / horizon
    for part, secs in res.recovery_parts_s.items():
        fractions[part] = float(rec.mean()) * (secs / res.recovery_s if res.recovery_s > 0 else 0.0)
    fractions["rework"] = float((keep * main.rework / horizon).mean())
    fractions["checkpoint"] = float((keep * main.checkpoint / horizon).mean())
    ettr = keep * main.useful / horizon
    return Draws(ettr=ettr, fractions=fractions, events_mean=float(main.events.mean()))
