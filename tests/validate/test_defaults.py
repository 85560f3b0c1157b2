"""Defaults for blank batch and GPU count follow model size and year (validate.defaults)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from gigacluster.validate.defaults import default_batch_seqs, default_batch_tokens, default_gpus, max_gpus


def test_batch_follows_the_era_practice() -> None:
    assert math.isclose(default_batch_tokens(175, 2020), 3.2e6)  # GPT-3
    assert math.isclose(default_batch_tokens(0.125, 2020), 0.5e6)
    assert math.isclose(default_batch_tokens(65, 2023), 4e6)  # LLaMA
    assert math.isclose(default_batch_tokens(405, 2024), 16e6)  # Llama 3 405B
    assert default_batch_tokens(671, None) == default_batch_tokens(671, 2030)  # a blank year: the latest era


@given(st.floats(0.01, 5000), st.floats(0.01, 5000), st.integers(2015, 2030))
def test_batch_grows_with_model_size(a: float, b: float, year: int) -> None:
    small, large = sorted((a, b))
    assert default_batch_tokens(small, year) <= default_batch_tokens(large, year) * (1 + 1e-12)


@given(st.floats(0.01, 5000), st.integers(2015, 2030), st.sampled_from([512, 2048, 4096, 8192, 131072]))
def test_batch_in_sequences_is_a_power_of_two(params_b: float, year: int, seq: int) -> None:
    n = default_batch_seqs(params_b, year, seq)
    assert n >= 1 and n & (n - 1) == 0


def test_gpus_size_the_run_to_about_a_month() -> None:
    # LLaMA 65B, 1.4T tokens on A100 (312 TFLOP/s): the paper's 2,048 GPUs
    assert default_gpus(65.2, 1.4e12, 312, 2023) == 2048
    assert default_gpus(70, 15e12, 989, 2024) == 8192
    assert default_gpus(70, None, 989, 2024) == 2048  # no tokens: the fallback


@given(st.floats(0.1, 2000), st.floats(1e9, 1e14), st.floats(10, 5000), st.integers(2015, 2030))
def test_gpus_are_capped_by_the_year_and_a_power_of_two(params_b: float, tokens: float, peak: float,
                                                        year: int) -> None:
    g = default_gpus(params_b, tokens, peak, year)
    assert 8 <= g <= max(max_gpus(year), 8) and (g & (g - 1) == 0 or g == max_gpus(year))
