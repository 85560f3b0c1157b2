"""The steady-state workload gives headline numbers that mean something: arrivals over the whole
window, the target load reached, no single job owning the cluster, policies that differ, and the
compute per researcher as a distribution."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.errors import GigaclusterError
from gigacluster.scheduling import ClusterSpec, QueueReport, SyntheticSpec, generate, researcher_compute, simulate
from gigacluster.scheduling.metrics import gini, jain


@pytest.fixture(scope="module")
def reports() -> dict[str, QueueReport]:
    w = generate(SyntheticSpec(jobs=4_000, researchers=60, cluster_gpus=2048, load=0.9, horizon_h=7 * 24.0, seed=1))
    return {p: simulate(ClusterSpec(gpus=2048), w, p) for p in ("fair", "fifo", "las")}


def test_schedule_headline_is_steady_state(reports: dict[str, QueueReport]) -> None:
    r = reports["fair"]
    assert r.arrival_window_h >= 0.5 * r.makespan_h
    assert r.largest_job_gpu_time_share <= 0.25
    assert abs(r.utilization - 0.9) <= 0.15
    assert r.offered.target_load == 0.9 and r.offered.shortfall == ""


def test_policies_differ_when_jobs_queue(reports: dict[str, QueueReport]) -> None:
    fifo, las = reports["fifo"], reports["las"]
    assert las.jct_h.mean < 0.8 * fifo.jct_h.mean


def test_researcher_compute_is_a_distribution(reports: dict[str, QueueReport]) -> None:
    rc = reports["fair"].researcher_compute
    assert rc.p10 <= rc.median <= rc.p90 and 0 <= rc.gini < 1 and 0 < rc.jain <= 1
    assert rc.mean <= 10 * rc.median
    assert rc.mean == pytest.approx(reports["fair"].gpu_hours_per_researcher_per_day)


def test_plan_slices_a_large_cluster_and_reserves_the_frontier_run() -> None:
    cluster = ClusterSpec(gpus=8192, gpus_per_domain=8, domains_per_pod=128)
    rep = researcher_compute(cluster, researchers=400, jobs=3_000, reserved_gpus=4096, max_researchers=100)
    assert rep.cluster_slice == 4 and rep.researchers == 100 and rep.gpus == (8192 - 4096) // 4
    assert rep.researcher_compute.mean <= 10 * rep.researcher_compute.median
    with pytest.raises(GigaclusterError, match="reserved_gpus"):
        researcher_compute(cluster, researchers=10, jobs=100, reserved_gpus=8192)


def test_gini_and_jain_of_known_shares() -> None:
    assert gini(np.ones(10)) == pytest.approx(0.0) and jain(np.ones(10)) == pytest.approx(1.0)
    one = np.zeros(10)
    one[3] = 5.0
    assert gini(one) == pytest.approx(0.9) and jain(one) == pytest.approx(0.1)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50))
def test_gini_is_between_zero_and_one(x: list[float]) -> None:
    g = gini(np.array(x))
    assert 0.0 <= g < 1.0 + 1e-12
