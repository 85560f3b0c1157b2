from __future__ import annotations

import pytest

from gigacluster.calibrate.backends import get_backend
from gigacluster.calibrate.device import match_catalog
from gigacluster.calibrate.fit import fit_all
from gigacluster.calibrate.grid import BenchGrid, LayerShapes, layer_gemms
from gigacluster.calibrate.records import Timing
from gigacluster.calibrate.run import describe, gemm_shapes, run_grid
from gigacluster.calibrate.timing import Repetition, measure
from gigacluster.catalog import get_model

TINY = BenchGrid(name="tiny", gemm_m=(8, 64), gemm_nk=(64, 192), layer=LayerShapes(model="llama3-8b", tokens=4, tp=64),
                 attention_seq=(32,), attention_head_dim=(16,), attention_tokens=64, attention_heads=2,
                 bandwidth_mb=(0.25,), collective_mb=(0.01,),
                 rep=Repetition(warmup=1, reps=3, min_sample_s=1e-4, max_inner=20))


def test_timing_summarises_samples() -> None:
    t = Timing.of([3.0, 1.0, 2.0, 2.0, 2.0])
    assert t.median_s == 2.0 and t.min_s == 1.0 and t.reps == 5 and t.p10_s <= t.median_s <= t.p90_s
    calls: list[int] = []
    m = measure(lambda: calls.append(1), Repetition(warmup=2, reps=3, min_sample_s=1e-4, max_inner=5))
    assert m.reps == 3 and len(calls) == 2 + 3 * 5 and m.median_s > 0


@pytest.mark.parametrize(("name", "expected"), [
    ("NVIDIA H100 80GB HBM3", "h100-sxm"), ("NVIDIA A100-SXM4-40GB", "a100-sxm-40gb"),
    ("NVIDIA H200", "h200"), ("NVIDIA B200", "b200"), ("AMD Instinct MI300X", "mi300x"),
    ("NVIDIA GH200 480GB", None), ("x86_64 CPU", None),
])
def test_driver_names_map_to_catalog_entries(name: str, expected: str | None) -> None:
    assert match_catalog(name) == expected


def test_layer_gemms_follow_the_megatron_split() -> None:
    spec = get_model("llama3-70b")
    shapes = {r: (m, n, k) for r, m, n, k in layer_gemms(spec, 1024, 8)}
    assert shapes["qkv"] == (1024, (8192 + 2 * 1024) // 8, 8192)
    assert shapes["up"] == (1024, 2 * 28672 // 8, 8192) and shapes["down"] == (1024, 8192, 28672 // 8)


def test_numpy_backend_measures_the_tiny_grid_end_to_end() -> None:
    b = get_backend("numpy", "cpu")
    meas = run_grid(b, TINY)
    assert len(meas.gemm) == len(gemm_shapes(TINY)) and {p.role for p in meas.gemm} >= {"grid", "up"}
    assert not meas.attention and not meas.collectives and len(meas.bandwidth) == 2 and len(meas.launch) == 1
    assert len(meas.dispatch) == 1 and meas.dispatch[0].timing.median_s > 0
    assert all(p.timing.median_s > 0 and p.timing.reps == 3 for p in meas.gemm)
    dev = describe(b, "cpu", None, 1.0, 0.05)
    assert dev.peak_source.startswith("given") and dev.family == "other"
    fit = fit_all(meas, dev)
    # a loaded shared CPU can make the times flat in FLOPs: then the fit must say so, not invent a number
    assert (fit.main_precision == "fp32" and fit.gemm["fp32"].efficiency > 0) or "gemm/fp32" in fit.not_fitted[0]
    assert fit.bandwidth is not None or fit.not_fitted


def test_cpu_reference_is_a_stated_estimate() -> None:
    dev = describe(get_backend("numpy", "cpu"), "cpu", None, None, None)
    assert dev.peak_source.startswith("nominal estimate") and dev.peak_tflops["fp32"] > 0 and dev.mem_tbps is None


def test_torch_backend_on_cpu() -> None:
    pytest.importorskip("torch")
    b = get_backend("torch", "cpu")
    meas = run_grid(b, TINY)
    assert {p.phase for p in meas.attention} == {"fwd", "bwd"} and len(meas.gemm) == len(gemm_shapes(TINY))
    fit = fit_all(meas, describe(b, "cpu", None, 1.0, 0.05))
    assert fit.main_precision is None or (fit.attention is not None and fit.attention.backward_ratio > 0)


def test_torch_collectives_with_gloo() -> None:
    pytest.importorskip("torch")
    from gigacluster.calibrate.backend_torch_comm import measure_collectives

    pts = measure_collectives(2, (0.01, 0.1), TINY.rep, backend="gloo")
    assert {p.op for p in pts} >= {"all_reduce", "send_recv"}
    assert all(p.ranks == 2 and p.timing.median_s > 0 for p in pts)


def test_torch_backend_on_a_gpu_when_there_is_one() -> None:
    """Runs only where torch sees a CUDA device (bench/device/run.sh is the full check)."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    b = get_backend("torch", "cuda:0")
    grid = TINY.model_copy(update={"gemm_m": (128, 512), "gemm_nk": (1024, 2048), "attention_seq": (256,),
                                   "attention_head_dim": (64,), "attention_tokens": 1024})
    meas = run_grid(b, grid)
    dev = describe(b, "cuda:0", None, None, None)
    assert dev.accelerator is not None and "bf16" in {p.precision for p in meas.gemm}
    fit = fit_all(meas, dev)
    assert 0.0 < fit.gemm["bf16"].efficiency < 1.2 and fit.attention is not None


@pytest.mark.parametrize("tp", [4097, 2**63 - 1])
def test_a_tp_split_wider_than_a_layer_gemm_is_refused_not_dropped(tp: int) -> None:
    from gigacluster.calibrate.grid import check_layer
    from gigacluster.errors import GigaclusterError

    spec = get_model("llama3-8b")
    check_layer(LayerShapes(model="llama3-8b", tokens=32, tp=4096), spec)  # out: 4096 / 4096 = 1 column
    with pytest.raises(GigaclusterError, match="tp: must be ≤ 4096"):
        check_layer(LayerShapes(model="llama3-8b", tokens=32, tp=tp), spec)
