"""Invariants checked at the end of every simulation (a violation is a bug: AssertionError).

* no GPU double-booked: at no instant do running gangs hold more GPUs than the cluster has
  (``Placement`` also refuses to over-book a domain while it runs), and all GPUs are free at the end;
* no job runs before it arrives;
* every job finishes exactly once;
* work is conserved: each job's useful progress, less the work lost to failures, equals its
  duration, and the busy GPU-hours integrated over time equal the GPU-hours the jobs held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gigacluster.scheduling.simulate import SimRun

EPS = 1e-6


def max_concurrent_gpus(segments: list[tuple[float, float, int, int]]) -> int:
    """Peak GPUs held at once by the given (start, end, gpus, _) segments (ends free first)."""
    if not segments:
        return 0
    seg = np.array(segments, dtype=np.float64)
    times = np.concatenate([seg[:, 0], seg[:, 1]])
    delta = np.concatenate([seg[:, 2], -seg[:, 2]])
    order = np.lexsort((delta, times))
    return int(np.max(np.cumsum(delta[order])))


def check_invariants(run: SimRun) -> None:
    jobs, st, spec = run.jobs, run.state, run.spec
    peak = max_concurrent_gpus(st.segments)
    assert peak <= spec.gpus, f"double booking: {peak} GPUs held on a {spec.gpus}-GPU cluster"
    assert st.place.total_free == spec.gpus, "GPUs still held at the end"
    assert not st.running and st.n_waiting == 0, "jobs left running or waiting"
    arrival = np.array([j.arrival_h for j in jobs])
    first = np.array([j.first_start_h for j in jobs])
    finish = np.array([j.finish_h for j in jobs])
    assert np.all(finish >= 0), f"{int(np.sum(finish < 0))} jobs never finished"
    assert np.all(first >= arrival - EPS), "a job started before it arrived"
    assert np.all(finish >= first - EPS), "a job finished before it started"
    dur = np.array([j.duration_h for j in jobs])
    done = np.array([j.progress_h - j.lost_h for j in jobs])
    assert np.allclose(done, dur, rtol=1e-9, atol=EPS), "work not conserved: progress != duration"
    held = np.array([j.run_h for j in jobs])
    parts = np.array([j.overhead_paid_h + j.progress_wall_h for j in jobs])
    assert np.allclose(held, parts, rtol=1e-9, atol=EPS), "held time != overhead + progress"
    gpus = np.array([j.gpus for j in jobs], dtype=np.float64)
    held_gpu_h = float(np.dot(held, gpus))
    assert abs(held_gpu_h - st.busy_gpu_h) <= 1e-6 * max(1.0, held_gpu_h), \
        f"busy GPU-hours {st.busy_gpu_h} != held {held_gpu_h}"
