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

from gigacluster.limits import Seed
from gigacluster.scheduling.cluster import MAX_SCHED_GPUS
from gigacluster.scheduling.simulate import MAX_SCHED_JOBS
from gigacluster.scheduling.workload import Workload, build

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
    """How to scale the fit: jobs, researchers, cluster size, offered load and frontier jobs."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    jobs: int = Field(default=100_000, gt=0, le=MAX_SCHED_JOBS)
    researchers: int = Field(default=500, gt=0, le=1_000_000)
    cluster_gpus: int = Field(default=16_384, gt=0, le=MAX_SCHED_GPUS)
    load: float = Field(default=0.9, gt=0, le=100, description="offered load: busy share of an unbounded cluster "
                        "over the arrival span (GPU-time past the span not counted)")
    frontier_share: float = Field(default=0.3, ge=0, lt=1, description="share of GPU-time in frontier jobs")
    frontier_fractions: tuple[float, ...] = Field(default=(0.25, 0.5), description="frontier sizes / cluster")
    frontier_median_h: float = Field(default=72.0, gt=0)
    max_body_fraction: float = Field(default=1 / 16, gt=0, le=1, description="largest body job / cluster")
    max_duration_h: float = Field(default=14 * 24.0, gt=0)
    team_size: int = Field(default=10, gt=0, description="researchers per team")
    high_priority_share: float = Field(default=0.1, ge=0, le=1, description="body jobs at priority 1")
    daily_amplitude: float | None = Field(default=None, ge=0, lt=1, description="override the fit")
    seed: Seed = 0


def _sizes(fit: WorkloadFit, n: int, max_size: int, rng: np.random.Generator) -> np.ndarray:
    sizes = sorted(s for s in fit.size_probs if s <= max_size)
    probs = [fit.size_probs[s] for s in sizes]
    s = sizes[-1] if sizes else 1
    while s * 2 <= max_size:
        s *= 2
        sizes.append(s)
        probs.append(probs[-1] * fit.tail_ratio)
    p = np.array(probs) / sum(probs)
    return np.array(sizes, dtype=np.int64)[rng.choice(len(sizes), size=n, p=p)]


def _durations(fit: WorkloadFit, gpus: np.ndarray, cap_h: float, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(len(gpus))
    for k, (lo, hi) in enumerate(SIZE_CLASSES):
        m = (gpus >= lo) & (gpus <= hi)
        out[m] = fit.median_h[k] * np.exp(fit.sigma[k] * rng.standard_normal(int(m.sum())))
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


def span_for_load(gpus: np.ndarray, duration_h: np.ndarray, busy_gpus: float) -> float:
    """The arrival span T at which jobs arriving uniformly on [0, T) keep ``busy_gpus`` busy on
    average during [0, T) on an unbounded cluster: E[time inside] = d - d^2/2T (d < T), T/2 (d >= T)."""
    g, d = gpus.astype(np.float64), duration_h
    lo, hi = 1e-6, max(float(np.dot(g, d)) / busy_gpus, 1e-6) * 2
    for _ in range(100):
        mid = math.sqrt(lo * hi)
        inside = np.where(d < mid, d - d * d / (2 * mid), mid / 2)
        if float(np.dot(g, inside)) / mid > busy_gpus:
            lo = mid
        else:
            hi = mid
    return hi


def generate(spec: SyntheticSpec, fit: WorkloadFit = PHILLY_FIT) -> Workload:
    """A seeded synthetic workload (see the module doc)."""
    rng = np.random.default_rng(spec.seed)
    domain = 8 if spec.cluster_gpus % 8 == 0 else 1
    max_body = max(1, int(spec.cluster_gpus * spec.max_body_fraction))
    sizes = _sizes(fit, spec.jobs, max_body, rng)
    dur = _durations(fit, sizes, spec.max_duration_h, rng)
    n_front = 0
    if spec.frontier_share > 0 and spec.jobs > 1:
        front_sizes = [max(domain, int(spec.cluster_gpus * f) // domain * domain) for f in spec.frontier_fractions]
        mean_front = float(np.mean(front_sizes)) * spec.frontier_median_h * math.exp(0.5 * 0.5**2)
        body = float(np.dot(sizes, dur))
        want = spec.frontier_share / (1 - spec.frontier_share) * body
        n_front = min(spec.jobs - 1, max(1, round(want / mean_front)))
        fsz = np.array(front_sizes, dtype=np.int64)[rng.integers(0, len(front_sizes), n_front)]
        fdur = np.clip(spec.frontier_median_h * np.exp(0.5 * rng.standard_normal(n_front)), 1.0,
                       spec.max_duration_h)
        sizes[:n_front], dur[:n_front] = fsz, fdur
    span = span_for_load(sizes, dur, spec.load * spec.cluster_gpus)
    amp = fit.daily_amplitude if spec.daily_amplitude is None else spec.daily_amplitude
    arrival = _arrivals(spec.jobs, span, amp, fit.peak_hour, rng)
    if n_front:
        arrival[:n_front] = rng.uniform(0.0, 0.75 * span, n_front)
    teams = max(1, math.ceil(spec.researchers / spec.team_size))
    researcher_team = np.arange(spec.researchers, dtype=np.int64) // spec.team_size
    w = 1.0 / np.arange(1, spec.researchers + 1) ** 0.8
    researcher = rng.permutation(spec.researchers)[rng.choice(spec.researchers, size=spec.jobs, p=w / w.sum())]
    if n_front:
        researcher[:n_front] = rng.integers(0, min(spec.team_size, spec.researchers), n_front)
    prio = (rng.uniform(size=spec.jobs) < spec.high_priority_share).astype(np.int64)
    prio[:n_front] = 2
    return build("synthetic", arrival, dur, sizes, researcher.astype(np.int64), researcher_team[researcher],
                 prio, tuple(f"r{i:04d}" for i in range(spec.researchers)),
                 tuple(f"team{t:03d}" for t in range(teams)), researcher_team)
