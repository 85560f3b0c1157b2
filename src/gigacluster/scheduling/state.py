"""The scheduler's state: jobs, the waiting and running sets, placement and GPU-time accounting.

Policies act on it through ``start``, ``make_room`` and ``preempt``; the event handlers in
``simulate`` call ``finish`` and ``fail``. Accounting integrates busy GPUs, idle GPUs while jobs
wait, and idle GPUs while a job that fits by count is blocked by topology (fragmentation).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from gigacluster.scheduling.cluster import Alloc, ClusterSpec, Placement

if TYPE_CHECKING:
    from gigacluster.scheduling.policies import Policy

Queue = OrderedDict[int, "JobState"]


class JobState:
    """One job's mutable state. Times in hours; ``remaining_h`` is work left at full speed."""

    __slots__ = ("id", "arrival_h", "duration_h", "gpus", "researcher", "team", "priority",
                 "remaining_h", "attained_gpu_h", "start_h", "rate", "overhead_h", "alloc", "rank",
                 "epoch", "end_h", "first_start_h", "finish_h", "run_h", "overhead_paid_h",
                 "progress_h", "progress_wall_h", "lost_h", "preemptions", "failures")

    def __init__(self, jid: int, arrival_h: float, duration_h: float, gpus: int, researcher: int,
                 team: int, priority: int) -> None:
        self.id, self.arrival_h, self.duration_h, self.gpus = jid, arrival_h, duration_h, gpus
        self.researcher, self.team, self.priority = researcher, team, priority
        self.remaining_h = duration_h
        self.attained_gpu_h = 0.0
        self.start_h = self.end_h = -1.0
        self.rate = 1.0
        self.overhead_h = 0.0  # restart cost to pay at the next start
        self.alloc: Alloc = []
        self.rank = self.epoch = self.preemptions = self.failures = 0
        self.first_start_h = self.finish_h = -1.0
        self.run_h = self.overhead_paid_h = self.progress_h = self.progress_wall_h = self.lost_h = 0.0


