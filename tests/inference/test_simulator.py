"""Serving simulator: M/D/1 closed form, determinism, preemption, disaggregation, SLO monotonicity."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog import get_accelerator, get_model
from gigacluster.inference import (
    EngineConfig,
    Limits,
    ServingLayout,
    Workload,
    make_step_fn,
    max_throughput_under_slo,
    offline_throughput,
    simulate,
    simulate_disaggregated,
    step_coefficients,
)

SERVICE_S = 0.01


def _constant(*_: float) -> float:
    return SERVICE_S


@pytest.mark.parametrize("rho", [0.3, 0.6, 0.8])
def test_md1_single_server_matches_pollaczek_khinchine(rho: float) -> None:
    """One request at a time, one step of fixed length each: M/D/1. Mean time in system
    = S + rho S / (2 (1 - rho)) (Pollaczek-Khinchine)."""
    w = Workload(rate_rps=rho / SERVICE_S, input_len=1, output_len=1, n_requests=40_000, seed=3)
    r = simulate(_constant, EngineConfig(max_batch=1, max_tokens=1, kv_capacity_tokens=10), w)
    expected_ms = (SERVICE_S + rho * SERVICE_S / (2 * (1 - rho))) * 1e3
    assert r.completed == w.n_requests
    assert r.ttft_ms.mean == pytest.approx(expected_ms, rel=0.05)


def _engine() -> tuple[object, EngineConfig, float]:
    spec, acc = get_model("llama3-8b"), get_accelerator("h100-sxm")
    lay = ServingLayout(tp=1, weight_precision="fp8", kv_precision="fp8")
    off = offline_throughput(spec, acc, lay, 512, 128)
    cfg = EngineConfig(max_batch=512, max_tokens=4096, kv_capacity_tokens=off.memory.kv_tokens_per_engine)
    return make_step_fn(step_coefficients(spec, acc, lay)), cfg, off.requests_per_s


def test_simulation_is_deterministic_and_reports_percentiles() -> None:
    fn, cfg, cap = _engine()
    w = Workload(rate_rps=0.5 * cap, input_len=512, output_len=128, length_cv=0.5, n_requests=400, seed=11)
    a, b = simulate(fn, cfg, w), simulate(fn, cfg, w)  # type: ignore[arg-type]
    assert a == b
    assert a.completed == 400
    assert a.ttft_ms.p50 <= a.ttft_ms.p99 and a.tpot_ms.p50 <= a.tpot_ms.p99
    assert a.output_tokens_per_s > 0


def test_preemption_with_a_small_on_demand_cache_still_completes() -> None:
    fn, cfg, cap = _engine()
    small = cfg.model_copy(update={"kv_capacity_tokens": 20_000.0, "kv_policy": "on_demand"})
    w = Workload(rate_rps=cap, input_len=512, output_len=128, length_cv=0.3, n_requests=300, seed=2)
    r = simulate(fn, small, w)  # type: ignore[arg-type]
    assert r.completed == 300


def test_bursty_and_trace_arrivals() -> None:
    fn, cfg, cap = _engine()
    bursty = Workload(rate_rps=0.5 * cap, arrival="bursty", burst_cv=4, input_len=512, output_len=128,
                      n_requests=300, seed=1)
    poisson = bursty.model_copy(update={"arrival": "poisson"})
    assert simulate(fn, cfg, bursty).ttft_ms.p99 > simulate(fn, cfg, poisson).ttft_ms.p99  # type: ignore[arg-type]
    trace = Workload(arrival="trace", trace_s=tuple(i * 0.05 for i in range(50)), input_len=256,
                     output_len=32, n_requests=50)
    assert simulate(fn, cfg, trace).completed == 50  # type: ignore[arg-type]


def test_disaggregated_prefill_decode() -> None:
    fn, cfg, cap = _engine()
    w = Workload(rate_rps=0.3 * cap, input_len=512, output_len=128, n_requests=300, seed=5)
    r = simulate_disaggregated(fn, cfg, fn, cfg, 1e-6, w, gpus=2)  # type: ignore[arg-type]
    assert r.completed == 300
    assert r.ttft_ms.p50 > 0


@settings(max_examples=6, deadline=None)
@given(tight=st.floats(20.0, 60.0), extra=st.floats(1.0, 3.0))
def test_throughput_never_falls_when_the_latency_limit_is_relaxed(tight: float, extra: float) -> None:
    fn, cfg, cap = _engine()
    w = Workload(input_len=512, output_len=128, length_cv=0.5, n_requests=250, seed=4)
    a = max_throughput_under_slo(fn, cfg, w, 1, cap, Limits(ttft_ms=1000, tpot_ms=tight))  # type: ignore[arg-type]
    b = max_throughput_under_slo(fn, cfg, w, 1, cap, Limits(ttft_ms=1000 * extra,  # type: ignore[arg-type]
                                                            tpot_ms=tight * extra))
    assert b.output_tokens_per_s_per_gpu >= a.output_tokens_per_s_per_gpu
