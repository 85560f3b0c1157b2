"""The day's fleet inverted: users whose peak-hour pool fits a number of GPUs (closed form)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.inference.fleet import load_profile, pool_day, users_servable


@settings(max_examples=200, deadline=None)
@given(cap=st.floats(0.01, 1e4), engine=st.sampled_from([1, 2, 8, 32, 72, 144]), gpus=st.integers(1, 2_000_000),
       rpd=st.floats(0.1, 100.0), n_plus=st.integers(0, 3), headroom=st.floats(0.0, 0.5),
       profile=st.sampled_from(["flat", "diurnal"]))
def test_users_servable_is_the_largest_fleet_that_fits(cap: float, engine: int, gpus: int, rpd: float, n_plus: int,
                                                       headroom: float, profile: str) -> None:
    prof = load_profile(profile)
    users = users_servable(cap, engine, gpus, rpd, prof, n_plus, headroom)
    if users == 0.0:
        assert gpus // engine - n_plus < 1
        return
    day = pool_day(users * rpd / 86400.0, cap, engine, prof, n_plus, headroom, 0.0)
    assert day.peak_gpus <= gpus  # the peak hour fits
    more = pool_day(users * 1.001 * rpd / 86400.0, cap, engine, prof, n_plus, headroom, 0.0)
    assert more.peak_gpus > gpus  # 0.1% more users need one more engine than the GPUs hold


def test_a_peakier_day_serves_fewer_users() -> None:
    flat = users_servable(10.0, 8, 80_000, 10.0, load_profile("flat"))
    diurnal = users_servable(10.0, 8, 80_000, 10.0, load_profile("diurnal"))
    assert diurnal == pytest.approx(flat / 1.35)
    assert flat == pytest.approx((10_000 - 1) * 10.0 * 86400 / 10.0)  # N+1: one engine held spare
    assert users_servable(10.0, 8, 8, 10.0, load_profile("flat")) == 0.0  # only the spare fits
