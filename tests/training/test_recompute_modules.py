"""Module-level recompute policies (training.recompute) and MLA activation sizes (training.dims)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog import get_model
from gigacluster.errors import GigaclusterError
from gigacluster.training.calibration import load_calibration
from gigacluster.training.dims import MODULES, dims_of
from gigacluster.training.layout import Candidates, Layout
from gigacluster.training.plan import hardware_flops_per_token
from gigacluster.training.recompute import code_of, name_of, searched
from gigacluster.training.step import evaluate
from gigacluster.validate.training import validate_training
from tests.training.conftest import make_job

CAL = load_calibration()
DATA = Path(__file__).parents[2] / "data" / "validation"
POLICIES = list(MODULES) + ["layernorm+moe_act", "mla_up_proj+mlp", "moe_act+moe", "core_attn+layernorm+mla_up_proj"]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(POLICIES), st.sampled_from(["deepseek-v3", "qwen3-30b-a3b", "llama3-70b", "mixtral-8x7b"]),
       st.sampled_from([1, 2, 4]), st.sampled_from(["bf16", "fp8"]))
def test_a_module_policy_frees_memory_and_costs_time(policy: str, model: str, mb: int, precision: str) -> None:
    job = make_job(model=model, acc="h100-sxm", gpus=64, batch=512, precision=precision)
    experts = dims_of(job.model).experts
    lay = dict(tp=2, pp=4, dp=8, ep=min(8, experts) if experts else 1, micro_batch=mb)
    base = evaluate(job, Candidates.of(Layout(**lay)), CAL)  # type: ignore[arg-type]
    mod = evaluate(job, Candidates.of(Layout(recompute=policy, **lay)), CAL)  # type: ignore[arg-type]
    assert float(mod.memory.activations[0]) <= float(base.memory.activations[0]) * (1 + 1e-12)
    assert float(mod.parts["recompute"][0]) >= float(base.parts["recompute"][0])
    assert float(mod.step_time_s[0]) >= float(base.step_time_s[0]) * (1 - 1e-12)


def test_mla_up_projection_recompute_frees_most_of_deepseek_v3_attention() -> None:
    job = make_job(model="deepseek-v3", acc="h100-sxm", gpus=1024, batch=8192, precision="bf16")
    lay = dict(tp=2, pp=8, vpp=4, dp=64, ep=64, micro_batch=1, pipeline_schedule="interleaved")
    none, mla = (evaluate(job, Candidates.of(Layout(recompute=p, **lay)), CAL)  # type: ignore[arg-type]
                 for p in ("none", "mla_up_proj"))
    saved = float(none.memory.activations[0] - mla.memory.activations[0])
    assert saved > 0.1 * float(none.memory.activations[0])
    assert 0.0 < float(mla.parts["recompute"][0]) < 0.05 * float(mla.step_time_s[0])


def test_mla_activation_bytes_come_from_the_latent_ranks() -> None:
    spec = get_model("deepseek-v3")
    d, m = dims_of(spec), spec.mla
    assert m is not None
    qk, v = spec.heads * (m.qk_nope_head_dim + m.qk_rope_head_dim), spec.heads * m.v_head_dim
    latents = 2 * 2 * ((m.q_lora_rank or 0) + m.kv_lora_rank)
    attention = 2 * spec.hidden + latents + 2 * (2 * qk + v) + 2 * v + 4 * spec.hidden
    assert d.dense_act_bytes - 2 * spec.hidden - 6 * (spec.ffn_hidden or 0) == pytest.approx(attention)
    assert d.modules.mla_up_proj == 2 * (2 * qk + v)
    up = (m.q_lora_rank or 0) * qk + m.kv_lora_rank * spec.heads * (m.qk_nope_head_dim + m.v_head_dim)
    assert d.mla_up_params == up
    assert dims_of(get_model("llama3-70b")).modules.mla_up_proj == 0.0


def test_policy_names_round_trip_and_unknown_names_list_the_allowed_ones() -> None:
    for name in ("none", "selective", "full", "partial", *MODULES, "layernorm+moe_act"):
        assert code_of(name_of(code_of(name))) == code_of(name)
    assert name_of(code_of("moe_act+layernorm")) == "moe_act+layernorm"  # Megatron's module order
    with pytest.raises(GigaclusterError, match="mla_up_proj") as err:
        code_of("mla_upproj")
    assert err.value.field == "recompute"
    with pytest.raises(GigaclusterError):
        Layout(recompute="everything")


def test_the_search_tries_the_output_discarding_modules_the_model_has() -> None:
    assert name_of(searched(dims_of(get_model("deepseek-v3")))[-1]) == "moe_act+layernorm+mla_up_proj"
    assert name_of(searched(dims_of(get_model("llama3-70b")))[-1]) == "layernorm"
    job = make_job(model="deepseek-v3", acc="h100-sxm", gpus=1024, batch=8192, tp=2, pp=8, vpp=4, ep=64,
                   micro_batch=1, recompute="mla_up_proj")
    assert job.fixed.recompute == "mla_up_proj"


def test_hfu_counts_the_recomputed_module_gemms() -> None:
    job = make_job(model="deepseek-v3", acc="h100-sxm", gpus=1024, batch=8192)
    lay = dict(tp=2, pp=8, dp=64, ep=64)
    none = hardware_flops_per_token(job, Layout(**lay))  # type: ignore[arg-type]
    mla = hardware_flops_per_token(job, Layout(recompute="mla_up_proj", **lay))  # type: ignore[arg-type]
    ln = hardware_flops_per_token(job, Layout(recompute="layernorm", **lay))  # type: ignore[arg-type]
    assert mla > none == ln


def test_a_case_file_accepts_module_policies_and_skips_unknown_ones(tmp_path: Path) -> None:
    rows = list(csv.DictReader((DATA / "training.csv").open()))
    pick = [r for r in rows if r["id"] == "MBRIDGE-25.09-40"][0]
    good, bad = dict(pick, id="A", recompute="mla_up_proj+mlp"), dict(pick, id="B", recompute="mla_up")
    path = tmp_path / "cases.csv"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(pick))
        w.writeheader()
        w.writerows([good, bad])
    r = validate_training(path)
    assert r.predicted == 1 and "mla_up_proj+mlp" in r.rows[0].layout
    assert "B.recompute" in r.skipped[0].reason and "moe_act" in r.skipped[0].reason
    assert np.isfinite(r.rows[0].predicted)


def test_searched_policies_follow_what_the_stack_had() -> None:
    """Selective and block recompute came with sequence parallelism (Korthikanti et al. 2022): a stack
    without it tries none or full; module policies exist from 2025; selective is tried where the
    attention core stores its scores (it frees nothing under flash attention)."""
    d = dims_of(get_model("deepseek-v3"))
    assert [name_of(c) for c in searched(d, korthikanti=False)] == ["none", "full"]
    assert all("+" not in name_of(c) for c in searched(d, year=2024))
    assert name_of(searched(d, year=2025)[-1]) == "moe_act+layernorm+mla_up_proj"
    assert "selective" in [name_of(c) for c in searched(d, materialised=True)]
    assert "selective" not in [name_of(c) for c in searched(d)]
