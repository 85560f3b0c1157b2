"""The simulated clock always advances: no policy preempts and restarts the same jobs forever."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.errors import GigaclusterError
from gigacluster.scheduling import POLICIES, ClusterSpec, run
from gigacluster.scheduling.policies import LeastAttainedService, RankedPreemptive
from gigacluster.scheduling.simulate import STALL_PREEMPTING_PASSES, SimOptions, _Sim
from gigacluster.scheduling.state import JobState, SchedState

from .conftest import make_workload

SMALL = ClusterSpec(gpus=64, gpus_per_domain=8, domains_per_pod=4)


def test_preempted_job_keeps_its_demoted_rank_when_attained_falls_a_hair_short() -> None:
    """The LAS livelock of `schedule --jobs 16000 --policy las --seed 0`: a job demoted at the
    1 GPU-h threshold with attained 0.9999999999 re-entered rank 0 on preemption."""
    pol = LeastAttainedService()
    st_ = SchedState(ClusterSpec(gpus=64), pol, [0], 1, lambda j: None)
    job = JobState(0, 0.0, 5.0, 16, 0, 0, 0)
    st_.enqueue(job)
    assert st_.start(job)
    job.attained_gpu_h = 1.0 - 1e-12
    st_.rerank_running(job, 1)  # the demotion event at the threshold
    st_.preempt(job)
    assert job.rank == 1 and st_.waiting[1][0] is job


# Durations chosen so attained service lands on and around the LAS thresholds (1, 10, 100 GPU-h).
threshold_jobs = st.lists(
    st.tuples(st.sampled_from([0.0, 0.0, 1e-9, 0.1, 0.5, 1.0]),
              st.sampled_from([1 / 16, 1 / 3, 1 / 7, 0.1, 10 / 16, 1.0, 10 / 3, 7.0]),
              st.sampled_from([1, 3, 7, 8, 16, 24, 48])),
    min_size=2, max_size=60)


@settings(max_examples=60, deadline=None)
@given(threshold_jobs, st.sampled_from(sorted(POLICIES)))
def test_every_policy_finishes_with_the_clock_advancing(jobs: list[tuple[float, float, int]], policy: str) -> None:
    a, d, g = (list(x) for x in zip(*jobs, strict=True))
    a = [sum(a[: i + 1]) for i in range(len(a))]
    r = run(SMALL, make_workload(a, d, g), policy)  # raises if the clock stalls
    assert all(j.finish_h >= j.arrival_h for j in r.jobs)
    # bounded work: a job is preempted a bounded number of times (at most once per arrival after it)
    assert max(j.preemptions for j in r.jobs) <= len(jobs) + 3 * len(LeastAttainedService().thresholds_gpu_h)
    assert r.events <= 10 * len(jobs) + 10 * sum(j.preemptions for j in r.jobs)


class _Thrash(RankedPreemptive):
    """A broken policy: every decision preempts every running job, restarts it at once and asks
    for another decision at the same instant."""

    name = "thrash"

    def __init__(self) -> None:
        super().__init__()
        self.again: Callable[[], None] = lambda: None

    def decide(self, state: SchedState) -> None:
        for q in list(state.running.values()):
            for job in list(q.values()):
                state.preempt(job)
        for q in list(state.waiting.values()):
            for job in list(q.values()):
                state.start(job)
        self.again()


def test_a_stalled_clock_is_a_one_line_error_not_a_hang() -> None:
    pol = _Thrash()
    sim = _Sim(SMALL, make_workload([0.0] * 9, [1.0] * 9, [8] * 9), pol, SimOptions())
    pol.again = lambda: sim.loop.schedule(sim.loop.now, sim.k_pass, None, 1)
    with pytest.raises(GigaclusterError, match="stopped the simulated clock") as exc:
        sim.run()
    assert "\n" not in str(exc.value) and exc.value.field == "policy"
    assert sim.stall_passes == STALL_PREEMPTING_PASSES + 1
