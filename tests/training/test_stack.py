"""Software-stack facts from a run's year and framework: sequence parallelism (training.stack)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.training.calibration import load_calibration
from gigacluster.training.layout import Candidates, Layout
from gigacluster.training.stack import REPLICATED_SHARE, sequence_parallel_for
from gigacluster.training.step import evaluate
from tests.training.test_kernels import small_job


def test_sequence_parallel_by_year_and_framework() -> None:
    assert not sequence_parallel_for(2021, "Megatron-LM")  # Narayanan et al. 2021: before SP
    assert sequence_parallel_for(2022, "Megatron-LM")  # Korthikanti et al. 2022
    assert not sequence_parallel_for(2024, "Megatron-DeepSpeed")  # DeepSpeed pipeline engine
    assert not sequence_parallel_for(2022, "DeepSpeed + Megatron (3D parallel)")
    assert sequence_parallel_for(2024, "NeMo 24.07 / Megatron-Core")
    assert sequence_parallel_for(None, None)  # blank: a modern stack


def test_korthikanti_share() -> None:
    """Eq. 1 of Korthikanti et al. 2022: sbh(10 + 24/t) without SP against 34 sbh/t with it."""
    assert REPLICATED_SHARE * 34.0 == 10.0


def _eval(sp: bool, layout: Layout) -> tuple[float, float, float]:
    job = small_job().model_copy(update={"sequence_parallel": sp})
    ev = evaluate(job, Candidates.of(layout), load_calibration())
    return float(ev.step_time_s[0]), float(ev.parts["compute"][0]), float(ev.memory.activations[0])


@settings(max_examples=20, deadline=None)
@given(tp=st.sampled_from([1, 2, 4, 8]), mb=st.sampled_from([1, 2, 4]))
def test_without_sp_tp_ranks_repeat_norms(tp: int, mb: int) -> None:
    """Without SP a TP rank repeats the norms and dropouts: never faster, never less memory; the
    same at TP 1, where there is nothing to split."""
    layout = Layout(tp=tp, dp=8 // tp, micro_batch=mb, recompute="none", sharding="none")
    with_sp, without = _eval(True, layout), _eval(False, layout)
    if tp == 1:
        np.testing.assert_allclose(with_sp[1:], without[1:])
    else:
        assert without[1] > with_sp[1]  # compute
        assert without[2] > with_sp[2]  # activations
