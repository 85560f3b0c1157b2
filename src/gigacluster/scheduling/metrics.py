"""The queue report: utilisation, lost GPU-hours, waits, JCT, slowdown, fairness, compute per researcher.

Definitions (hours throughout):

* ``utilization``: busy GPU-hours during the arrival window [first, last arrival] / (GPUs x window);
  ``utilization_makespan`` uses [first arrival, last finish] instead.
* ``idle_while_waiting_gpu_h``: free GPUs integrated over time while any job waited;
  ``fragmentation_gpu_h``: the part of it when the policy's chosen job fit by count but not by
  topology (no domain / gang placement), i.e. GPU-hours lost to fragmentation.
* ``queue_wait_h``: time a job spent waiting in all (JCT less the time it held GPUs).
* ``slowdown``: max(1, JCT / max(duration, 10 min)) (bounded slowdown).
* ``jain_fairness``: Jain's index over researchers of their mean service ratio duration / JCT
  (1 = every researcher's jobs are delayed alike) — it measures delays, not compute.
* ``gpu_hours_per_researcher_per_day``: GPU-hours delivered during the arrival window per
  researcher per day (mean), with the spread across researchers; ``researcher_compute`` is that
  distribution: median (the headline), p10/p90, Gini and Jain's index over compute shares.
* ``largest_job_gpu_time_share``: the largest job's share of all GPU-time of the workload.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from gigacluster.results import Result, Scalar, model_rows
from gigacluster.scheduling.simulate import SimRun
from gigacluster.scheduling.workload import Offered

BOUND_H = 10 / 60


class Stats(BaseModel):
    model_config = ConfigDict(frozen=True)
    mean: float
    p50: float
    p99: float


class Spread(BaseModel):
    model_config = ConfigDict(frozen=True)
    min: float
    p10: float
    p50: float
    p90: float
    max: float


class SizeRow(BaseModel):
    """Per job-size class: how many jobs, their share of GPU-time, wait and slowdown."""

    model_config = ConfigDict(frozen=True)
    gpus: str
    jobs: int
    gpu_time_share: float
    queue_wait_h_mean: float
    slowdown_mean: float


class LostGpuHours(BaseModel):
    """Where cluster GPU-hours went besides useful work."""

    model_config = ConfigDict(frozen=True)
    idle_while_waiting: float
    fragmentation: float
    preemption_overhead: float
    failure_rework: float
    failure_restart: float
    cross_pod_slowdown: float


class ComputeShares(BaseModel):
    """GPU-hours per researcher per day during the arrival window, as a distribution."""

    model_config = ConfigDict(frozen=True)
    median: float
    mean: float
    p10: float
    p90: float
    gini: float
    jain: float


class QueueReport(Result):
    """What one policy gives a workload on a cluster, with its breakdowns."""

    model_config = ConfigDict(frozen=True)
    trace: str
    policy: str
    gpus: int
    jobs: int
    researchers: int
    window_h: float
    arrival_window_h: float
    makespan_h: float
    utilization: float
    utilization_makespan: float
    work_gpu_h: float
    busy_gpu_h: float
    fragmentation_gpu_h: float
    lost_gpu_h: LostGpuHours
    queue_wait_h: Stats
    jct_h: Stats
    slowdown: Stats
    jain_fairness: float
    gpu_hours_per_researcher_per_day: float
    researcher_gpu_h_per_day: Spread
    researcher_compute: ComputeShares
    largest_job_gpu_time_share: float
    offered: Offered | None
    cluster_slice: int = Field(default=1, description="1/n of the cluster and researchers simulated")
    preemptions: int
    failures: int
    by_size: list[SizeRow]
    events: int
    wall_s: float
    events_per_s: float

    def flat_rows(self) -> list[dict[str, Scalar]]:
        """One row per job-size class."""
        return model_rows(self.by_size)


def _stats(x: np.ndarray) -> Stats:
    return Stats(mean=float(x.mean()), p50=float(np.percentile(x, 50)), p99=float(np.percentile(x, 99)))


def jain(x: np.ndarray) -> float:
    """Jain's fairness index (sum x)^2 / (n sum x^2); 1 when all equal."""
    s2 = float(np.dot(x, x))
    return min(1.0, float(x.sum() ** 2 / (len(x) * s2))) if len(x) and s2 > 0 else 1.0


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative ``x`` (0 = all equal, → 1 = one holds all); mean-difference form."""
    if len(x) == 0 or float(x.sum()) <= 0:
        return 0.0
    s = np.sort(x)
    n = len(s)
    return float((2 * np.arange(1, n + 1) - n - 1) @ s / (n * s.sum()))


def compute_shares(per_r: np.ndarray) -> ComputeShares:
    p10, p50, p90 = np.percentile(per_r, [10, 50, 90])
    return ComputeShares(median=float(p50), mean=float(per_r.mean()), p10=float(p10), p90=float(p90),
                         gini=gini(per_r), jain=jain(per_r))


def _window_gpu_h(run: SimRun, researchers: int) -> np.ndarray:
    lo, hi = run.window_h
    seg = np.array(run.state.segments, dtype=np.float64).reshape(-1, 4)
    inside = np.clip(np.minimum(seg[:, 1], hi) - np.maximum(seg[:, 0], lo), 0.0, None) * seg[:, 2]
    return np.bincount(seg[:, 3].astype(np.int64), weights=inside, minlength=researchers)


def _by_size(gpus: np.ndarray, work: np.ndarray, wait: np.ndarray, slow: np.ndarray) -> list[SizeRow]:
    rows = []
    edges = [1, 2, 9, 65, 1025, 16385, 1 << 40]
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (gpus >= lo) & (gpus < hi)
        if m.any():
            label = f"{lo}" if hi == lo + 1 else f"{lo}-{hi - 1}" if hi < 1 << 40 else f">={lo}"
            rows.append(SizeRow(gpus=label, jobs=int(m.sum()), gpu_time_share=float(work[m].sum() / work.sum()),
                                queue_wait_h_mean=float(wait[m].mean()), slowdown_mean=float(slow[m].mean())))
    return rows


def report(run: SimRun) -> QueueReport:
    """Summarise a run (see the module doc for the definitions)."""
    jobs, st, w = run.jobs, run.state, run.workload
    arrival = w.arrival_h
    dur = w.duration_h
    gpus = w.gpus.astype(np.float64)
    finish = np.array([j.finish_h for j in jobs])
    held = np.array([j.run_h for j in jobs])
    jct = finish - arrival
    wait = np.maximum(jct - held, 0.0)
    slow = np.maximum(jct / np.maximum(dur, BOUND_H), 1.0)
    ratio = np.bincount(w.researcher, weights=np.minimum(dur / np.maximum(jct, 1e-12), 1.0),
                        minlength=w.researchers)
    njobs = np.bincount(w.researcher, minlength=w.researchers)
    window = max(run.window_h[1] - run.window_h[0], 1e-9)
    makespan = max(float(finish.max()) - run.window_h[0], 1e-9)
    per_r = _window_gpu_h(run, w.researchers) / (window / 24.0)
    lost = LostGpuHours(
        idle_while_waiting=st.idle_waiting_gpu_h, fragmentation=st.frag_gpu_h,
        preemption_overhead=float(sum(j.overhead_paid_h * j.gpus for j in jobs if j.preemptions)),
        failure_rework=float(sum(j.lost_h * j.gpus for j in jobs)),
        failure_restart=float(sum(j.overhead_paid_h * j.gpus for j in jobs if j.failures and not j.preemptions)),
        cross_pod_slowdown=float(sum((j.progress_wall_h - j.progress_h) * j.gpus for j in jobs)))
    return QueueReport(
        trace=w.source, policy=run.policy, gpus=run.spec.gpus, jobs=len(jobs), researchers=w.researchers,
        window_h=window, arrival_window_h=window, makespan_h=makespan,
        utilization=run.window_busy_gpu_h / (run.spec.gpus * window),
        utilization_makespan=st.busy_gpu_h / (run.spec.gpus * makespan),
        work_gpu_h=float(np.dot(gpus, dur)), busy_gpu_h=st.busy_gpu_h, fragmentation_gpu_h=st.frag_gpu_h,
        lost_gpu_h=lost, queue_wait_h=_stats(wait), jct_h=_stats(jct), slowdown=_stats(slow),
        jain_fairness=jain(ratio[njobs > 0] / njobs[njobs > 0]),
        gpu_hours_per_researcher_per_day=float(per_r.mean()),
        researcher_gpu_h_per_day=Spread(min=float(per_r.min()), p10=float(np.percentile(per_r, 10)),
                                        p50=float(np.percentile(per_r, 50)), p90=float(np.percentile(per_r, 90)),
                                        max=float(per_r.max())),
        researcher_compute=compute_shares(per_r),
        largest_job_gpu_time_share=float((gpus * dur).max() / max(float(np.dot(gpus, dur)), 1e-12)),
        offered=w.offered,
        preemptions=sum(j.preemptions for j in jobs), failures=sum(j.failures for j in jobs),
        by_size=_by_size(w.gpus, gpus * dur, wait, slow),
        events=run.events, wall_s=run.wall_s, events_per_s=run.events / max(run.wall_s, 1e-9))
