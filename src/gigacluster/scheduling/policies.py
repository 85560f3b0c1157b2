"""Scheduling policies: small pluggable objects with one decision method, ``decide(state)``.

A policy also names a ``rank`` for each job (its queue class: lower runs first; running jobs of a
worse rank may be preempted by preemptive policies) and, for least-attained-service, the service
thresholds at which a running job is demoted. ``decide`` is called after every batch of events
at one instant; it starts jobs with ``state.start`` and may preempt with ``state.preempt``.
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush
from itertools import islice
from typing import ClassVar

from gigacluster.errors import unknown
from gigacluster.scheduling.state import JobState, SchedState


class Policy:
    """Base: one FIFO class, no preemption."""

    name: ClassVar[str] = "base"
    needs_ends: ClassVar[bool] = False  # keep running jobs sorted by end time (backfill)
    preemptive: ClassVar[bool] = False
    thresholds_gpu_h: tuple[float, ...] = ()

    def rank(self, job: JobState, attained_gpu_h: float) -> int:
        return 0

    def decide(self, state: SchedState) -> None:
        raise NotImplementedError


class Fifo(Policy):
    """First come, first served; the head of the queue blocks everything behind it."""

    name = "fifo"

    def decide(self, state: SchedState) -> None:
        q = state.waiting.get(0)
        while q and state.start(next(iter(q.values()))):
            pass


class EasyBackfill(Policy):
    """FIFO with EASY backfill: the head gets a reservation at the earliest time enough GPUs free
    up (by count, from exact run times); later jobs (up to ``depth`` of them, as Slurm's
    ``bf_max_job_test``) may start now if they end before it or fit in the GPUs it leaves spare."""

    name = "backfill"
    needs_ends = True

    def __init__(self, depth: int = 200) -> None:
        self.depth = depth
        self._cache: tuple[int, int, float, int] = (-1, -1, 0.0, 0)  # head id, version, shadow, extra

    def _reservation(self, state: SchedState, head: JobState) -> tuple[float, int]:
        hid, version, shadow, extra = self._cache
        if hid == head.id and version == state.version and state.now < shadow:
            return shadow, extra
        avail = state.place.total_free
        shadow = float("inf")
        for end_h, _, gpus in state.ends:
            avail += gpus
            if avail >= head.gpus:
                shadow = end_h
                break
        extra = avail - head.gpus
        self._cache = (head.id, state.version, shadow, extra)
        return shadow, extra

    def decide(self, state: SchedState) -> None:
        q = state.waiting.get(0)
        while q and state.start(next(iter(q.values()))):
            pass
        if not q or state.place.total_free == 0:
            return
        head = next(iter(q.values()))
        shadow, extra = self._reservation(state, head)
        for job in list(islice(q.values(), 1, 1 + self.depth)):
            if job.gpus > state.place.total_free:
                continue
            ends_before = state.now + job.overhead_h + job.remaining_h <= shadow
            if (ends_before or job.gpus <= extra) and state.start(job) and not ends_before:
                extra -= job.gpus
                self._cache = (head.id, state.version, shadow, extra)
            if state.place.total_free == 0:
                return


class FairShare(Policy):
    """Weighted fair share, two levels: the team with the fewest running GPUs per unit weight
    goes first, then its researcher with the fewest running GPUs per weight; FIFO within a
    researcher (the first of their ``lookahead`` oldest jobs that fits). Team weight defaults to
    the team's researcher count, so every researcher is entitled to the same share."""

    name = "fair"

    def __init__(self, team_weights: dict[int, float] | None = None, lookahead: int = 4) -> None:
        self.team_weights = team_weights or {}
        self.lookahead = lookahead
        self._blocked: set[int] = set()
        self._releases = -1

    def _key(self, state: SchedState, r: int) -> tuple[float, int, int]:
        team = state.researcher_team[r]
        w = self.team_weights.get(team) or state.team_size[team] or 1
        return state.run_gpus_team[team] / w, state.run_gpus_researcher[r], r

    def decide(self, state: SchedState) -> None:
        # Nothing was released since the last decision: who was blocked then still is, unless
        # they have new jobs. Keys only grow during a decision, so a lazy heap finds the minimum.
        if state.releases != self._releases:
            self._blocked = set()
        self._blocked.difference_update(state.enqueued_researchers)
        blocked = self._blocked
        heap = [self._key(state, r) for r in state.by_researcher if r not in blocked]
        heapify(heap)
        while heap and state.place.total_free > 0:
            key = heappop(heap)
            r = key[2]
            now_key = self._key(state, r)
            if now_key != key:
                heappush(heap, now_key)
                continue
            q = state.by_researcher.get(r)
            if q and any(state.start(j) for j in list(islice(q.values(), self.lookahead))):
                if r in state.by_researcher:
                    heappush(heap, self._key(state, r))
            else:
                blocked.add(r)
        self._releases = state.releases


class RankedPreemptive(Policy):
    """Serve ranks in order, FIFO within a rank; a job that does not fit preempts running jobs of a
    worse rank (most recently started first, only after ``min_run_h``) when that makes room.
    Work-conserving: a job that cannot start is skipped; ``depth`` bounds the scan per decision."""

    preemptive = True

    def __init__(self, min_run_h: float = 0.0, depth: int = 256) -> None:
        self.min_run_h = min_run_h
        self.depth = depth

    def decide(self, state: SchedState) -> None:
        budget = self.depth
        failed_small = failed_big = 1 << 62  # smallest gang that could not start, per shape
        for rank in sorted(state.waiting):
            q = state.waiting.get(rank)
            if not q:
                continue
            for job in list(islice(q.values(), budget)):
                budget -= 1
                if state.place.total_free == 0 and state.max_running_rank() <= rank:
                    return
                small = job.gpus <= state.place.size
                if job.gpus >= (failed_small if small else failed_big):
                    continue
                if state.start(job):
                    continue
                victims = state.make_room(job, self.min_run_h)
                if victims is not None:
                    for v in victims:
                        state.preempt(v)
                    if state.start(job):
                        continue
                if job.gpus == 1:
                    return  # not even one GPU can be freed for this rank: nothing else starts
                if small:
                    failed_small = job.gpus
                else:
                    failed_big = job.gpus
            if budget <= 0:
                return


class Priority(RankedPreemptive):
    """Strict priority classes (higher ``priority`` first) with preemption of lower classes."""

    name = "priority"

    def rank(self, job: JobState, attained_gpu_h: float) -> int:
        return -job.priority


class LeastAttainedService(RankedPreemptive):
    """Tiresias-style discretised 2D-LAS: a job's rank is how many GPU-hour thresholds its attained
    service (GPUs x time held) has crossed; new jobs start at rank 0 and preempt older, longer ones."""

    name = "las"

    def __init__(self, thresholds_gpu_h: tuple[float, ...] = (1.0, 10.0, 100.0), min_run_h: float = 0.0,
                 depth: int = 256) -> None:
        super().__init__(min_run_h, depth)
        self.thresholds_gpu_h = tuple(sorted(thresholds_gpu_h))

    def rank(self, job: JobState, attained_gpu_h: float) -> int:
        return sum(1 for t in self.thresholds_gpu_h if attained_gpu_h >= t)


POLICIES: dict[str, type[Policy]] = {
    p.name: p for p in (Fifo, EasyBackfill, FairShare, Priority, LeastAttainedService)
}


def make_policy(name: str) -> Policy:
    """A policy by name (fifo, backfill, fair, priority, las) with default parameters."""
    cls = POLICIES.get(name)
    if cls is None:
        raise unknown("policy", name, POLICIES)
    return cls()
