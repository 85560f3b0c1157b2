"""The prefix cache across HBM, host and SSD tiers: hit rate bounded by the footprint, load cost in TTFT."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.errors import GigaclusterError
from gigacluster.inference import EngineConfig, Workload, simulate
from gigacluster.inference.kv_tiers import prefix_cache
from gigacluster.inference.options import parse_options
from gigacluster.inference.workload import generate

KV = 163_840.0  # Llama-3-70B KV bytes per token in FP8 (80 layers x 8 KV heads x 128 x 2 x 1 B)


def test_without_a_window_the_hit_rate_is_achieved_from_hbm() -> None:
    pc = prefix_cache(parse_options(prefix_hit_rate=0.5), KV, 1, 50.0, 5000.0)
    assert pc.hit_rate == 0.5 and pc.load_s_per_cached_token == 0.0 and pc.footprint_gb_per_gpu is None
    with pytest.raises(GigaclusterError, match="prefix_window_s"):
        prefix_cache(parse_options(prefix_hit_rate=0.5, kv_host_gb_per_gpu=100), KV, 1, 50.0, 5000.0)


def test_hits_come_from_the_tiers_in_stack_order_and_pay_their_load() -> None:
    # footprint = 5000 tok/s x 100 s x 163,840 B = 81.92 GB per GPU: 50 in HBM, the rest in host memory
    opts = parse_options(prefix_hit_rate=0.6, prefix_window_s=100, kv_host_gb_per_gpu=31.92, kv_host_gbps=40)
    pc = prefix_cache(opts, KV, 1, 50.0, 5000.0)
    assert pc.footprint_gb_per_gpu == pytest.approx(81.92)
    assert pc.hit_rate == pytest.approx(0.6) and pc.hbm_share == pytest.approx(50 / 81.92)
    assert pc.load_s_per_cached_token == pytest.approx(31.92 / 81.92 * KV / 40e9)
    hbm_only = prefix_cache(opts.model_copy(update={"kv_host_gb_per_gpu": 0.0}), KV, 1, 50.0, 5000.0)
    assert hbm_only.hit_rate == pytest.approx(0.6 * 50 / 81.92) and hbm_only.load_s_per_cached_token == 0.0
    tp4 = prefix_cache(opts, KV, 4, 50.0, 5000.0)  # a TP group loads its parts in parallel
    assert tp4.load_s_per_cached_token == pytest.approx(pc.load_s_per_cached_token / 4)


@settings(max_examples=100, deadline=None)
@given(hit=st.floats(0.0, 0.99), window=st.floats(1.0, 1e5), hbm=st.floats(0.0, 200.0),
       host=st.floats(0.0, 2000.0), more=st.floats(0.0, 2000.0), ssd=st.floats(0.0, 1e4), rate=st.floats(1.0, 1e5))
def test_more_tier_capacity_never_lowers_the_hit_rate(hit: float, window: float, hbm: float, host: float,
                                                      more: float, ssd: float, rate: float) -> None:
    opts = parse_options(prefix_hit_rate=hit, prefix_window_s=window, kv_host_gb_per_gpu=host, kv_ssd_gb_per_gpu=ssd)
    a = prefix_cache(opts, KV, 1, hbm, rate)
    b = prefix_cache(opts.model_copy(update={"kv_host_gb_per_gpu": host + more}), KV, 1, hbm, rate)
    assert 0.0 <= a.hit_rate <= b.hit_rate + 1e-12 <= hit + 1e-9
    shares = a.hbm_share + a.host_share + a.ssd_share
    assert shares == pytest.approx(1.0) or (shares == 0.0 and a.hit_rate == 0.0)


def test_the_load_from_a_tier_is_added_to_ttft() -> None:
    cfg = EngineConfig(max_batch=64, max_tokens=8192, kv_capacity_tokens=1e6)

    def step(prefill_tokens: float, prefill_ctx: float, decode_seqs: float, decode_ctx: float) -> float:
        return 0.01 + 1e-5 * prefill_tokens

    base = Workload(rate_rps=0.5, input_len=4000, output_len=8, n_requests=200, seed=1, prefix_hit_rate=0.75)
    loaded = base.model_copy(update={"prefix_load_s_per_token": 1e-5})
    cached = generate(loaded).cached_len
    assert cached is not None and np.all(cached == 3000)
    a, b = simulate(step, cfg, base), simulate(step, cfg, loaded)
    assert b.ttft_ms.p50 - a.ttft_ms.p50 == pytest.approx(3000 * 1e-5 * 1e3, rel=1e-6)  # 30 ms per request


@pytest.mark.parametrize(("field", "value"), [("kv_host_gb_per_gpu", -1.0), ("kv_ssd_gb_per_gpu", -5.0),
                                              ("kv_host_gbps", 0.0), ("kv_ssd_gbps", -1.0), ("prefix_window_s", 0.0)])
def test_bad_tier_options_name_the_field(field: str, value: float) -> None:
    with pytest.raises(GigaclusterError, match=field):
        parse_options(**{field: value})


def test_deepseek_prefill_pool_needs_its_disk_cache() -> None:
    """DeepSeek's day with a one-hour reuse window: HBM alone holds a few % of the prompts' KV, so the
    56.3% hit rate drops and the prefill pool grows; an SSD tier (3FS) restores the hits at a load cost."""
    from gigacluster.catalog import get_accelerator, get_model
    from gigacluster.inference.capacity import Slo, Traffic
    from gigacluster.inference.deployment import plan_deployment
    spec, acc = get_model("deepseek-v3"), get_accelerator("h800")
    traffic = Traffic(rate_rps=168e9 / 86400 / 1211, input_len=4383, output_len=1211)
    slo = Slo(ttft_p99_ms=5000, tpot_p99_ms=1000 / 21)

    def plan(**kw: float) -> tuple[int, float, float]:
        opts = parse_options(deployment="disagg", prefix_hit_rate=0.563, mtp={"depth": 1, "accept": 0.85},
                             prefill_gpus=32, decode_gpus=144, sim_requests=1000, adaptive_samples=False, **kw)
        p = plan_deployment(spec, acc, traffic, slo, opts)
        assert p.disagg is not None and p.prefix_cache is not None
        pc = p.prefix_cache
        return p.disagg.fleet.pools["prefill"].peak_gpus, pc.hit_rate, pc.load_s_per_cached_token

    none_gpus, none_hit, _ = plan()
    hbm_gpus, hbm_hit, hbm_load = plan(prefix_window_s=3600)
    ssd_gpus, ssd_hit, ssd_load = plan(prefix_window_s=3600, kv_ssd_gb_per_gpu=10_000)
    assert none_hit == 0.563 and hbm_hit < 0.1 and hbm_load == 0.0 and hbm_gpus > 1.5 * none_gpus
    assert ssd_hit == pytest.approx(0.563) and ssd_load > 0 and ssd_gpus == none_gpus
