"""Synthetic workloads from distributions fitted to a trace, scaled to N researchers and a cluster.

The fit (``fit_trace``) keeps what matters for a research queue: the job-size mix (powers of
two; most jobs small, most GPU-time in large jobs), log-normal run times per size class matched
to the trace's median and mean (so GPU-time is preserved), and the daily arrival cycle (first
harmonic of arrivals by hour of day). ``PHILLY_FIT`` is that fit of the shipped Philly trace
(a test re-derives it). ``generate`` scales it: body sizes extend the trace's power-law tail up
to ``max_body_fraction`` of the cluster, a few frontier jobs (a quarter to half the cluster for
days) take ``frontier_share`` of the GPU-time, and the arrival rate gives ``load`` on the cluster.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from gigacluster.limits import MAX_DAYS, Load, Seed
from gigacluster.scheduling.cluster import MAX_SCHED_GPUS
from gigacluster.scheduling.simulate import MAX_SCHED_JOBS
from gigacluster.scheduling.workload import Offered, Workload, build

SIZE_CLASSES = ((1, 1), (2, 4), (5, 8), (9, 1 << 40))  # GPUs, inclusive bounds


class WorkloadFit(BaseModel):
    """Fitted job-size and run-time distributions and the daily arrival cycle."""

    model_config = ConfigDict(frozen=True)

    source: str
    size_probs: dict[int, float] = Field(description="P(gang = 2^k GPUs), sizes rounded up to 2^k")
    tail_ratio: float = Field(description="P(2^(k+1)) / P(2^k) beyond the largest traced size")
    median_h: tuple[float, ...] = Field(description="median run time per size class (1, 2-4, 5-8, 9+)")
    sigma: tuple[float, ...] = Field(description="log-normal sigma per class, from mean/median")
    daily_amplitude: float = Field(ge=0, lt=1, description="relative amplitude of the daily cycle")
    peak_hour: float = Field(ge=0, lt=24, description="hour of day of peak arrivals")


# fit_trace(load_trace("philly")), rounded; tests/scheduling/test_workload.py re-derives it.
PHILLY_FIT = WorkloadFit(
    source="philly_pollux/philly.csv (Pollux OSDI'21 artifact of Microsoft Philly, ATC'19)",
    size_probs={1: 0.93167, 2: 0.0221, 4: 0.02274, 8: 0.01998, 16: 0.0025, 32: 0.0009,
                64: 0.00007, 128: 0.00004},
    tail_ratio=0.212,
    median_h=(0.3103, 0.1019, 6.5786, 5.8714),
    sigma=(2.003, 3.166, 1.844, 1.736),
    daily_amplitude=0.288, peak_hour=4.98,
)


def _pow2_ceil(g: np.ndarray) -> np.ndarray:
    return (2 ** np.ceil(np.log2(np.maximum(g, 1)))).astype(np.int64)


def fit_trace(w: Workload) -> WorkloadFit:
    """Fit sizes, run times and the daily cycle of a workload (see the module doc)."""
    sizes = _pow2_ceil(w.gpus)
    uniq, cnt = np.unique(sizes, return_counts=True)
    probs = {int(s): round(float(c) / len(w), 5) for s, c in zip(uniq, cnt, strict=True)}
    big = [probs.get(8, 0.0), probs.get(16, 0.0), probs.get(32, 0.0)]
    tail = math.sqrt(big[2] / big[0]) if big[0] > 0 and big[2] > 0 else 0.3
    med, sig = [], []
    for lo, hi in SIZE_CLASSES:
        d = w.duration_h[(w.gpus >= lo) & (w.gpus <= hi)]
        d = d[d > 0]
        m = float(np.median(d)) if len(d) else 1.0
        mean = float(d.mean()) if len(d) else 1.0
        med.append(round(m, 4))
        sig.append(round(math.sqrt(2 * max(math.log(mean / m), 0.0)), 3))
    hours = np.floor(np.mod(w.arrival_h, 24.0))
    counts = np.bincount(hours.astype(np.int64), minlength=24).astype(float)
    phase = np.exp(2j * np.pi * (np.arange(24) + 0.5) / 24)
    h1 = (counts * phase).sum() / counts.sum()
    amp = min(2 * abs(h1), 0.95)
    peak = float(np.mod(np.angle(h1) * 24 / (2 * np.pi), 24.0))
    return WorkloadFit(source=w.source, size_probs=probs, tail_ratio=round(tail, 3), median_h=tuple(med),
                       sigma=tuple(sig), daily_amplitude=round(float(amp), 3), peak_hour=round(peak, 2))


class SyntheticSpec(BaseModel):
    """How to scale the fit: jobs, researchers, cluster size, offered load, horizon, frontier jobs."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    jobs: int = Field(default=100_000, gt=0, le=MAX_SCHED_JOBS)
    researchers: int = Field(default=500, gt=0, le=1_000_000)
    cluster_gpus: int = Field(default=16_384, gt=0, le=MAX_SCHED_GPUS)
    load: Load = Field(default=0.9, description="offered load: busy share of an unbounded cluster "
                        "over the arrival window (GPU-time past the window not counted)")
    horizon_h: float = Field(default=28 * 24.0, gt=0, le=MAX_DAYS * 24,
                             description="arrival window aimed at (a month of research); job sizes are "
                             "scaled so that ``jobs`` jobs offer ``load`` over it")
    size_scale: int | None = Field(default=None, gt=0, le=MAX_SCHED_GPUS,
                                   description="trace GPUs per simulated GPU of a job (a power of two); None: "
                                   "the one that brings the window nearest the horizon")
    frontier_share: float = Field(default=0.0, ge=0, lt=1, description="share of GPU-time in frontier jobs "
                                  "queued with the rest (plan reserves its frontier run instead)")
    frontier_fractions: tuple[float, ...] = Field(default=(0.25, 0.5), description="frontier sizes / cluster")
    frontier_median_h: float = Field(default=72.0, gt=0)
    max_body_fraction: float = Field(default=1 / 16, gt=0, le=1, description="largest body job / cluster")
    max_duration_h: float = Field(default=7 * 24.0, gt=0, description="run-time cap (Philly p99 is ~3 days)")
    team_size: int = Field(default=10, gt=0, description="researchers per team")
    high_priority_share: float = Field(default=0.1, ge=0, le=1, description="body jobs at priority 1")
    daily_amplitude: float | None = Field(default=None, ge=0, lt=1, description="override the fit")
    seed: Seed = 0


