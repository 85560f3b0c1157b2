"""Closed forms: job failure rate, checkpoint interval (Young, Daly), Meta's ETTR approximation."""

from __future__ import annotations

import math

import numpy as np


def job_mttf_hours(failures_per_hour: float) -> float:
    """Series-system job MTTF = 1 / (sum of the rates of every part the job needs).

    Kokolis et al. (arXiv 2410.21680) project MTTF_job = 1 / (N_nodes · r_f); the per-job software
    rate adds to it. Infinite when nothing can fail.
    """
    return math.inf if failures_per_hour <= 0 else 1.0 / failures_per_hour


def young_interval_s(write_s: float, mttf_s: float) -> float:
    """Young (1974): τ_opt = √(2·δ·M), δ = blocking checkpoint cost, M = MTTF."""
    return math.sqrt(2.0 * write_s * mttf_s)


def daly_interval_s(write_s: float, mttf_s: float) -> float:
    """Daly (2006, FGCS 22:303), higher-order optimum compute time between checkpoints.

    τ = √(2δM)·[1 + ⅓·√(δ/2M) + ⅑·(δ/2M)] − δ for δ < 2M, else τ = M.
    """
    if math.isinf(mttf_s):
        return math.inf
    if write_s >= 2.0 * mttf_s:
        return mttf_s
    x = write_s / (2.0 * mttf_s)
    return math.sqrt(2.0 * write_s * mttf_s) * (1.0 + math.sqrt(x) / 3.0 + x / 9.0) - write_s


def meta_ettr(rate_per_s: float, restart_s: float, interval_s: float, block_s: float,
              durable_delay_s: float = 0.0) -> float:
    """Meta's ETTR approximation (Kokolis et al. 2025), small-loss form:

    E[ETTR] ≈ (1 − λ·(u0 + Δt/2)) / (1 + w/Δt),

    λ = job failure rate, u0 = restart overhead, Δt = checkpoint interval, w = blocking write.
    For an asynchronous checkpoint a failure also loses the ``durable_delay_s`` while the last one
    is still being written, so u0 gains that term. Clipped at 0: past a loss term of 1 the
    linearisation says "no progress" (the caller reports the loss term and its validity).
    """
    loss = rate_per_s * (restart_s + interval_s / 2.0 + durable_delay_s) if interval_s < math.inf \
        else rate_per_s * restart_s
    overhead = block_s / interval_s if interval_s < math.inf else 0.0
    return max(0.0, 1.0 - loss) / (1.0 + overhead)


def poisson_tail(mean: float, k: int) -> float:
    """P(X ≥ k) for X ~ Poisson(mean), summed in log space (no SciPy), vectorised.

    Only the terms within 40 standard deviations (+40) of the mean are summed: the rest are below
    e^-800 and vanish in double precision, so the work is bounded for any ``k`` and ``mean``."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    spread = 40.0 * math.sqrt(mean) + 40.0
    if k > mean + spread:
        return 0.0
    lo = max(0, int(mean - spread))
    if k <= lo:
        return 1.0
    i = np.arange(lo, k, dtype=np.float64)
    log_terms = i * math.log(mean) - mean - np.array([math.lgamma(x + 1.0) for x in i])
    return float(max(0.0, 1.0 - np.exp(log_terms).sum()))
