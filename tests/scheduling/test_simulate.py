from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.scheduling import POLICIES, ClusterSpec, SimOptions, SyntheticSpec, Workload, generate, run, simulate
from gigacluster.scheduling.invariants import check_invariants, max_concurrent_gpus
from gigacluster.scheduling.simulate import SimRun

from .conftest import make_workload

SMALL = ClusterSpec(gpus=64, gpus_per_domain=8, domains_per_pod=4)


def _independent_checks(r: SimRun) -> None:
    """The invariants again, from the raw run, independently of check_invariants."""
    assert max_concurrent_gpus(r.state.segments) <= r.spec.gpus
    assert all(j.finish_h >= 0 for j in r.jobs) and len({j.id for j in r.jobs}) == len(r.workload)
    assert all(j.first_start_h >= j.arrival_h for j in r.jobs)
    useful = sum(j.gpus * j.duration_h for j in r.jobs)
    assert r.state.busy_gpu_h >= useful - 1e-6
    extra = sum(j.gpus * (j.overhead_paid_h + j.lost_h + j.progress_wall_h - j.progress_h) for j in r.jobs)
    assert r.state.busy_gpu_h == pytest.approx(useful + extra, rel=1e-9)


jobs_strategy = st.lists(
    st.tuples(st.floats(0, 20), st.floats(0.0, 5), st.sampled_from([1, 1, 1, 2, 4, 8, 12, 16, 32, 64]),
              st.integers(0, 4), st.integers(0, 2)),
    min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(jobs_strategy, st.sampled_from(sorted(POLICIES)), st.booleans())
def test_invariants_hold_for_every_policy(jobs: list[tuple[float, float, int, int, int]], policy: str,
                                          failures: bool) -> None:
    a, d, g, r, p = (list(x) for x in zip(*jobs, strict=True))
    w = make_workload(a, d, g, researcher=r, priority=p, researchers=5)
    opts = SimOptions(failures=failures, node_failures_per_1000_node_days=2000.0, seed=1)
    result = run(SMALL, w, policy, opts)  # run() checks the invariants itself
    _independent_checks(result)


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_synthetic_run_with_failures_keeps_invariants(policy: str) -> None:
    w = generate(SyntheticSpec(jobs=1500, researchers=40, cluster_gpus=256, load=1.2, seed=2))
    r = run(ClusterSpec(gpus=256, domains_per_pod=8), w, policy, SimOptions(failures=True, seed=2,
            node_failures_per_1000_node_days=200.0))
    _independent_checks(r)
    assert sum(j.failures for j in r.jobs) > 0


def test_check_invariants_catches_a_broken_run() -> None:
    r = run(SMALL, make_workload([0.0, 0.0], [1.0, 2.0], [8, 8]), "fifo")
    r.state.segments.append((0.5, 1.5, 60, 0))
    with pytest.raises(AssertionError, match="double booking"):
        check_invariants(r)
    r = run(SMALL, make_workload([0.0, 1.0], [1.0, 2.0], [8, 8]), "fifo")
    r.jobs[1].first_start_h = 0.5
    with pytest.raises(AssertionError, match="before it arrived"):
        check_invariants(r)
    r = run(SMALL, make_workload([0.0], [1.0], [8]), "fifo")
    r.jobs[0].progress_h = 0.5
    with pytest.raises(AssertionError, match="work not conserved"):
        check_invariants(replace(r))


def _erlang_c_wait(c: int, lam: float, mu: float) -> float:
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top) / (c * mu - lam)


def test_mmc_mean_wait_matches_erlang_c() -> None:
    """Single-GPU jobs, Poisson arrivals, exponential service on c GPUs: mean wait within 5%."""
    c, mu, rho, n = 4, 1.0, 0.6, 30_000
    lam = rho * c * mu
    waits = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        w = make_workload(np.cumsum(rng.exponential(1 / lam, n)), rng.exponential(1 / mu, n), [1] * n)
        r = run(ClusterSpec(gpus=c, gpus_per_domain=4), w, "fifo")
        waits.append(np.mean([j.first_start_h - j.arrival_h for j in r.jobs]))
    assert float(np.mean(waits)) == pytest.approx(_erlang_c_wait(c, lam, mu), rel=0.05)


