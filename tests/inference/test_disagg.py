"""Disaggregated and wide-EP serving: pools, MTP, prefix caching, routing, the day's fleet, the
extended validation schema."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog import get_accelerator, get_model
from gigacluster.errors import GigaclusterError
from gigacluster.inference import EngineConfig, Workload
from gigacluster.inference.fleet import load_profile, pool_day
from gigacluster.inference.layout import ServingLayout
from gigacluster.inference.options import MtpSpec, parse_options
from gigacluster.inference.pools import decode_pool, kv_transfer_s, prefill_pool
from gigacluster.inference.simulate import simulate, simulate_replicas
from gigacluster.validate.cases_inference import load_cases
from gigacluster.validate.inference import predict

DSV3, H800 = get_model("deepseek-v3"), get_accelerator("h800")
NEW = ("deepseek-day6-prefill", "deepseek-day6-decode", "deepseek-day6-fleet", "sglang-h100-96gpu-prefill",
       "sglang-h100-96gpu-decode")


def wide(n: int) -> ServingLayout:
    return ServingLayout(tp=1, dp=n, ep=n, weight_precision="fp8", kv_precision="fp8", moe_a2a="deepep",
                         overlap="two_batch", redundant_experts=32)


def _const(*_: float) -> float:
    return 0.01


def test_new_rows_predicted_with_median_ape_at_most_20pct() -> None:
    cases = {c.id: c for c in load_cases()}
    apes = [abs(predict(cases[i])[0] / cases[i].value - 1.0) for i in NEW]
    assert statistics.median(apes) <= 0.20
    assert max(apes) < 0.35


def test_old_case_files_without_the_new_columns_stay_valid(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "data" / "validation" / "inference.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    keep = lines[0].split(",").index("model_id") + 1
    import csv
    import io
    rows = list(csv.reader(io.StringIO("\n".join(lines[:3]))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:keep] for r in rows])
    p = tmp_path / "old.csv"
    p.write_text(out.getvalue(), encoding="utf-8")
    cases = load_cases(p)
    assert len(cases) == 2 and cases[0].deployment == "agg" and cases[0].pool is None


def test_bad_schema_value_names_the_field(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("id,family,accelerator,scenario,metric,value,prefix_hit_rate\n"
                 "x,f,h100-sxm,offline,output_tokens_per_s_per_gpu,1,-0.2\n", encoding="utf-8")
    with pytest.raises(GigaclusterError, match="prefix_hit_rate"):
        load_cases(p)


@pytest.mark.parametrize(("field", "value"), [("prefix_hit_rate", -0.1), ("mtp", {"accept": 1.2}),
                                              ("deployment", "both"), ("routing", "random")])
def test_bad_options_are_one_error_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(GigaclusterError) as exc:
        parse_options(**{field: value})
    assert field in exc.value.field


def test_mtp_tokens_per_step() -> None:
    assert MtpSpec(depth=0).tokens_per_step() == 1.0
    assert MtpSpec(depth=1, accept=0.85).tokens_per_step() == pytest.approx(1.85)
    assert MtpSpec(depth=2, accept=0.5).tokens_per_step() == pytest.approx(1.75)


def test_mtp_helps_under_a_tight_tpot_not_at_saturation() -> None:
    """MTP trades spare compute for speed: more tokens/s per GPU at 25 ms per token; at a saturated
    (compute-bound) batch it cannot help."""
    mtp = MtpSpec(depth=1, accept=0.85)
    base = decode_pool(DSV3, H800, wide(144), 4000, 0.025)
    fast = decode_pool(DSV3, H800, wide(144), 4000, 0.025, mtp)
    assert fast.output_tokens_per_s_per_gpu > base.output_tokens_per_s_per_gpu
    sat, sat_mtp = decode_pool(DSV3, H800, wide(144), 4000, None), decode_pool(DSV3, H800, wide(144), 4000, None, mtp)
    assert sat_mtp.output_tokens_per_s_per_gpu < 1.05 * sat.output_tokens_per_s_per_gpu


def test_decode_pool_meets_its_tpot_and_grows_with_the_limit() -> None:
    tight = decode_pool(DSV3, H800, wide(144), 4989, 0.030)
    loose = decode_pool(DSV3, H800, wide(144), 4989, 0.060)
    assert tight.tpot_s <= 0.030 and loose.tpot_s <= 0.060
    assert loose.output_tokens_per_s_per_gpu > tight.output_tokens_per_s_per_gpu


def test_prefix_hits_multiply_input_throughput() -> None:
    none = prefill_pool(DSV3, H800, wide(32), 4000, 0.0)
    half = prefill_pool(DSV3, H800, wide(32), 4000, 0.5)
    assert half.input_tokens_per_s_per_gpu > 1.5 * none.input_tokens_per_s_per_gpu


def test_prefix_hits_shorten_simulated_ttft() -> None:
    cfg = EngineConfig(max_batch=64, max_tokens=2048, kv_capacity_tokens=1e7)
    from gigacluster.inference import make_step_fn, step_coefficients
    step = make_step_fn(step_coefficients(get_model("llama3-70b"), get_accelerator("h200"),
                                          ServingLayout(tp=4, weight_precision="fp8", kv_precision="fp8")))
    w = Workload(rate_rps=2.0, input_len=4000, output_len=50, n_requests=200, seed=1)
    cold = simulate(step, cfg, w)
    warm = simulate(step, cfg, w.model_copy(update={"prefix_hit_rate": 0.75}))
    assert warm.ttft_ms.p50 < 0.6 * cold.ttft_ms.p50


def test_kv_transfer_nvlink_faster_than_rdma() -> None:
    assert kv_transfer_s(DSV3, H800, "fp8", 4000, "nvlink") < kv_transfer_s(DSV3, H800, "fp8", 4000, "rdma")
    assert kv_transfer_s(DSV3, H800, "fp8", 4000) == pytest.approx(61 * 576 * 4000 / 50e9)


@pytest.mark.parametrize("routing", ["round_robin", "least_outstanding", "kv_aware"])
def test_routing_policies_serve_everything(routing: str) -> None:
    cfg = EngineConfig(max_batch=8, max_tokens=512, kv_capacity_tokens=1e5)
    w = Workload(rate_rps=300.0, input_len=64, output_len=16, length_cv=1.0, n_requests=2000, seed=3)
    r = simulate_replicas(_const, cfg, w, replicas=4, gpus=4, routing=routing)
    assert r.completed == 2000


def test_least_outstanding_beats_round_robin_under_variable_lengths() -> None:
    cfg = EngineConfig(max_batch=8, max_tokens=256, kv_capacity_tokens=1e5)
    w = Workload(rate_rps=250.0, input_len=64, output_len=32, length_cv=1.5, n_requests=3000, seed=5)
    rr = simulate_replicas(_const, cfg, w, replicas=4, gpus=4, routing="round_robin")
    lo = simulate_replicas(_const, cfg, w, replicas=4, gpus=4, routing="least_outstanding")
    assert lo.e2e_ms.p99 <= rr.e2e_ms.p99


def test_diurnal_profile_and_autoscaling() -> None:
    prof = load_profile("diurnal")
    assert statistics.fmean(prof.weights) == pytest.approx(1.0)
    day = pool_day(100.0, 10.0, 8, prof, n_plus=1, headroom=0.0, delay_h=0.0)
    flat = pool_day(100.0, 10.0, 8, load_profile("flat"), n_plus=1, headroom=0.0, delay_h=0.0)
    assert flat.avg_gpus == 11 * 8
    assert day.peak_gpus > flat.peak_gpus and day.avg_gpus < day.peak_gpus
    slow = pool_day(100.0, 10.0, 8, prof, n_plus=1, headroom=0.0, delay_h=3.0)
    assert slow.avg_gpus >= day.avg_gpus


def test_profile_file(tmp_path: Path) -> None:
    p = tmp_path / "day.txt"
    p.write_text(",".join(["1"] * 12 + ["3"] * 12), encoding="utf-8")
    assert max(load_profile(str(p)).weights) == pytest.approx(1.5)
    p.write_text("1,2,3", encoding="utf-8")
    with pytest.raises(GigaclusterError, match="traffic_profile"):
        load_profile(str(p))


@settings(max_examples=30, deadline=None)
@given(depth=st.integers(0, 6), accept=st.floats(0.0, 1.0))
def test_tokens_per_step_bounds(depth: int, accept: float) -> None:
    tps = MtpSpec(depth=depth, accept=accept).tokens_per_step()
    assert 1.0 <= tps <= depth + 1 + 1e-9


def test_deepseek_day_on_h800_within_30pct_of_published_nodes() -> None:
    """DeepSeek Day-6: 608B input (56.3% cache hits) + 168B output tokens a day, ~21 tok/s per user,
    EP32 prefill / EP144 decode units on H800; published average 226.75 and peak 278 nodes."""
    from gigacluster.inference.capacity import Slo, Traffic
    from gigacluster.inference.deployment import plan_deployment
    opts = parse_options(deployment="disagg", prefix_hit_rate=0.563, mtp={"depth": 1, "accept": 0.85},
                         traffic_profile="diurnal", prefill_gpus=32, decode_gpus=144, sim_requests=1000)
    traffic = Traffic(rate_rps=168e9 / 86400 / 1211, input_len=4383, output_len=1211)
    plan = plan_deployment(DSV3, H800, traffic, Slo(ttft_p99_ms=5000, tpot_p99_ms=1000 / 21), opts)
    assert plan.disagg is not None
    assert plan.disagg.fleet.avg_gpus / 8 == pytest.approx(226.75, rel=0.30)
    assert plan.disagg.fleet.peak_gpus / 8 == pytest.approx(278, rel=0.30)


def test_serve_deepseek_v3_h200_finds_a_deployment() -> None:
    from gigacluster.inference.capacity import Slo, Traffic
    from gigacluster.inference.deployment import plan_deployment
    plan = plan_deployment(DSV3, get_accelerator("h200"), Traffic(rate_rps=100.0),
                           Slo(ttft_p99_ms=1000, tpot_p99_ms=50))
    assert plan.gpus_needed > 0 and plan.tpot_ms.p99 <= 50 and plan.ttft_ms.p99 <= 1000


def test_disaggregated_pools_with_kv_transfer_stage() -> None:
    """Prefill and decode pools behind routers; the KV transfer delays each request's second token."""
    from gigacluster.inference.simulate import simulate_disaggregated
    cfg = EngineConfig(max_batch=16, max_tokens=512, kv_capacity_tokens=1e6)
    w = Workload(rate_rps=200.0, input_len=256, output_len=8, n_requests=1000, seed=2)
    fast = simulate_disaggregated(_const, cfg, _const, cfg, 0.0, w, gpus=4, prefill_replicas=2, decode_replicas=2)
    slow = simulate_disaggregated(_const, cfg, _const, cfg, 1e-3, w, gpus=4, prefill_replicas=2, decode_replicas=2)
    assert fast.completed == slow.completed == 1000
    assert slow.e2e_ms.p50 > fast.e2e_ms.p50 + 200.0  # 256 tokens x 1 ms each
