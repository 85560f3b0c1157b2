"""Wide expert parallelism: DeepEP-style all-to-all, two-batch overlap, expert compute, imbalance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog import get_accelerator, get_model
from gigacluster.inference.layout import ServingLayout, candidate_layouts
from gigacluster.inference.step_cost import make_step_fn, step_breakdown, step_coefficients
from gigacluster.inference.wide_ep import imbalance, low_latency_all_to_all, nic_share, normal_all_to_all

H800 = get_accelerator("h800")
DSV3 = get_model("deepseek-v3")


def wide(n: int, overlap: str = "two_batch") -> ServingLayout:
    return ServingLayout(tp=1, dp=n, ep=n, weight_precision="fp8", kv_precision="fp8", moe_a2a="deepep",
                         overlap=overlap)  # type: ignore[arg-type]


def test_ep128_low_latency_within_2x_of_deepep() -> None:
    """DeepEP README (github.com/deepseek-ai/DeepEP, low-latency kernels, H800, CX7 400 Gb/s):
    EP128, 128 tokens per GPU, hidden 7168, top-8: dispatch ~192 us, combine ~369 us."""
    t = low_latency_all_to_all(128, 128, 7168, 8, H800)
    assert 0.5 < t.dispatch_s / 192e-6 < 2.0
    assert 0.5 < t.combine_s / 369e-6 < 2.0


def test_low_latency_grows_sublinearly_with_ep() -> None:
    """The old model grew with every GPU in the group; DeepEP saturates once traffic is on the NIC."""
    t64 = low_latency_all_to_all(128, 64, 7168, 8, H800)
    t256 = low_latency_all_to_all(128, 256, 7168, 8, H800)
    assert t256.dispatch_s < 1.2 * t64.dispatch_s


def test_nvl72_keeps_ep72_on_nvlink() -> None:
    gb = get_accelerator("gb200")
    assert nic_share(72, gb.scaleup_domain) == 0.0
    assert nic_share(144, gb.scaleup_domain) == pytest.approx(0.5)
    assert low_latency_all_to_all(128, 72, 7168, 8, gb).dispatch_s < low_latency_all_to_all(
        128, 72, 7168, 8, H800).dispatch_s


def test_normal_kernel_bounded_by_node_limit() -> None:
    a = normal_all_to_all(4096, 64, 7168, 8, H800)
    b = normal_all_to_all(4096, 256, 7168, 8, H800)
    assert b.dispatch_s < 1.3 * a.dispatch_s


def test_two_batch_overlap_hides_communication() -> None:
    on = step_coefficients(DSV3, H800, wide(144))
    off = step_coefficients(DSV3, H800, wide(144, "none"))
    n = 128 * 144
    assert make_step_fn(on)(0, 0, n, n * 4000) < make_step_fn(off)(0, 0, n, n * 4000)


def test_single_user_decode_is_fast_with_wide_ep() -> None:
    """Expert compute follows routed tokens: one user is not charged a ~3,200-token expert GEMM."""
    f = make_step_fn(step_coefficients(DSV3, H800, wide(144)))
    assert f(0, 0, 1, 2000) < 0.03
    assert f(0, 0, 144 * 64, 144 * 64 * 2000) > 1.5 * f(0, 0, 1, 2000)


def test_step_fn_matches_breakdown_wide() -> None:
    c = step_coefficients(DSV3, H800, wide(32))
    f = make_step_fn(c)
    for args in ((0, 0, 3000, 3000 * 1500), (4096 * 32, 4096 * 32 * 3000, 0, 0), (100, 5000, 200, 9e5)):
        assert f(*args) == pytest.approx(step_breakdown(c, *args).total_s, rel=1e-9)


def test_candidates_include_wide_engines_up_to_320() -> None:
    sizes = {lay.engine_gpus(DSV3) for lay in candidate_layouts(DSV3, H800, None, "fp8", "fp8") if lay.wide}
    assert max(sizes) >= 320 and 144 in sizes


@settings(max_examples=50, deadline=None)
@given(rows=st.floats(1.0, 1e5), ep=st.integers(2, 512))
def test_imbalance_at_least_one_and_shrinks_with_rows(rows: float, ep: int) -> None:
    assert imbalance(rows, ep) >= 1.0
    assert imbalance(rows * 4, ep) <= imbalance(rows, ep)
