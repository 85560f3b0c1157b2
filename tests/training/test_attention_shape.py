"""The attention core's rate depends on sequence length and head dimension (training.attention)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from gigacluster.catalog import get_model
from gigacluster.training.attention import REF_HEAD_DIM, REF_SEQ, head_dim, shape_factor
from gigacluster.training.calibration import load_calibration

CAL = load_calibration().attention


def test_reference_shape_is_the_calibrated_efficiency() -> None:
    assert math.isclose(shape_factor(REF_SEQ, REF_HEAD_DIM, CAL), 1.0)


def test_short_sequences_and_narrow_heads_run_slower() -> None:
    assert shape_factor(512, 128, CAL) < shape_factor(2048, 128, CAL) < 1.0
    assert shape_factor(4096, 64, CAL) < 1.0 < shape_factor(4096, 256, CAL)


@given(st.floats(1, 1e7), st.floats(1, 1e7), st.floats(1, 1024))
def test_rate_grows_with_sequence_and_is_bounded(a: float, b: float, d: float) -> None:
    lo, hi = sorted((a, b))
    f_lo, f_hi = shape_factor(lo, d, CAL), shape_factor(hi, d, CAL)
    assert 0 < f_lo <= f_hi * (1 + 1e-12)
    # bounded by the asymptote: (1 + s½/s_ref) · (1 + d½/d_ref)
    assert f_hi <= (1 + CAL.half_seq / REF_SEQ) * (1 + CAL.half_head_dim / REF_HEAD_DIM) + 1e-9


def test_head_dim_of_mla_counts_nope_and_rope() -> None:
    assert head_dim(get_model("deepseek-v3")) == 192
    assert head_dim(get_model("llama3-70b")) == 128
