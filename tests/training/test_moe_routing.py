"""Node-limited routing and expert load imbalance (training.moe)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog import get_model
from gigacluster.comm import default_fabric
from gigacluster.errors import GigaclusterError
from gigacluster.llm.hf import from_hf_config
from gigacluster.training.calibration import load_calibration
from gigacluster.training.costs import tokens
from gigacluster.training.dims import dims_of
from gigacluster.training.layout import Candidates, Layout
from gigacluster.training.moe import all_to_all_pass_s, limited_domains, load_imbalance, remote_domains
from tests.training.conftest import make_job

CAL = load_calibration()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([1, 2, 4, 8, 16, 32, 64]), st.integers(1, 16), st.sampled_from([2, 4, 8, 16]),
       st.integers(1, 16))
def test_node_limited_routing_never_reaches_more_domains(domains: int, topk: int, groups: int, top: int) -> None:
    top = min(top, groups)
    n = np.array([float(domains)])
    free = float(remote_domains(n, topk)[0])
    limited = float(remote_domains(n, topk, groups, top)[0])
    assert 0.0 <= limited <= free + 1e-12
    if domains <= groups:  # groups map onto whole domains: at most topk_groups domains are hit
        assert float(limited_domains(n, topk, groups, top)[0]) <= top + 1e-9


def test_deepseek_v3_on_eight_gpu_nodes_reaches_at_most_four_nodes() -> None:
    # 256 experts over 64 GPUs of 8 nodes: one group per node; a token picks 4 of 8 groups, so
    # it reaches 4 nodes, 3.5 of them remote on average (report §2.1.2: M = 4)
    n = np.array([8.0])
    assert float(limited_domains(n, 8, 8, 4)[0]) == pytest.approx(4.0)
    assert float(remote_domains(n, 8, 8, 4)[0]) == pytest.approx(3.5)
    assert float(remote_domains(n, 8)[0]) == pytest.approx(7 * (1 - (7 / 8) ** 8))


def test_node_limited_all_to_all_is_no_slower_than_unrestricted() -> None:
    job = make_job(model="deepseek-v3", acc="h100-sxm", gpus=1024, batch=8192)
    s = job.system
    fab = default_fabric(s.scaleup_domain, s.scaleup_gbytes_per_s, s.scaleout_gbits_per_s, CAL.comm)
    c = Candidates.of(Layout(tp=2, pp=8, dp=64, ep=64))
    d = dims_of(job.model)
    free = d.__class__(**{**d.__dict__, "groups": 0, "topk_groups": 0})
    t = tokens(job, c)
    limited_s = float(all_to_all_pass_s(job, d, c, t, fab, CAL, (1.0, 2.0), load_imbalance(d, c, t, CAL))[0])
    free_s = float(all_to_all_pass_s(job, free, c, t, fab, CAL, (1.0, 2.0), load_imbalance(free, c, t, CAL))[0])
    assert d.groups == 8 and d.topk_groups == 4
    assert 0.0 < limited_s < free_s


def test_group_fields_come_from_the_catalog_and_hf_configs() -> None:
    spec = get_model("deepseek-v3")
    assert (spec.moe_groups, spec.moe_topk_groups, spec.moe_balancing) == (8, 4, "aux_loss_free")
    hf = from_hf_config({"num_hidden_layers": 4, "hidden_size": 256, "num_attention_heads": 4, "vocab_size": 1000,
                         "n_routed_experts": 16, "num_experts_per_tok": 4, "moe_intermediate_size": 64,
                         "first_k_dense_replace": 1, "intermediate_size": 512, "n_group": 4, "topk_group": 2})
    assert (hf.moe_groups, hf.moe_topk_groups) == (4, 2)
    with pytest.raises(GigaclusterError, match="moe_topk_groups"):
        spec.model_validate({**spec.model_dump(), "moe_topk_groups": 9})
    with pytest.raises(GigaclusterError, match="moe_groups"):
        spec.model_validate({**spec.model_dump(), "moe_groups": 7, "moe_topk_groups": 2})


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([1, 2, 4, 8]), st.sampled_from([1, 2, 8, 32, 64]),
       st.sampled_from(["qwen3-30b-a3b", "deepseek-v3", "mixtral-8x7b"]))
def test_load_imbalance_is_at_least_one_and_shrinks_with_more_rows(mb: int, ep: int, model: str) -> None:
    job = make_job(model=model, acc="h100-sxm", gpus=64, batch=512)
    d = dims_of(job.model)
    ep = min(ep, d.experts)
    c1 = Candidates.of(Layout(dp=64, ep=ep, micro_batch=mb))
    c2 = Candidates.of(Layout(dp=64, ep=ep, micro_batch=2 * mb))
    small = float(load_imbalance(d, c1, tokens(job, c1), CAL)[0])
    big = float(load_imbalance(d, c2, tokens(job, c2), CAL)[0])
    assert small >= big >= 1.0
    if ep == 1 and not d.aux_loss:
        assert small == pytest.approx(1.0)


def test_an_auxiliary_loss_router_is_more_imbalanced_than_a_loss_free_one() -> None:
    job = make_job(model="mixtral-8x7b", acc="h100-sxm", gpus=64, batch=512)
    d = dims_of(job.model)
    c = Candidates.of(Layout(dp=64, ep=8, micro_batch=1))
    aux = float(load_imbalance(d, c, tokens(job, c), CAL)[0])
    free = float(load_imbalance(d.__class__(**{**d.__dict__, "aux_loss": False}), c, tokens(job, c), CAL)[0])
    assert d.aux_loss and aux == pytest.approx(free * (1 + CAL.moe.aux_loss_excess))
