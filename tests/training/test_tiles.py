"""GEMM tile and wave quantisation (training.tiles) and software-stack rules (training.stacks)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog import get_accelerator
from gigacluster.training.plan import plan_training
from gigacluster.training.stacks import stack_rule
from gigacluster.training.tiles import gemm_factor, useful_share

from .conftest import make_job

A100 = get_accelerator("a100-sxm-80gb")


def _layer(h: int) -> tuple[tuple[float, float, bool], ...]:
    return ((h, 3 * h, False), (h, h, True), (h, 4 * h, False), (4 * h, h, True))


def test_worked_example_from_the_docstring() -> None:
    # hidden 1024 at TP 8, 1,024 tokens: QKV output 1024 x 384 = 8 x 3 tiles of 128 on 108 SMs
    # only fills one wave a quarter; the best tile (64 x 64: 16 x 6 = 96 tiles) runs at half rate
    q = useful_share(np.array([1024.0]), np.array([384.0]), 108, 128)
    assert q[0] == pytest.approx(96 * 64 * 64 / (108 * 64 * 64) * 0.5)


def test_large_gemms_lose_little_small_tensor_parallel_slices_lose_much() -> None:
    big = gemm_factor(A100, np.array([8192.0]), np.array([8.0]), _layer(12288))
    small = gemm_factor(A100, np.array([1024.0]), np.array([8.0]), _layer(1024))
    assert big[0] > 0.95 and small[0] < 0.5


def test_parts_without_unit_counts_are_not_quantised() -> None:
    mtia = get_accelerator("mtia-v2")
    assert mtia.matrix_units is None
    assert np.all(gemm_factor(mtia, np.array([128.0, 4096.0]), np.array([8.0, 1.0]), _layer(1024)) == 1.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 64), st.sampled_from([1, 2, 4, 8, 16]), st.sampled_from([512, 1024, 2048, 4096, 8192]))
def test_factor_is_a_share_and_lookup_matches_direct(mb: int, tp: int, h: int) -> None:
    t = np.array([mb * 1024.0, 2048.0, mb * 1024.0])
    tps = np.array([tp, 1, tp], dtype=np.float64)
    q = gemm_factor(A100, t, tps, _layer(h))
    assert np.all((q > 0) & (q <= 1.0 + 1e-12))
    assert q[0] == q[2]  # same (tokens, TP) pair, same factor


def test_small_model_at_tp8_is_slower_per_flop_than_at_tp1() -> None:
    fast = plan_training(make_job("llama3-8b", "a100-sxm-80gb", gpus=8, seq=2048, batch=32, tp=1), top_k=1).best
    slow = plan_training(make_job("llama3-8b", "a100-sxm-80gb", gpus=8, seq=2048, batch=32, tp=8), top_k=1).best
    assert slow.mfu < fast.mfu


@pytest.mark.parametrize(("framework", "year", "overlap"), [
    ("Megatron-DeepSpeed", 2024, False),
    ("DeepSpeed ZeRO-3", 2021, False),
    ("Megatron-LM", 2021, False),
    ("Megatron-LM", 2024, True),
    ("NeMo 24.07 / Megatron-Core", 2024, True),
    (None, None, True),
    ("", 2022, True),
])
def test_stack_rules(framework: str | None, year: int | None, overlap: bool) -> None:
    assert stack_rule(framework, year).tp_comm_overlap is overlap


def test_exposed_tp_traffic_costs_time() -> None:
    job = make_job("llama3-70b", "h100-sxm", gpus=64, batch=64, tp=8, pp=1, micro_batch=1)
    hidden = plan_training(job, top_k=1).best
    exposed = plan_training(job.model_copy(update={"tp_comm_overlap": False}), top_k=1).best
    assert exposed.step_breakdown_s["tp_comm"] > hidden.step_breakdown_s["tp_comm"] > 0
