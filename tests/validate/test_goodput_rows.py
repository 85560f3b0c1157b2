"""End-to-end rows (gpu_hours, time_to_train_h) use the reliability model's ETTR at the run's scale."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gigacluster.errors import GigaclusterError
from gigacluster.training.calibration import load_calibration
from gigacluster.validate.training import run_ettr


def test_ettr_falls_with_the_run_scale() -> None:
    profile = load_calibration().goodput.profile
    small, llama3 = run_ettr(512, profile), run_ettr(16384, profile)
    assert 0.9 < small <= 1.0
    # Llama 3 (Dubey et al. 2024, §3.3.4): "higher than 90%" effective training time on 16k GPUs
    assert 0.85 < llama3 < small


@given(st.integers(1, 100_000))
def test_ettr_is_a_fraction_and_monotone(gpus: int) -> None:
    profile = load_calibration().goodput.profile
    e = run_ettr(gpus, profile)
    assert 0.0 < e <= 1.0
    assert run_ettr(gpus + 1, profile) <= e + 1e-12


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(GigaclusterError):
        run_ettr(1024, "no-such-profile")
