"""Invariants of the FLOP, memory and step-time models (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.llm.counts import model_flops_per_token, param_counts
from gigacluster.llm.spec import ModelSpec
from gigacluster.training.calibration import load_calibration
from gigacluster.training.dims import dims_of
from gigacluster.training.layout import Candidates, Layout
from gigacluster.training.plan import plan_training
from gigacluster.training.step import PARTS, evaluate
from tests.training.conftest import make_job

dense_specs = st.builds(
    lambda layers, heads, hd, mult, vocab, gated: ModelSpec(
        name="x", layers=layers, hidden=heads * hd, heads=heads, kv_heads=heads, head_dim=hd,
        ffn_hidden=mult * heads * hd, vocab=vocab, mlp="swiglu" if gated else "gelu"),
    st.integers(1, 96), st.sampled_from([8, 16, 32, 64]), st.sampled_from([64, 128]),
    st.integers(2, 5), st.integers(1000, 256_000), st.booleans(),
)


@given(dense_specs, st.sampled_from([512, 2048, 8192, 32768]))
def test_dense_flops_are_6nd_plus_attention(spec: ModelSpec, seq: int) -> None:
    """PaLM App. B: 6·N + 12·L·H·Q·T per token, N = parameters without the input embedding."""
    c = param_counts(spec)
    n = c.total - c.embedding + (c.embedding if spec.tied else 0.0) - spec.layers * c.norms_per_layer
    expected = 6.0 * n + 12.0 * spec.layers * spec.hidden * seq
    assert abs(model_flops_per_token(spec, seq) / expected - 1) < 1e-9


layouts = st.builds(
    lambda tp, pp, mb, rc: Layout(tp=tp, pp=pp, dp=64 // (tp * pp), micro_batch=mb, recompute=rc),
    st.sampled_from([1, 2, 4, 8]), st.sampled_from([1, 2, 4]), st.sampled_from([1, 2]),
    st.sampled_from(["none", "selective", "full"]),
)


@settings(max_examples=40, deadline=None)
@given(layouts)
def test_memory_never_rises_with_a_higher_sharding_stage(layout: Layout) -> None:
    job = make_job(gpus=64, batch=128)
    cal, d = load_calibration(), dims_of(job.model)
    totals = []
    for sharding in ("none", "dist_opt", "zero2", "fsdp"):
        c = Candidates.of(layout.model_copy(update={"sharding": sharding}))
        totals.append(float(evaluate(job, c, cal, d).memory.total[0]))
    assert all(b <= a + 1e-9 for a, b in zip(totals, totals[1:], strict=False)), totals


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["llama3-8b", "mixtral-8x7b", "qwen3-30b-a3b"]), st.sampled_from([64, 128, 256]))
def test_breakdowns_sum_to_their_totals(model: str, gpus: int) -> None:
    plan = plan_training(make_job(model=model, gpus=gpus, batch=max(gpus, 64)))
    for r in plan.top:
        assert np.isclose(sum(r.step_breakdown_s.values()), r.step_time_s, rtol=1e-12)
        assert np.isclose(sum(r.memory_breakdown_gb.values()), r.memory_gb, rtol=1e-12)
        assert set(r.step_breakdown_s) == set(PARTS)
        assert all(v >= 0 for v in r.step_breakdown_s.values())


def test_tensor_parallel_group_wider_than_a_node_uses_every_nic_of_the_node() -> None:
    """TP 16 over two 8-GPU H100 nodes: NCCL rings run over the 8 NICs of each node (multi-rail), so
    its TP traffic per micro-batch costs about what TP 8 over NVLink does, not 8x more (one 400 Gb/s
    NIC per GPU)."""
    from gigacluster.training.plan import plan_training

    from .conftest import make_job

    def tp_comm(tp: int) -> float:
        job = make_job("llama3-70b", "h100-sxm", gpus=64, batch=64, tp=tp, pp=1, micro_batch=1, recompute="full")
        best = plan_training(job, top_k=1).best
        return best.step_breakdown_s["tp_comm"] / best.micro_batches  # per micro-batch (same tokens)

    assert 0 < tp_comm(16) < 1.5 * tp_comm(8)
