"""Software-stack facts from a run's year and framework: sequence parallelism (training.stack)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.training.calibration import load_calibration
from gigacluster.training.dims import dims_of
from gigacluster.training.layout import Candidates, Layout
from gigacluster.training.stack import materialised_attention_for, probs_on_expert_output, sequence_parallel_for
from gigacluster.training.step import evaluate
from tests.training.conftest import make_job
from tests.training.test_kernels import small_job


def test_sequence_parallel_by_year_and_framework() -> None:
    assert not sequence_parallel_for(2021, "Megatron-LM")  # Narayanan et al. 2021: before SP
    assert sequence_parallel_for(2022, "Megatron-LM")  # Korthikanti et al. 2022
    assert not sequence_parallel_for(2024, "Megatron-DeepSpeed")  # DeepSpeed pipeline engine
    assert not sequence_parallel_for(2022, "DeepSpeed + Megatron (3D parallel)")
    assert sequence_parallel_for(2024, "NeMo 24.07 / Megatron-Core")
    assert sequence_parallel_for(None, None)  # blank: a modern stack


def _eval(sp: bool, layout: Layout) -> tuple[float, float, float]:
    job = small_job().model_copy(update={"sequence_parallel": sp})
    ev = evaluate(job, Candidates.of(layout), load_calibration())
    return float(ev.step_time_s[0]), float(ev.parts["compute"][0]), float(ev.memory.activations[0])


@settings(max_examples=20, deadline=None)
@given(tp=st.sampled_from([1, 2, 4, 8]), mb=st.sampled_from([1, 2, 4]))
def test_without_sp_tp_ranks_repeat_norms(tp: int, mb: int) -> None:
    """Without SP a TP rank repeats the norms and dropouts: more GPU compute and more activation
    memory (its step can still be shorter when host-bound: half the collective calls to dispatch);
    the same at TP 1, where there is nothing to split."""
    layout = Layout(tp=tp, dp=8 // tp, micro_batch=mb, recompute="none", sharding="none")
    with_sp, without = _eval(True, layout), _eval(False, layout)
    if tp == 1:
        np.testing.assert_allclose(with_sp[1:], without[1:])
    else:
        assert without[1] > with_sp[1]  # compute
        assert without[2] > with_sp[2]  # activations


def test_materialised_attention_by_year_and_framework() -> None:
    assert materialised_attention_for(2022, "Megatron-LM")  # before FlashAttention in training stacks
    assert materialised_attention_for(2024, "Megatron-DeepSpeed")  # unfused unless --use-flash-attn
    assert not materialised_attention_for(2023, "Composer + PyTorch FSDP (llm-foundry)")
    assert not materialised_attention_for(None, None)


@settings(max_examples=20, deadline=None)
@given(tp=st.sampled_from([1, 2, 4, 8]), mb=st.sampled_from([1, 2, 4]))
def test_stored_scores_cost_5as_bytes_per_token(tp: int, mb: int) -> None:
    """A materialised attention core stores 5 bytes per score element (Korthikanti eq. 1), split by
    heads over TP; selective recompute frees them."""
    job = small_job()
    heads, s = job.model.heads, job.seq_len
    for rc, stored in (("none", True), ("selective", False)):
        layout = Layout(tp=tp, dp=8 // tp, micro_batch=mb, recompute=rc, sharding="none")
        c, cal = Candidates.of(layout), load_calibration()
        flash = float(evaluate(job, c, cal).memory.activations[0])
        mat = job.model_copy(update={"materialised_attention": True})
        extra = (float(evaluate(mat, c, cal).memory.activations[0]) - flash) * 1e9
        # no pipeline: one micro-batch in flight with the stage's 24 layers
        want = 5.0 * heads * s / tp * mb * s * job.model.layers if stored else 0.0
        np.testing.assert_allclose(extra, want, rtol=1e-9, atol=1.0)


def test_zero3_gathers_per_submodule() -> None:
    """DeepSpeed ZeRO-3 holds at most max(stage3_max_live_parameters, the largest linear) gathered;
    FSDP two wrapped blocks: for a 530B-class layer ZeRO-3 holds far less."""
    big = small_job().model.model_copy(update={"hidden": 20480, "heads": 128, "head_dim": 160,
                                               "kv_heads": 128, "ffn_hidden": 81920, "layers": 8})
    job = small_job(gpus=64).model_copy(update={"model": big})
    cal = load_calibration()

    def weights(sharding: str) -> float:
        layout = Layout(tp=1, dp=64, micro_batch=1, recompute="full", sharding=sharding)
        return float(evaluate(job, Candidates.of(layout), cal).memory.weights[0])

    fsdp, zero3 = weights("fsdp"), weights("zero3")
    layer = 12 * 20480**2  # params of one layer
    assert fsdp - zero3 > (2 * layer - 20480 * 81920) * 2.0 / 1e9 * 0.9
    # the cap never holds more than the stage has: for a small model ZeRO-3 still needs less in all
    small = small_job(gpus=64)

    def small_total(sharding: str) -> float:
        layout = Layout(tp=1, dp=64, micro_batch=1, recompute="full", sharding=sharding)
        return float(evaluate(small, Candidates.of(layout), cal).memory.total[0])

    assert small_total("zero3") < small_total("none")


def test_full_recompute_without_sp_keeps_the_whole_layer_input() -> None:
    """Korthikanti et al. 2022: full recompute keeps 2sbh per layer without sequence parallelism and
    2sbh/t with it: each extra layer costs (1 − 1/t)·2sbh more without SP."""
    layout = Layout(tp=8, dp=1, micro_batch=2, recompute="full", sharding="none")

    def extra_gb(layers: int) -> float:
        job = small_job().model_copy(update={"model": small_job().model.model_copy(update={"layers": layers})})
        acts = [float(evaluate(job.model_copy(update={"sequence_parallel": sp}), Candidates.of(layout),
                               load_calibration()).memory.activations[0]) for sp in (True, False)]
        return acts[1] - acts[0]

    job = small_job()
    layer_input_gb = 2 * job.seq_len * job.model.hidden * 2.0 / 1e9  # mb 2 sequences, 2 bytes
    np.testing.assert_allclose(extra_gb(24) - extra_gb(12), 12 * layer_input_gb * (1 - 1 / 8), rtol=1e-6)


def test_validate_rows_state_the_derived_stack() -> None:
    """A predicted row says which stack facts its year and framework implied (traceable output)."""
    from pathlib import Path

    from gigacluster.validate.cases import load_cases
    from gigacluster.validate.training import predict_case

    path = Path(__file__).parents[2] / "data" / "validation" / "training.csv"
    case = next(c for c in load_cases(path) if c.id == "NAR21-T1-1")
    row = predict_case(case, load_calibration())
    assert "no sequence parallelism" in row.note and "materialised attention" in row.note


def test_routing_probability_moved_into_the_expert_activation_in_2025() -> None:
    """Megatron-LM 2659630721 (2025-04-09, Megatron-Core 0.13): before it the unpermute weighted
    each routed copy's fc2 output by its probability and kept it for the probability's gradient."""
    assert probs_on_expert_output(2024) and not probs_on_expert_output(2025)
    assert not probs_on_expert_output(None)  # blank: a modern stack


@pytest.mark.parametrize("recompute", ["none", "moe"])
def test_older_moe_stacks_keep_the_routed_fc2_outputs(recompute: str) -> None:
    """2h bytes per routed copy of every MoE-layer token, on every layer of the stage; recomputing
    the whole MoE block frees them with the rest of the block."""
    job = make_job("qwen3-30b-a3b", acc="b200", gpus=8, seq=4096, batch=8)
    d, cal = dims_of(job.model), load_calibration()
    c = Candidates.of(Layout(tp=1, dp=8, ep=8, micro_batch=1, recompute=recompute, sharding="dist_opt"))  # type: ignore[arg-type]

    def acts(year: int) -> float:
        return float(evaluate(job.model_copy(update={"stack_year": year}), c, cal).memory.activations[0]) * 1e9

    extra = acts(2024) - acts(2025)
    want = d.moe_layers * d.topk * 2.0 * d.hidden * job.seq_len if recompute == "none" else 0.0
    np.testing.assert_allclose(extra, want, rtol=1e-9, atol=1.0)
