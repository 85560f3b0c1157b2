import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gigacluster.comm import CommParams, all_gather_s, all_reduce_s, default_fabric, latency_s, reduce_scatter_s

P = CommParams(latency_us=0.0, half_efficiency_mb=1e-9)


def test_all_reduce_is_reduce_scatter_plus_all_gather() -> None:
    size, n, bw = 1e9, 8, 100.0
    ar = all_reduce_s(size, n, bw, P)
    assert np.isclose(ar, reduce_scatter_s(size, n, bw, P) + all_gather_s(size, n, bw, P))
    assert np.isclose(ar, 2 * 7 / 8 * 1e9 / 100e9)


def test_single_rank_costs_nothing() -> None:
    assert all_reduce_s(1e9, 1, 100.0, CommParams()) == 0.0


@given(st.floats(1e3, 1e10), st.integers(2, 100_000))
def test_bigger_messages_never_finish_sooner(size: float, n: int) -> None:
    p = CommParams()
    assert all_reduce_s(size * 2, n, 50.0, p) >= all_reduce_s(size, n, 50.0, p)


def test_tiers_pick_the_slowest_tier_spanned() -> None:
    fab = default_fabric(8, 450.0, 400.0, CommParams(scaleup_efficiency=1, scaleout_efficiency=1),
                         pod_gpus=3072, oversubscription=7.0)
    bw = fab.bandwidth_gbps(np.array([8, 16, 3072, 6144]))
    assert list(bw) == [450.0, 50.0, 50.0, 50.0 / 7]


NCCL = CommParams(latency_model="nccl", latency_us=8.4, hop_latency_us=3.4, scaleout_hop_latency_us=9.6)


def test_nccl_latency_is_nccls_ring_model_inside_a_domain() -> None:
    """NVIDIA/nccl tuning.cc: ring all-reduce = base + 2(n−1)·hop, all-gather base + (n−1)·hop."""
    assert np.isclose(latency_s(8, NCCL, passes=2.0), (8.4 + 14 * 3.4) * 1e-6)
    assert np.isclose(latency_s(8, NCCL, passes=1.0), (8.4 + 7 * 3.4) * 1e-6)
    # 64 ranks, 8 per domain: a ring of 8 inside, a tree of log2(8) = 3 steps across
    assert np.isclose(latency_s(64, NCCL, passes=1.0, per_domain=8), (8.4 + 7 * 3.4 + 3 * 9.6) * 1e-6)
    assert latency_s(1, NCCL) == 0.0


@given(st.sampled_from(["log_tree", "nccl"]), st.integers(1, 100_000), st.integers(1, 72),
       st.sampled_from([1.0, 2.0]))
def test_fixed_cost_is_non_negative_and_grows_with_the_group(model: str, n: int, per_domain: int,
                                                            passes: float) -> None:
    p = NCCL.model_copy(update={"latency_model": model})
    a = latency_s(n, p, passes, per_domain)
    assert a >= 0.0
    assert latency_s(n + 1, p, passes, per_domain) >= a
    assert latency_s(2 * n, p, passes, per_domain) >= a


def test_small_messages_pay_the_fixed_cost() -> None:
    tiny = all_reduce_s(8.0, 8, 300.0, NCCL)
    assert tiny >= latency_s(8, NCCL, passes=2.0)
