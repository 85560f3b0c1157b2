import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gigacluster.comm import CommParams, all_gather_s, all_reduce_s, default_fabric, reduce_scatter_s

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
