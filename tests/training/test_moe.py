"""MoE mechanisms, per-format low precision and partial recompute (training.moe, .precision, .memory)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.comm import default_fabric
from gigacluster.training.calibration import load_calibration
from gigacluster.training.costs import Rates, dense_layer, tokens
from gigacluster.training.dims import dims_of
from gigacluster.training.layout import Candidates, Layout
from gigacluster.training.memory import memory, recompute_layers
from gigacluster.training.moe import all_to_all_pass_s, grouped_gemm_s, load_imbalance, moe_layer, remote_domains
from gigacluster.training.plan import plan_training
from gigacluster.training.step import evaluate
from tests.training.conftest import make_job

CAL = load_calibration()


def _moe_cost(mb: int, ep: int, model: str = "qwen3-30b-a3b", precision: str = "bf16", acc: str = "b200"):
    job = make_job(model=model, acc=acc, gpus=64, batch=512, precision=precision)
    d, c = dims_of(job.model), Candidates.of(Layout(dp=64, ep=ep, micro_batch=mb))
    s = job.system
    fab = default_fabric(s.scaleup_domain, s.scaleup_gbytes_per_s, s.scaleout_gbits_per_s, CAL.comm)
    return moe_layer(job, d, c, Rates.of(job, CAL), fab, CAL), job, d, c, fab


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([1, 2, 4, 8]), st.sampled_from([1, 8, 16, 64]),
       st.sampled_from(["bf16", "fp8", "mxfp8"]))
def test_moe_costs_are_non_negative_and_grow_with_tokens(mb: int, ep: int, precision: str) -> None:
    small, *_ = _moe_cost(mb, ep, precision=precision)
    big, *_ = _moe_cost(2 * mb, ep, precision=precision)
    for field in ("gemm", "attn", "elem", "tp_comm", "cp_comm", "ep_comm"):
        a, b = float(getattr(small, field)[0]), float(getattr(big, field)[0])
        assert a >= 0.0 and b >= a * (1 - 1e-12), field


def test_small_experts_hit_the_launch_floor_large_ones_do_not() -> None:
    """Qwen3-30B-A3B (768-wide experts) at one sequence per micro-batch is launch-bound; DeepSeek-V3's
    2048-wide experts at eight times the rows are not."""
    _, job, d, c, _ = _moe_cost(1, 8)
    t = tokens(job, c)
    floor = grouped_gemm_s(d, c, t, Rates.of(job, CAL).gemm_flops, CAL, load_imbalance(d, c, t, CAL))
    no_floor = grouped_gemm_s(d, c, t, Rates.of(job, CAL).gemm_flops,
                              CAL.model_copy(update={"moe": CAL.moe.model_copy(update={"expert_gemm_floor_s": 0.0})}),
                              load_imbalance(d, c, t, CAL))
    assert floor[0] > 1.5 * no_floor[0]
    _, job, d, c, _ = _moe_cost(4, 32, model="deepseek-v3", acc="gb200")
    t = tokens(job, c)
    imb = load_imbalance(d, c, t, CAL)
    assert abs(grouped_gemm_s(d, c, t, 1e15, CAL, imb)[0] / (
        grouped_gemm_s(d, c, t, 1e15, CAL.model_copy(
            update={"moe": CAL.moe.model_copy(update={"expert_gemm_floor_s": 0.0})}), imb)[0]) - 1) < 1e-9


@given(st.integers(1, 512), st.integers(1, 16))
def test_remote_domains_are_bounded_by_topk_and_domains(domains: int, topk: int) -> None:
    r = float(remote_domains(np.array([float(domains)]), topk)[0])
    assert 0.0 <= r <= min(topk, domains - 1) + 1e-9


def test_hierarchical_all_to_all_is_faster_inside_the_scaleup_domain_and_fp8_dispatch_is_cheaper() -> None:
    _, job, d, c8, fab = _moe_cost(1, 8)  # b200: 8 GPUs per NVLink domain
    _, _, _, c64, _ = _moe_cost(1, 64)
    t = tokens(job, c8)
    inside = all_to_all_pass_s(job, d, c8, t, fab, CAL, (2.0,), load_imbalance(d, c8, t, CAL))
    across = all_to_all_pass_s(job, d, c64, t, fab, CAL, (2.0,), load_imbalance(d, c64, t, CAL))
    assert across[0] > inside[0] > 0
    assert all_to_all_pass_s(job, d, c64, t, fab, CAL, (1.0,), load_imbalance(d, c64, t, CAL))[0] < across[0]


def test_expert_gradients_over_the_nic_are_not_multi_rail() -> None:
    """GPT-OSS-120B with ep=8 on 8-GPU nodes: each expert's replicas sit one per node, so their
    gradient reduction uses one NIC per GPU; ep=64 leaves one replica per expert group and no traffic."""
    job = make_job(model="gpt-oss-120b", acc="b200", gpus=64, batch=128)
    ev8 = evaluate(job, Candidates.of(Layout(dp=64, ep=8, micro_batch=1)), CAL)
    ev64 = evaluate(job, Candidates.of(Layout(dp=64, ep=64, micro_batch=1)), CAL)
    assert ev8.parts["dp_comm"][0] > 2.0 * ev64.parts["dp_comm"][0]


def test_fp8_cached_activations_need_no_more_memory_than_bf16() -> None:
    for model in ("llama3-70b", "deepseek-v3", "qwen3-30b-a3b"):
        lay = Layout(tp=8, pp=8, dp=4, ep=4 if model != "llama3-70b" else 1)
        mems = []
        for precision in ("bf16", "fp8"):
            job = make_job(model=model, gpus=256, batch=256, precision=precision)
            d, c = dims_of(job.model), Candidates.of(lay)
            mems.append(float(memory(job, d, c, CAL, np.array([32.0])).activations[0]))
        assert mems[1] <= mems[0]


def test_fp8_tensor_parallel_gathers_move_fewer_bytes() -> None:
    c = Candidates.of(Layout(tp=8, dp=8))
    comm = []
    for precision in ("bf16", "fp8"):
        job = make_job(gpus=64, precision=precision)
        s = job.system
        fab = default_fabric(s.scaleup_domain, s.scaleup_gbytes_per_s, s.scaleout_gbits_per_s, CAL.comm)
        comm.append(float(dense_layer(job, dims_of(job.model), c, Rates.of(job, CAL), fab, CAL).tp_comm[0]))
    assert comm[1] < comm[0]


def test_partial_recompute_recomputes_the_fewest_layers_that_fit() -> None:
    job = make_job(model="llama3-70b", acc="gb300", gpus=64, batch=256, seq=8192, precision="fp8")
    d = dims_of(job.model)
    lay = dict(dp=64, micro_batch=2, sharding="fsdp")
    part, full = (Candidates.of(Layout(recompute=rc, **lay)) for rc in ("partial", "full"))  # type: ignore[arg-type]
    m = np.array([2.0])
    n = float(recompute_layers(job, d, part, CAL, m)[0])
    assert 0 < n < d.layers
    assert float(memory(job, d, part, CAL, m).total[0]) <= job.accelerator.hbm_gb
    ev_p, ev_f = evaluate(job, part, CAL), evaluate(job, full, CAL)
    assert ev_p.parts["recompute"][0] < ev_f.parts["recompute"][0]
    assert float(recompute_layers(job, d, Candidates.of(Layout(**lay)), CAL, m)[0]) == 0.0  # type: ignore[arg-type]


def test_the_plan_reports_how_many_layers_partial_recompute_reruns() -> None:
    job = make_job(model="llama3-70b", acc="gb300", gpus=64, batch=256, seq=8192, precision="fp8",
                   tp=1, pp=1, sharding="fsdp", micro_batch=2)
    best = plan_training(job, CAL).best
    assert best.layout.recompute == "partial" and 0 < best.layout.recompute_layers < 80
    assert best.hfu > best.mfu
