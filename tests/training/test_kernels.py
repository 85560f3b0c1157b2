"""Small-kernel regime: the host dispatch floor and per-layer collective fixed costs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog import get_accelerator
from gigacluster.llm.spec import ModelSpec
from gigacluster.training import kernels
from gigacluster.training.calibration import load_calibration
from gigacluster.training.dims import dims_of
from gigacluster.training.job import FixedLayout, SystemSpec, TrainingJob
from gigacluster.training.layout import Candidates, Layout
from gigacluster.training.step import evaluate
from tests.training.conftest import make_job

SMALL = ModelSpec(name="gpt-h1024", layers=24, hidden=1024, heads=16, kv_heads=16, head_dim=64,
                  ffn_hidden=4096, vocab=50257, mlp="gelu")


def small_job(acc: str = "a100-sxm-80gb", gpus: int = 8) -> TrainingJob:
    a = get_accelerator(acc)
    return TrainingJob(model=SMALL, accelerator=a, system=SystemSpec.of(a), gpus=gpus, seq_len=1024,
                       global_batch_seqs=16, precision="fp16", fixed=FixedLayout())


def host_part(job: TrainingJob, layout: Layout, scale: float = 1.0) -> float:
    cal = load_calibration()
    k = cal.kernels.model_copy(update={"host_op_s": cal.kernels.host_op_s * scale})
    cal = cal.model_copy(update={"kernels": k})
    return float(evaluate(job, Candidates.of(layout), cal).parts["host"][0])


def test_short_kernels_wait_on_the_host() -> None:
    """hidden 1024 at TP 8, one sequence per micro-batch: kernels are shorter than their dispatch."""
    job = small_job()
    assert host_part(job, Layout(tp=8, dp=1, micro_batch=1, recompute="full", sharding="none")) > 0.0


def test_large_kernels_hide_the_host() -> None:
    job = make_job("llama3-70b", gpus=64, batch=64)
    assert host_part(job, Layout(tp=8, pp=4, dp=2, micro_batch=1, recompute="full")) == 0.0


def test_compiled_stacks_have_no_host_floor() -> None:
    assert host_part(small_job("tpu-v5p"), Layout(tp=8, dp=1, micro_batch=1, sharding="none")) == 0.0


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([1, 2, 4, 8]), st.sampled_from([1, 2, 8]), st.sampled_from(["none", "selective", "full"]),
       st.floats(0.1, 10.0))
def test_host_floor_is_non_negative_and_grows_with_the_dispatch_cost(tp: int, mb: int, rc: str, scale: float) -> None:
    job = small_job()
    lay = Layout(tp=tp, dp=8 // tp, micro_batch=mb, recompute=rc, sharding="none")  # type: ignore[arg-type]
    low, high = host_part(job, lay, scale), host_part(job, lay, 2.0 * scale)
    assert 0.0 <= low <= high


def test_collectives_add_host_ops_and_fsdp_gathers_per_layer() -> None:
    d = dims_of(SMALL)
    c = Candidates.of(Layout(tp=8, pp=2, micro_batch=1))
    assert kernels.collectives_per_pass(d, c)[0] == 4.0
    assert kernels.collectives_per_pass(d, Candidates.of(Layout(tp=1)))[0] == 0.0
    alpha = np.array([1e-5])
    assert np.isclose(kernels.per_layer_collectives_s(d, c, alpha)[0], 11 * 1e-5)


def test_recomputed_layers_dispatch_their_ops_again() -> None:
    """The host floor of a re-run pass counts the share of layers recomputed (full = every layer)."""
    job, cal = small_job(), load_calibration()
    c = Candidates.of(Layout(tp=8, dp=1, micro_batch=1, recompute="full", sharding="none"))
    d = dims_of(job.model)
    tiny = {p: np.zeros(1) for p in ("fwd", "bwd", "recompute")}  # GPU time negligible: host-bound
    none, half, full = (kernels.host_excess_s(job, d, c, cal.kernels, tiny, np.full(1, r)) for r in (0.0, 0.5, 1.0))
    assert none[0] < half[0] < full[0]


def test_module_recompute_re_dispatches_its_ops() -> None:
    """A module policy re-dispatches its modules' forward ops: host-bound, re-running the MLP and
    the norms waits on the host longer than re-running nothing, and selective = core_attn."""
    job = small_job()

    def host(rc: str) -> float:
        return host_part(job, Layout(tp=8, dp=1, micro_batch=1, recompute=rc, sharding="none"), scale=3.0)

    assert host("layernorm+mlp") > host("layernorm") > host("none")
    assert host("selective") == host("core_attn")