def test_philly_las_lowers_mean_jct_and_backfill_raises_utilization(philly_october: Workload) -> None:
    cluster = ClusterSpec(gpus=128)
    fifo = simulate(cluster, philly_october, "fifo")
    las = simulate(cluster, philly_october, "las")
    backfill = simulate(cluster, philly_october, "backfill")
    assert las.jct_h.mean < 0.5 * fifo.jct_h.mean
    assert backfill.utilization > fifo.utilization + 0.01
    assert backfill.fragmentation_gpu_h < fifo.fragmentation_gpu_h
    assert backfill.queue_wait_h.mean < fifo.queue_wait_h.mean


def test_preemption_pays_checkpoint_and_restart() -> None:
    one_pod = ClusterSpec(gpus=64, domains_per_pod=8)
    w = make_workload([0.0, 1.0], [4.0, 1.0], [64, 64], priority=[0, 1])
    r = run(one_pod, w, "priority", SimOptions(checkpoint_h=0.1, restart_h=0.2))
    low, high = r.jobs
    assert low.preemptions == 1 and high.first_start_h == 1.0 and high.finish_h == pytest.approx(2.0)
    assert low.finish_h == pytest.approx(2.0 + 3.0 + 0.3)  # 3 h of work left plus the overheads
    rep = simulate(one_pod, w, "priority", SimOptions(checkpoint_h=0.1, restart_h=0.2))
    assert rep.lost_gpu_h.preemption_overhead == pytest.approx(64 * 0.3)


def test_cross_pod_jobs_run_slower_by_the_stated_factor() -> None:
    spec = ClusterSpec(gpus=64, gpus_per_domain=8, domains_per_pod=4, cross_pod_slowdown=1.5)
    r = run(spec, make_workload([0.0], [2.0], [48]), "fifo")
    assert r.jobs[0].finish_h == pytest.approx(3.0)
    assert simulate(spec, make_workload([0.0], [2.0], [32]), "fifo").jct_h.mean == pytest.approx(2.0)


def test_fair_share_shares_between_researchers() -> None:
    # researcher 0 floods the queue first; researcher 1 arrives a little later
    a = [0.0] * 20 + [0.1] * 20
    w = make_workload(a, [1.0] * 40, [8] * 40, researcher=[0] * 20 + [1] * 20)
    fifo = simulate(SMALL, w, "fifo")
    fair = simulate(SMALL, w, "fair")
    assert fair.jain_fairness > fifo.jain_fairness


def test_runs_are_deterministic() -> None:
    w = generate(SyntheticSpec(jobs=800, researchers=30, cluster_gpus=128, load=1.2, seed=5))
    a = simulate(ClusterSpec(gpus=128), w, "las", SimOptions(failures=True, seed=3))
    b = simulate(ClusterSpec(gpus=128), w, "las", SimOptions(failures=True, seed=3))
    assert a.model_dump(exclude={"wall_s", "events_per_s"}) == b.model_dump(exclude={"wall_s", "events_per_s"})


def test_researcher_compute_for_plan() -> None:
    from gigacluster.scheduling import researcher_compute

    rep = researcher_compute(ClusterSpec(gpus=256), researchers=40, policy="fair", jobs=1500, load=0.8)
    assert rep.researchers == 40 and rep.policy == "fair"
    per_day = rep.utilization * 256 * 24 / 40
    assert rep.gpu_hours_per_researcher_per_day == pytest.approx(per_day, rel=1e-6)
    assert rep.researcher_gpu_h_per_day.min <= rep.gpu_hours_per_researcher_per_day <= rep.researcher_gpu_h_per_day.max