def _size_table(fit: WorkloadFit, max_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sizes ≤ ``max_size`` and their cumulative probabilities: the fit, its power-law tail extended."""
    sizes = sorted(s for s in fit.size_probs if s <= max_size)
    probs = [fit.size_probs[s] for s in sizes]
    s = sizes[-1] if sizes else 1
    while s * 2 <= max_size:
        s *= 2
        sizes.append(s)
        probs.append(probs[-1] * fit.tail_ratio)
    cdf = np.cumsum(probs) / sum(probs)
    return np.array(sizes or [1], dtype=np.int64), cdf if sizes else np.ones(1)


def _sizes_from(fit: WorkloadFit, u: np.ndarray, max_size: int) -> np.ndarray:
    """Trace job sizes (GPUs) by inverse CDF of the uniforms ``u`` (one draw reused for every scale)."""
    sizes, cdf = _size_table(fit, max_size)
    return sizes[np.minimum(np.searchsorted(cdf, u, side="right"), len(sizes) - 1)]


def _durations(fit: WorkloadFit, gpus: np.ndarray, z: np.ndarray, cap_h: float) -> np.ndarray:
    """Log-normal run times per trace size class from standard normals ``z``, in [1 min, cap]."""
    out = np.empty(len(gpus))
    for k, (lo, hi) in enumerate(SIZE_CLASSES):
        m = (gpus >= lo) & (gpus <= hi)
        out[m] = fit.median_h[k] * np.exp(fit.sigma[k] * z[m])
    return np.clip(out, 1 / 60, cap_h)


def _arrivals(n: int, span_h: float, amp: float, peak_h: float, rng: np.random.Generator) -> np.ndarray:
    """Non-homogeneous Poisson arrivals on [0, span) with rate ∝ 1 + amp·cos(2π(t - peak)/24)."""
    out: list[np.ndarray] = []
    have = 0
    while have < n:
        t = rng.uniform(0.0, span_h, size=2 * (n - have) + 16)
        keep = rng.uniform(0.0, 1 + amp, size=len(t)) < 1 + amp * np.cos(2 * np.pi * (t - peak_h) / 24)
        out.append(t[keep])
        have += int(keep.sum())
    return np.sort(np.concatenate(out)[:n])


def _inside_gpu_h(gpus: np.ndarray, duration_h: np.ndarray, span_h: float) -> float:
    """GPU-hours inside [0, T) of jobs arriving uniformly on [0, T): d - d²/2T (d < T), T/2 (d ≥ T)."""
    d = duration_h
    return float(np.dot(gpus.astype(np.float64), np.where(d < span_h, d - d * d / (2 * span_h), span_h / 2)))


def span_for_load(gpus: np.ndarray, duration_h: np.ndarray, busy_gpus: float) -> float:
    """The arrival span T at which jobs arriving uniformly on [0, T) keep ``busy_gpus`` busy on
    average during [0, T) on an unbounded cluster (bisection on T; see ``_inside_gpu_h``)."""
    lo, hi = 1e-6, max(float(np.dot(gpus.astype(np.float64), duration_h)) / busy_gpus, 1e-6) * 2
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if _inside_gpu_h(gpus, duration_h, mid) / mid > busy_gpus:
            lo = mid
        else:
            hi = mid
    return hi


def _scale_and_span(spec: SyntheticSpec, fit: WorkloadFit, u: np.ndarray, dur: np.ndarray,
                    busy_gpus: float) -> tuple[int, np.ndarray, float]:
    """The power-of-two size scale whose load-giving span is nearest the horizon (in log), its sizes, span."""
    max_body = max(1, int(spec.cluster_gpus * spec.max_body_fraction))
    top = max(1, max_body // 8)  # keep at least the trace's 1-8 GPU size classes below the cap
    scales = [spec.size_scale] if spec.size_scale else [1 << k for k in range(top.bit_length())]
    best: tuple[float, int, np.ndarray, float] | None = None
    for s in scales:
        sizes = _sizes_from(fit, u, max(1, max_body // s)) * s
        span = span_for_load(sizes, dur, busy_gpus)
        gap = abs(math.log(span / spec.horizon_h))
        if best is None or gap < best[0]:
            best = (gap, s, sizes, span)
        if span > spec.horizon_h:
            break
    assert best is not None
    return best[1], best[2], best[3]


def _frontier(spec: SyntheticSpec, body_gpu_h: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Frontier jobs holding ``frontier_share`` of all GPU-time (a quarter to half the cluster for days)."""
    if spec.frontier_share <= 0 or spec.jobs < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    domain = 8 if spec.cluster_gpus % 8 == 0 else 1
    sizes = [max(domain, int(spec.cluster_gpus * f) // domain * domain) for f in spec.frontier_fractions]
    mean_gpu_h = float(np.mean(sizes)) * spec.frontier_median_h * math.exp(0.5 * 0.5**2)
    want = spec.frontier_share / (1 - spec.frontier_share) * body_gpu_h
    n = min(spec.jobs - 1, max(1, round(want / mean_gpu_h)))
    fdur = np.clip(spec.frontier_median_h * np.exp(0.5 * rng.standard_normal(n)), 1.0, spec.max_duration_h)
    return np.array(sizes, dtype=np.int64)[rng.integers(0, len(sizes), n)], fdur


def offered_load(gpus: np.ndarray, duration_h: np.ndarray, span_h: float, cluster_gpus: int) -> float:
    """Busy share of an unbounded cluster over [0, span) when the jobs arrive uniformly on it."""
    return _inside_gpu_h(gpus, duration_h, span_h) / (span_h * cluster_gpus)


def _shape(spec: SyntheticSpec, fit: WorkloadFit, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray,
                                                                                       int, float, int]:
    """Sizes, run times (frontier jobs first), size scale, arrival span, frontier job count."""
    u, z = rng.uniform(size=spec.jobs), rng.standard_normal(spec.jobs)
    trace = _sizes_from(fit, u, max(1, int(spec.cluster_gpus * spec.max_body_fraction)))
    dur = _durations(fit, trace, z, spec.max_duration_h)
    body_busy = spec.load * (1 - spec.frontier_share) * spec.cluster_gpus
    scale, sizes, span = _scale_and_span(spec, fit, u, dur, body_busy)
    fsz, fdur = _frontier(spec, _inside_gpu_h(sizes, dur, span), rng)
    n_front = len(fsz)
    sizes[:n_front], dur[:n_front] = fsz, fdur
    if n_front:
        span = span_for_load(sizes, dur, spec.load * spec.cluster_gpus)
    return sizes, dur, scale, max(span, 0.5 * spec.horizon_h), n_front


def generate(spec: SyntheticSpec, fit: WorkloadFit = PHILLY_FIT) -> Workload:
    """A seeded steady-state synthetic workload (see the module doc)."""
    rng = np.random.default_rng(spec.seed)
    sizes, dur, scale, span, n_front = _shape(spec, fit, rng)
    amp = fit.daily_amplitude if spec.daily_amplitude is None else spec.daily_amplitude
    arrival = _arrivals(spec.jobs, span, amp, fit.peak_hour, rng)
    arrival[:n_front] = (np.arange(n_front) + 0.5) / max(n_front, 1) * span  # frontier runs on a cadence
    teams = max(1, math.ceil(spec.researchers / spec.team_size))
    researcher_team = np.arange(spec.researchers, dtype=np.int64) // spec.team_size
    w = 1.0 / np.arange(1, spec.researchers + 1) ** 0.8
    researcher = rng.permutation(spec.researchers)[rng.choice(spec.researchers, size=spec.jobs, p=w / w.sum())]
    researcher[:n_front] = rng.integers(0, min(spec.team_size, spec.researchers), n_front)
    prio = (rng.uniform(size=spec.jobs) < spec.high_priority_share).astype(np.int64)
    prio[:n_front] = 2
    load = offered_load(sizes, dur, span, spec.cluster_gpus)
    short = "" if load >= 0.95 * spec.load else (
        f"{spec.jobs:,} jobs (sizes x{scale}, at most {spec.max_body_fraction:.3g} of the cluster, at most "
        f"{spec.max_duration_h:g} h) cannot offer {spec.load:.2f} over half the {spec.horizon_h:g} h horizon; "
        "give more jobs or a shorter horizon")
    offered = Offered(target_load=spec.load, offered_load=load, horizon_h=spec.horizon_h, arrival_span_h=span,
                      size_scale=scale, shortfall=short)
    return build("synthetic", arrival, dur, sizes, researcher.astype(np.int64), researcher_team[researcher],
                 prio, tuple(f"r{i:04d}" for i in range(spec.researchers)),
                 tuple(f"team{t:03d}" for t in range(teams)), researcher_team, offered=offered)
