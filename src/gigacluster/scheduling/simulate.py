"""The queue simulation: a workload on a cluster under a policy, on the shared event core.

Events: arrivals (chained, one pending at a time), finishes, least-attained-service demotions,
optional hardware failures, and one decision pass per instant (priority 1, so it runs after all
arrivals and finishes at that time). Invariants are checked at the end of every run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from gigacluster.errors import GigaclusterError
from gigacluster.limits import Seed
from gigacluster.scheduling.cluster import ClusterSpec
from gigacluster.scheduling.policies import Policy, make_policy
from gigacluster.scheduling.state import JobState, SchedState
from gigacluster.scheduling.workload import Workload
from gigacluster.sim import EventLoop

# Livelock guard: decision passes at one simulated instant that follow a preemption (or failure)
# at that same instant. A legitimate instant has a handful (a preempted job restarts elsewhere at
# most once or twice); a policy that preempts and restarts the same jobs forever has unboundedly many.
STALL_PREEMPTING_PASSES = 1000
MAX_SCHED_JOBS = 300_000
"""Largest workload simulated: ~3 events per job at ~50k-100k events/s is about a minute for the
slowest policy (las) on a busy core; larger runs are refused up front."""


class SimOptions(BaseModel):
    """Costs of preemption and, optionally, hardware failures (the reliability model's inputs)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    checkpoint_h: float = Field(default=0.02, ge=0, description="checkpoint written on preemption")
    restart_h: float = Field(default=0.05, ge=0, description="restart and reload after preemption/failure")
    failures: bool = False
    node_failures_per_1000_node_days: float = Field(default=6.5, ge=0, description="RSC-1: 6.5")
    gpus_per_node: int = Field(default=8, gt=0)
    checkpoint_interval_h: float = Field(default=1.0, gt=0, description="work lost on failure ≤ this")
    seed: Seed = 0


@dataclass
class SimRun:
    """Raw outcome of one run: final job states, the state (accounting, segments), speed."""

    jobs: list[JobState]
    state: SchedState
    workload: Workload
    spec: ClusterSpec
    policy: str
    events: int
    wall_s: float
    window_busy_gpu_h: float
    window_h: tuple[float, float]


class _Sim:
    def __init__(self, spec: ClusterSpec, w: Workload, policy: Policy, opt: SimOptions) -> None:
        self.spec, self.w, self.policy, self.opt = spec, w, policy, opt
        self.loop = EventLoop()
        self.jobs = [JobState(i, a, d, g, r, t, p) for i, (a, d, g, r, t, p) in enumerate(zip(
            w.arrival_h.tolist(), w.duration_h.tolist(), w.gpus.tolist(), w.researcher.tolist(),
            w.team.tolist(), w.priority.tolist(), strict=True))]
        self.state = SchedState(spec, policy, w.researcher_team.tolist(), len(w.team_names),
                                self._on_start, track_domains=opt.failures)
        self.state.checkpoint_h, self.state.restart_h = opt.checkpoint_h, opt.restart_h
        self.rng = np.random.default_rng(opt.seed)
        self.done = 0
        self.pass_pending = False
        self.window_busy = 0.0
        self.stall_t, self.stall_passes, self.stall_version = -1.0, 0, 0
        L = self.loop
        self.k_arrive, self.k_finish = L.register(self._arrive), L.register(self._finish)
        self.k_demote, self.k_fail = L.register(self._demote), L.register(self._failure)
        self.k_pass = L.register(self._pass)
        nodes = spec.gpus / opt.gpus_per_node
        self.fail_rate_h = nodes * opt.node_failures_per_1000_node_days / 1000.0 / 24.0

    def _request_pass(self, t: float) -> None:
        if not self.pass_pending:
            self.pass_pending = True
            self.loop.schedule(t, self.k_pass, None, 1)

    def _on_start(self, job: JobState) -> None:
        self.loop.schedule(job.end_h, self.k_finish, (job, job.epoch))
        if self.policy.thresholds_gpu_h:
            self._schedule_demotion(job)

    def _schedule_demotion(self, job: JobState, floor_gpu_h: float = 0.0) -> None:
        attained = max(job.attained_gpu_h + job.gpus * (self.state.now - job.start_h), floor_gpu_h)
        nxt = next((t for t in self.policy.thresholds_gpu_h if t > attained), None)
        if nxt is not None:
            at = self.state.now + (nxt - attained) / job.gpus
            if at < job.end_h:
                self.loop.schedule(at, self.k_demote, (job, job.epoch, nxt))

    def _arrive(self, t: float, i: int) -> None:
        self.state.advance(t)
        self.state.enqueue(self.jobs[i])
        self._request_pass(t)
        if i + 1 < len(self.jobs):
            self.loop.schedule(self.jobs[i + 1].arrival_h, self.k_arrive, i + 1)
        else:
            self.window_busy = self.state.busy_gpu_h

    def _finish(self, t: float, payload: tuple[JobState, int]) -> None:
        job, epoch = payload
        if job.epoch != epoch:
            return
        if job.finish_h >= 0:
            raise AssertionError(f"job {job.id} finished twice")
        self.state.advance(t)
        self.state.finish(job)
        self.done += 1
        self._request_pass(t)

    def _demote(self, t: float, payload: tuple[JobState, int, float]) -> None:
        job, epoch, threshold = payload
        if job.epoch != epoch:
            return
        self.state.advance(t)
        rank = self.policy.rank(job, max(job.attained_gpu_h + job.gpus * (t - job.start_h), threshold))
        if rank != job.rank:
            self.state.rerank_running(job, rank)
            self._request_pass(t)
        self._schedule_demotion(job, threshold)

    def _failure(self, t: float, _: object) -> None:
        self.state.advance(t)
        gpu = int(self.rng.integers(self.spec.gpus))
        d, slot = divmod(gpu, self.spec.gpus_per_domain)
        used = self.spec.gpus_per_domain - self.state.place.free[d]
        jobs = self.state.domain_jobs[d] if self.state.domain_jobs is not None else {}
        if slot < used:
            for job in jobs.values():
                slot -= next(n for dd, n in job.alloc if dd == d)
                if slot < 0:
                    lost = float(self.rng.uniform(0.0, self.opt.checkpoint_interval_h))
                    self.state.fail(job, lost, self.opt.restart_h)
                    self._request_pass(t)
                    break
        if self.done < len(self.jobs):
            self.loop.schedule(t + float(self.rng.exponential(1.0 / self.fail_rate_h)), self.k_fail)

    def _check_clock(self, t: float) -> None:
        """Refuse a livelock: decisions at one instant that never let the simulated clock advance."""
        version = self.state.version
        if t != self.stall_t:
            self.stall_t, self.stall_passes, self.stall_version = t, 0, version
            return
        if version != self.stall_version:
            self.stall_passes, self.stall_version = self.stall_passes + 1, version
        if self.stall_passes > STALL_PREEMPTING_PASSES:
            raise GigaclusterError(
                "policy", f"'{self.policy.name}' stopped the simulated clock at t={t:.6g} h: "
                f"{self.stall_passes:,} preempting decisions at one instant (preempting and restarting the same jobs) "
                f"on this {len(self.jobs):,}-job workload; this is a bug, please report it with the command")

    def _pass(self, t: float, _: object) -> None:
        self._check_clock(t)
        self.pass_pending = False
        st = self.state
        st.advance(t)
        st.frag_blocked = False
        if st.n_waiting and (st.place.total_free > 0 or self.policy.preemptive):
            self.policy.decide(st)
        st.enqueued_researchers.clear()

    def run(self) -> SimRun:
        if self.jobs:
            self.loop.schedule(self.jobs[0].arrival_h, self.k_arrive, 0)
            if self.opt.failures and self.fail_rate_h > 0:
                self.loop.schedule(float(self.rng.exponential(1.0 / self.fail_rate_h)), self.k_fail)
        t0 = time.perf_counter()
        self.loop.run()
        wall = time.perf_counter() - t0
        self.state.advance(self.loop.now)
        first = self.jobs[0].arrival_h if self.jobs else 0.0
        last = self.jobs[-1].arrival_h if self.jobs else 0.0
        return SimRun(self.jobs, self.state, self.w, self.spec, self.policy.name, self.loop.events_processed,
                      wall, self.window_busy, (first, last))


def run(cluster: ClusterSpec, workload: Workload, policy: str | Policy = "fifo",
        options: SimOptions | None = None) -> SimRun:
    """Simulate and check the invariants; returns the raw run (see ``metrics.report`` for figures)."""
    from gigacluster.scheduling.invariants import check_invariants

    pol = make_policy(policy) if isinstance(policy, str) else policy
    if len(workload) == 0:
        raise GigaclusterError("trace", "has no jobs")
    if len(workload) > MAX_SCHED_JOBS:
        raise GigaclusterError("jobs", f"{len(workload):,} jobs is over the simulator's limit of {MAX_SCHED_JOBS:,} "
                                       "(about a minute of simulation); take the first N with --jobs")
    workload.check_fits(cluster.gpus)
    result = _Sim(cluster, workload, pol, options or SimOptions()).run()
    check_invariants(result)
    return result
