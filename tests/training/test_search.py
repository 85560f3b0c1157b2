from __future__ import annotations

import pytest

from gigacluster.errors import GigaclusterError
from gigacluster.training.dims import dims_of
from gigacluster.training.plan import plan_training
from gigacluster.training.search import enumerate_candidates
from tests.training.conftest import make_job


def test_given_fields_are_honoured_and_the_rest_searched() -> None:
    plan = plan_training(make_job(gpus=64, batch=64, tp=4, recompute="full"))
    assert plan.search.candidates > 10
    for r in plan.top:
        assert r.layout.tp == 4 and r.layout.recompute == "full"
        assert r.layout.gpus == 64


def test_top_k_is_sorted_by_step_time_and_fits_memory() -> None:
    job = make_job(gpus=128, batch=256)
    plan = plan_training(job)
    times = [r.step_time_s for r in plan.top]
    assert times == sorted(times)
    assert all(r.memory_gb <= job.accelerator.hbm_gb for r in plan.top)
    assert 0.2 < plan.best.mfu < 0.8


def test_more_gpus_train_faster_but_not_superlinearly() -> None:
    small = plan_training(make_job(gpus=64, batch=256)).best
    big = plan_training(make_job(gpus=256, batch=256)).best
    assert big.step_time_s < small.step_time_s
    assert big.step_time_s > small.step_time_s / 4 * 0.95


def test_fp8_is_faster_than_bf16_on_hopper() -> None:
    bf16 = plan_training(make_job(gpus=64, batch=128)).best
    fp8 = plan_training(make_job(gpus=64, batch=128, precision="fp8")).best
    assert fp8.step_time_s < bf16.step_time_s


def test_moe_search_enumerates_expert_parallelism_and_honours_it() -> None:
    job = make_job(model="qwen3-30b-a3b", gpus=64, batch=256)
    cands = enumerate_candidates(job, dims_of(job.model))
    assert {1, 8, 64} <= set(cands.ep.tolist())
    plan = plan_training(make_job(model="qwen3-30b-a3b", gpus=64, batch=256, ep=8))
    assert all(r.layout.ep == 8 for r in plan.top)
    assert plan.best.step_breakdown_s["ep_comm"] > 0


@pytest.mark.parametrize(("fields", "needle"), [
    ({"tp": 3}, "tp=3 must divide"),
    ({"pp": 1000}, "exceeds the model's 80 layers"),
    ({"ep": 2}, "ep=2 must divide the model's 0 experts"),
])
def test_impossible_layouts_are_rejected_with_the_reason(fields: dict[str, int], needle: str) -> None:
    with pytest.raises(GigaclusterError, match=needle):
        plan_training(make_job(**fields))


def test_a_model_that_cannot_fit_names_the_memory_parts() -> None:
    with pytest.raises(GigaclusterError, match="no layout fits"):
        plan_training(make_job(model="llama3-405b", gpus=8, batch=8))
