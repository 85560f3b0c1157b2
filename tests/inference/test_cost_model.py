"""Cost model: KV sizes, expert touches, step-time regimes, memory fit."""

from __future__ import annotations

import pytest

from gigacluster.catalog import get_accelerator, get_model
from gigacluster.errors import GigaclusterError
from gigacluster.inference.kv import expected_experts_touched, kv_bytes_per_token
from gigacluster.inference.layout import ServingLayout, candidate_layouts, check_fits, memory_fit
from gigacluster.inference.step_cost import make_step_fn, step_breakdown, step_coefficients
from gigacluster.inference.throughput import offline_throughput, single_request_latency

H200 = get_accelerator("h200")
L70 = get_model("llama3-70b")
FP8 = ServingLayout(tp=1, weight_precision="fp8", kv_precision="fp8")


def test_kv_bytes_gqa_and_mla() -> None:
    # Llama-3-70B: 2 (K,V) x 80 layers x 8 KV heads x 128 x 2 bytes = 327,680 B/token (bf16)
    assert kv_bytes_per_token(L70, "bf16") == 2 * 80 * 8 * 128 * 2
    assert kv_bytes_per_token(L70, "fp8") == 2 * 80 * 8 * 128
    ds = get_model("deepseek-v3")
    assert ds.mla is not None
    assert kv_bytes_per_token(ds, "bf16") == ds.layers * (ds.mla.kv_lora_rank + ds.mla.qk_rope_head_dim) * 2


@pytest.mark.parametrize("ctx", [1_000, 4_000, 16_000, 64_000])
def test_kv_memory_grows_linearly_with_context(ctx: int) -> None:
    """Decode memory time minus the weights is linear in context (KV reads)."""
    c = step_coefficients(L70, H200, FP8)
    base = step_breakdown(c, 0, 0, 1, 0).memory_s
    one = step_breakdown(c, 0, 0, 1, ctx).memory_s - base
    two = step_breakdown(c, 0, 0, 1, 2 * ctx).memory_s - base
    assert two == pytest.approx(2 * one, rel=1e-9)
    assert one == pytest.approx(ctx * kv_bytes_per_token(L70, "fp8") / c.hbm_bytes_per_s, rel=1e-9)


def test_experts_touched_bounds_and_growth() -> None:
    q = get_model("qwen3-235b-a22b")
    assert expected_experts_touched(q, 1) == pytest.approx(8.0)
    counts = [expected_experts_touched(q, n) for n in (1, 4, 16, 64, 256, 4096)]
    assert counts == sorted(counts) and counts[-1] <= 128.0 and counts[-1] > 127.9


def test_decode_memory_bound_small_batch_compute_bound_large() -> None:
    c = step_coefficients(L70, H200, FP8)
    small = step_breakdown(c, 0, 0, 1, 1000)
    large = step_breakdown(c, 4096, 4096 * 2048, 0, 0)
    assert small.memory_s > 1.5 * small.compute_s  # small-M GEMMs also run far from peak
    assert large.compute_s > 10 * large.memory_s


def test_fast_step_matches_breakdown() -> None:
    for spec in (L70, get_model("mixtral-8x7b")):
        lay = ServingLayout(tp=2, dp=2, weight_precision="fp8", kv_precision="fp8")
        c = step_coefficients(spec, H200, lay)
        fn = make_step_fn(c)
        for args in ((512, 512 * 256, 64, 64 * 900), (0, 0, 1, 300), (8192, 8192**2 / 2, 0, 0)):
            assert fn(*args) == pytest.approx(step_breakdown(c, *args).total_s, rel=1e-12)


def test_layout_that_does_not_fit_is_refused() -> None:
    l405 = get_model("llama3-405b")
    lay = ServingLayout(tp=1, weight_precision="bf16", kv_precision="bf16")
    fit = memory_fit(l405, get_accelerator("h100-sxm"), lay, 0.9, 4.0)
    with pytest.raises(GigaclusterError, match="layout"):
        check_fits(l405, get_accelerator("h100-sxm"), lay, fit, 2048)


def test_candidates_include_attention_dp_for_moe() -> None:
    lays = candidate_layouts(get_model("qwen3-235b-a22b"), H200, 8, "fp8", "fp8")
    assert any(lay.tp == 1 and lay.dp == 8 and lay.ep == 8 for lay in lays)
    assert any(lay.tp == 8 and lay.ep == 8 for lay in lays)


def test_offline_throughput_reproduces_trtllm_70b_h200_within_15pct() -> None:
    """TensorRT-LLM perf overview, Llama-3.1-70B FP8, 1 x H200, 1000/1000: 2909 output tok/s/GPU."""
    r = offline_throughput(L70, H200, FP8, 1000, 1000)
    assert r.output_tokens_per_s_per_gpu == pytest.approx(2909, rel=0.15)


def test_latency_reproduces_fastertransformer_13b_within_15pct() -> None:
    """kipply / FasterTransformer 13B on A100-40GB, 512 in, fp16: TTFT 63.17 ms, TPOT 22.0 ms."""
    lay = ServingLayout(tp=1, weight_precision="fp16", kv_precision="fp16")
    lat = single_request_latency(get_model("gpt-13b-test"), get_accelerator("a100-sxm-40gb"), lay, 512, 10)
    assert lat.ttft_ms == pytest.approx(63.17, rel=0.15)
    assert lat.tpot_ms == pytest.approx(22.0, rel=0.15)
