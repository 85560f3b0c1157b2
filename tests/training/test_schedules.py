"""Pipeline schedules: bubble and memory properties, search over the schedule dimension."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.errors import GigaclusterError
from gigacluster.training import schedules as S
from gigacluster.training.plan import plan_training

from .conftest import make_job

pos = st.floats(0.01, 10.0)


def _one(v: float | int) -> np.ndarray:
    return np.array([v])


@settings(max_examples=200)
@given(p=st.integers(2, 128), f=pos, bw=pos, w_share=st.floats(0.05, 0.95))
def test_zero_bubble_schedules_never_bubble_more_than_1f1b(p: int, f: float, bw: float, w_share: float) -> None:
    w = bw * w_share
    b = bw - w
    base = S.bubble_s(_one(0), _one(p), _one(1), _one(f), _one(b), _one(w))[0]
    for name in ("zb-h1", "zb-v", "dualpipe", "dualpipev"):
        code = S.SCHEDULES[name].code
        v = 2 if S.SCHEDULES[name].chunks == "two" else 1
        assert S.bubble_s(_one(code), _one(p), _one(v), _one(f), _one(b), _one(w))[0] <= base + 1e-12


@settings(max_examples=200)
@given(p=st.integers(1, 128), m=st.integers(1, 4096), v=st.integers(1, 8))
def test_dualpipe_memory_at_least_1f1b(p: int, m: int, v: int) -> None:
    one_f1b = S.inflight(_one(0), _one(p), _one(1), _one(m))[0]
    assert S.inflight(_one(4), _one(p), _one(1), _one(m))[0] >= one_f1b
    assert S.inflight(_one(5), _one(p), _one(2), _one(m))[0] >= one_f1b
    assert S.param_copies(_one(4))[0] == 2.0 and S.param_copies(_one(0))[0] == 1.0
    assert S.inflight(_one(1), _one(p), _one(v), _one(m))[0] >= one_f1b  # interleaving holds more


def test_interleaved_bubble_is_1f1b_over_v() -> None:
    args = (_one(8), _one(1.0), _one(1.0), _one(1.0))
    assert S.bubble_s(_one(1), args[0], _one(4), *args[1:])[0] == pytest.approx(
        S.bubble_s(_one(0), args[0], _one(1), *args[1:])[0] / 4)


def test_schedule_is_searched_like_a_layout_field() -> None:
    job = make_job("llama3-70b", gpus=256, batch=256, tp=8, pp=8)
    plans = {n: plan_training(make_job("llama3-70b", gpus=256, batch=256, tp=8, pp=8, pipeline_schedule=n),
                              top_k=1).best for n in ("1f1b", "zb-h1")}
    assert plans["zb-h1"].step_breakdown_s["bubble"] < plans["1f1b"].step_breakdown_s["bubble"]
    searched = plan_training(job, top_k=1).best
    assert searched.layout.pipeline_schedule != "1f1b"
    assert searched.step_time_s <= min(p.step_time_s for p in plans.values()) + 1e-9


def test_restricted_schedules_are_honoured() -> None:
    job = make_job("llama3-70b", gpus=256, batch=256, tp=8, pp=8).model_copy(
        update={"schedules": ("1f1b", "interleaved")})
    assert plan_training(job, top_k=1).best.layout.pipeline_schedule in ("1f1b", "interleaved")


def test_unknown_schedule_names_the_allowed_ones() -> None:
    with pytest.raises(GigaclusterError, match="dualpipev"):
        make_job("llama3-70b", pipeline_schedule="gpipe")


def test_schedules_a_framework_ships() -> None:
    assert S.available(2021, "Megatron-LM") == ("1f1b", "interleaved")
    assert S.available(2024, "Megatron-DeepSpeed") == ("1f1b",)
    assert "dualpipev" in S.available(2025, "torchtitan")
    assert "zb-h1" not in S.available(2023, None)
