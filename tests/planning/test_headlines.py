"""The plan's headline numbers mean what they say: researcher compute as a distribution on the GPUs
the frontier run leaves, fault-tolerant recovery at every job size, and what each phase buys."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gigacluster.errors import GigaclusterError
from gigacluster.planning.model import Plan, ScalingPoint
from gigacluster.planning.phases import largest_model_params
from gigacluster.planning.training import choose_job


@pytest.mark.parametrize("sid", ["meta-24k", "prometheus"])
def test_researcher_compute_median_is_near_the_mean(real_plan: Callable[[str], Plan], sid: str) -> None:
    p = real_plan(sid)
    sc, q = p.scheduling, p.scheduling.queue
    rc = q.researcher_compute
    assert rc.mean <= 10 * rc.median and rc.p10 <= rc.median <= rc.p90
    assert sc.shared_gpus + sc.reserved_frontier_gpus == p.design.accelerators - p.design.accelerators % (
        p.design.system.scaleup_domain)
    assert sc.reserved_frontier_gpus >= min(p.training.gpus, sc.shared_gpus)  # the frontier run is reserved
    assert q.arrival_window_h >= 0.5 * q.makespan_h and q.largest_job_gpu_time_share <= 0.25


def test_every_job_size_keeps_making_progress(real_plan: Callable[[str], Plan]) -> None:
    p = real_plan("hyperion")
    assert all(pt.ettr >= 0.5 for pt in p.scaling)
    assert {pt.recovery for pt in p.scaling} <= {"restart", "in_memory", "replica", "elastic"}
    big = max(p.scaling, key=lambda pt: pt.gpus)
    assert big.recovery in {"replica", "elastic"} and big.gpu_hours >= big.wall_days * 24 * big.gpus


def test_phases_compare_what_each_buys(real_plan: Callable[[str], Plan]) -> None:
    p = real_plan("hyperion")
    assert [r.phase for r in p.phases] == ["phase-1", "full"]
    one, full = p.phases
    assert full.accelerators > 2 * one.accelerators and full.facility_power_mw == pytest.approx(5000, rel=0.01)
    assert full.largest_model_params > one.largest_model_params
    assert full.frontier_runs_in_parallel >= one.frontier_runs_in_parallel >= 1
    assert full.serving_share < one.serving_share
    assert full.researcher_gpu_h_per_day_median > one.researcher_gpu_h_per_day_median
    assert not real_plan("prometheus").phases


def test_largest_model_is_chinchilla_optimal() -> None:
    n = largest_model_params(100_000, 1e15, 1.0, 90)
    assert 6 * n * 20 * n == pytest.approx(100_000 * 1e15 * 90 * 86400, rel=1e-9)


def _pt(gpus: int, wall: float, cost: float) -> ScalingPoint:
    return ScalingPoint(gpus=gpus, mfu=0.4, step_time_s=5.0, train_days=wall * 0.9, wall_days=wall, ettr=0.9,
                        gpu_hours=gpus * wall * 24, run_cost_usd=cost)


def test_job_size_is_a_choice_on_the_time_cost_frontier() -> None:
    # 131k GPUs for 18.6 days vs 65k for 18.9 days at half the GPU-hours (the example)
    pts = [_pt(32_768, 40.0, 30e6), _pt(65_536, 18.9, 45e6), _pt(131_072, 18.6, 90e6)]
    assert choose_job(pts, "time") == 131_072
    assert choose_job(pts, "cost") == 32_768
    assert choose_job(pts, "balanced") == 65_536
    with pytest.raises(GigaclusterError, match="objective"):
        choose_job(pts, "fastest")


def test_unknown_objective_is_refused_before_planning() -> None:
    from gigacluster import api

    with pytest.raises(GigaclusterError, match="objective"):
        api.plan("prometheus", objective="fastest")