class SchedState:
    """Waiting and running jobs (bucketed by the policy's rank), placement and accounting."""

    def __init__(self, spec: ClusterSpec, policy: Policy, researcher_team: list[int], teams: int,
                 on_start: Callable[[JobState], None], track_domains: bool = False) -> None:
        self.spec, self.policy, self.on_start = spec, policy, on_start
        researchers = len(researcher_team)
        self.researcher_team = researcher_team
        self.team_size = [0] * teams
        for t in researcher_team:
            self.team_size[t] += 1
        self.place = Placement(spec)
        self.now = 0.0
        self.waiting: dict[int, Queue] = {}
        self.running: dict[int, Queue] = {}
        self.by_researcher: dict[int, Queue] = {}
        self.n_waiting = 0
        self.run_gpus_researcher = [0] * researchers
        self.run_gpus_team = [0] * teams
        self.ends: list[tuple[float, int, int]] = []  # (end_h, id, gpus) of running jobs, sorted
        self.track_ends = policy.needs_ends
        self.domain_jobs: list[dict[int, JobState]] | None = (
            [{} for _ in range(spec.domains)] if track_domains else None)
        self.checkpoint_h, self.restart_h = 0.02, 0.05  # preemption costs, set by simulate
        self.releases = 0  # GPUs released so far (count of stops)
        self.enqueued_researchers: set[int] = set()  # since the last decision
        self.version = 0  # bumped on unplanned changes (preemption, failure)
        self.segments: list[tuple[float, float, int, int]] = []  # start, end, gpus, researcher
        self.busy_gpu_h = self.idle_waiting_gpu_h = self.frag_gpu_h = 0.0
        self.frag_blocked = False
        self._last_t = 0.0

    # ---- accounting -------------------------------------------------------------------------
    def advance(self, t: float) -> None:
        dt = t - self._last_t
        if dt > 0:
            free = self.place.total_free
            self.busy_gpu_h += (self.spec.gpus - free) * dt
            if self.n_waiting:
                self.idle_waiting_gpu_h += free * dt
                if self.frag_blocked:
                    self.frag_gpu_h += free * dt
            self._last_t = t
        self.now = t

    # ---- queues -----------------------------------------------------------------------------
    def enqueue(self, job: JobState, floor_rank: int | None = None) -> None:
        """Queue a job at the policy's rank; a requeued job never returns to a better rank than it
        had (least-attained-service demotes at a threshold that float sums may fall a hair short of:
        without the floor a demoted job re-enters rank 0 and is preempted and restarted forever)."""
        rank = self.policy.rank(job, job.attained_gpu_h)
        job.rank = rank if floor_rank is None else max(rank, floor_rank)
        self.waiting.setdefault(job.rank, OrderedDict())[job.id] = job
        self.by_researcher.setdefault(job.researcher, OrderedDict())[job.id] = job
        self.enqueued_researchers.add(job.researcher)
        self.n_waiting += 1

    def _dequeue(self, job: JobState) -> None:
        q = self.waiting[job.rank]
        del q[job.id]
        if not q:
            del self.waiting[job.rank]
        r = self.by_researcher[job.researcher]
        del r[job.id]
        if not r:
            del self.by_researcher[job.researcher]
        self.n_waiting -= 1

    def rerank_running(self, job: JobState, rank: int) -> None:
        """Move a running job to another rank (least-attained-service demotion)."""
        q = self.running[job.rank]
        del q[job.id]
        if not q:
            del self.running[job.rank]
        job.rank = rank
        self.running.setdefault(rank, OrderedDict())[job.id] = job

    def max_running_rank(self) -> int:
        return max(self.running) if self.running else -(1 << 30)

    # ---- actions ----------------------------------------------------------------------------
    def start(self, job: JobState) -> bool:
        """Place and start a waiting job; False (nothing changed) if it cannot be placed now."""
        placed = self.place.allocate(job.gpus)
        if placed is None:
            if job.gpus <= self.place.total_free:
                self.frag_blocked = True
            return False
        alloc, cross_pod = placed
        self._dequeue(job)
        now = self.now
        job.alloc = alloc
        job.rate = 1.0 / self.spec.cross_pod_slowdown if cross_pod else 1.0
        job.start_h = now
        job.end_h = now + job.overhead_h + job.remaining_h / job.rate
        if job.first_start_h < 0:
            job.first_start_h = now
        job.epoch += 1
        self.running.setdefault(job.rank, OrderedDict())[job.id] = job
        self.run_gpus_researcher[job.researcher] += job.gpus
        self.run_gpus_team[job.team] += job.gpus
        if self.track_ends:
            insort(self.ends, (job.end_h, job.id, job.gpus))
        if self.domain_jobs is not None:
            for d, _ in alloc:
                self.domain_jobs[d][job.id] = job
        self.on_start(job)
        return True

    def _stop(self, job: JobState) -> float:
        """Take a running job off its GPUs; returns the progress (full-speed hours) it made."""
        elapsed = self.now - job.start_h
        paid = min(job.overhead_h, elapsed)
        progress = min((elapsed - paid) * job.rate, job.remaining_h)
        job.overhead_paid_h += paid
        job.overhead_h -= paid
        job.remaining_h -= progress
        job.progress_h += progress
        job.progress_wall_h += elapsed - paid
        job.run_h += elapsed
        job.attained_gpu_h += job.gpus * elapsed
        self.place.release(job.alloc)
        self.releases += 1
        self.segments.append((job.start_h, self.now, job.gpus, job.researcher))
        q = self.running[job.rank]
        del q[job.id]
        if not q:
            del self.running[job.rank]
        self.run_gpus_researcher[job.researcher] -= job.gpus
        self.run_gpus_team[job.team] -= job.gpus
        if self.track_ends:
            del self.ends[bisect_left(self.ends, (job.end_h, job.id, job.gpus))]
        if self.domain_jobs is not None:
            for d, _ in job.alloc:
                del self.domain_jobs[d][job.id]
        job.alloc = []
        job.epoch += 1
        return progress

    def finish(self, job: JobState) -> None:
        self._stop(job)
        job.remaining_h = 0.0
        job.finish_h = self.now

    def preempt(self, job: JobState) -> None:
        """Checkpoint and stop a running job; it pays ``checkpoint_h + restart_h`` when it resumes."""
        self._stop(job)
        job.overhead_h += self.checkpoint_h + self.restart_h
        job.preemptions += 1
        self.version += 1
        self.enqueue(job, floor_rank=job.rank)

    def fail(self, job: JobState, lost_h: float, restart_h: float) -> None:
        """A hardware failure: lose up to ``lost_h`` of progress since the last checkpoint, requeue."""
        elapsed_progress = self._stop(job)
        lost = min(lost_h, elapsed_progress)
        job.remaining_h += lost
        job.lost_h += lost
        job.overhead_h += restart_h
        job.failures += 1
        self.version += 1
        self.enqueue(job, floor_rank=job.rank)

    def make_room(self, job: JobState, min_run_h: float = 0.0, limit: int = 4096) -> list[JobState] | None:
        """Running jobs of a worse rank whose preemption lets ``job`` be placed, or None."""
        need, size = job.gpus, self.place.size
        free = self.place.free
        victims: list[JobState] = []
        extra: dict[int, int] = {}
        acc = self.place.total_free
        for rank in sorted((r for r in self.running if r > job.rank), reverse=True):
            for v in reversed(self.running[rank].values()):
                if self.now - v.start_h < min_run_h:
                    continue
                victims.append(v)
                if need > size:
                    acc += v.gpus
                    if acc >= need:
                        return victims
                    continue
                for d, n in v.alloc:
                    extra[d] = extra.get(d, 0) + n
                    if free[d] + extra[d] >= need:
                        return [x for x in victims if any(dd == d for dd, _ in x.alloc)]
                if len(victims) >= limit:
                    return None
        return None
