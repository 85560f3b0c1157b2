"""The host-dispatch microbenchmark: measured per op, written as ``kernels.host_op_s``, and a
host-bound training job moves with it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from gigacluster import api
from gigacluster.calibrate import load_overlay, save_overlay
from gigacluster.calibrate.backends import get_backend
from gigacluster.calibrate.build import build_overlay
from gigacluster.calibrate.compare import compare
from gigacluster.calibrate.fit import fit_all
from gigacluster.calibrate.records import DispatchPoint, Timing
from gigacluster.calibrate.timing import Repetition
from gigacluster.training.calibration import load_calibration
from tests.calibrate.conftest import h100, synthetic, timing

# A small model at one sequence per GPU: layers of tiny kernels, where the host sets the pace.
SMALL = api.TrainRequest(model="megatron-gpt-1.7b", accelerator="a100-sxm-80gb", gpus=8, seq_len=1024,
                         global_batch_tokens=8 * 1024, tp=4, pp=1, micro_batch=1, recompute="full")


def test_timing_per_part_divides_every_statistic() -> None:
    t = Timing(median_s=64.0, p10_s=32.0, p90_s=128.0, min_s=16.0, reps=3).per(64)
    assert (t.median_s, t.p10_s, t.p90_s, t.min_s, t.reps) == (1.0, 0.5, 2.0, 0.25, 3)


def test_numpy_dispatch_is_a_per_op_cost() -> None:
    rep = Repetition(warmup=1, reps=3, min_sample_s=1e-4, max_inner=5)
    b = get_backend("numpy", "cpu")
    chain_of_8, chain_of_64 = b.dispatch(8, rep).median_s, b.dispatch(64, rep).median_s
    assert 0 < chain_of_8 < chain_of_64  # the chain's time grows with its ops


def _overlay(tmp_path: Path, host_op_s: float) -> Path:
    dev = h100()
    meas = synthetic(dev, 0.6, load_calibration().gemm.overhead_s, 0.85)
    meas = meas.model_copy(update={"dispatch": [DispatchPoint(ops=64, timing=timing(host_op_s))]})
    return save_overlay(build_overlay(dev, "quick", meas, fit_all(meas, dev)), tmp_path / f"d{host_op_s:g}.yaml")


def test_measured_dispatch_becomes_host_op_s_and_is_compared(tmp_path: Path) -> None:
    overlay = load_overlay(_overlay(tmp_path, 3e-5))
    entry = overlay.training["kernels.host_op_s"]
    assert entry.value == 3e-5 and entry.shipped == load_calibration().kernels.host_op_s
    assert entry.measurements == ["dispatch/autograd-op"]
    assert overlay.training_calibration().kernels.host_op_s == 3e-5
    row = next(r for r in compare(overlay) if r.id == "dispatch/autograd-op")
    assert row.training_overlay_s == 3e-5 and row.training_shipped_s == load_calibration().kernels.host_op_s
    assert row.serving_shipped_s is None


def test_host_bound_job_follows_the_measured_dispatch_cost(tmp_path: Path) -> None:
    slow = api.train(SMALL.model_copy(update={"calibration": str(_overlay(tmp_path, 4e-5))})).best
    fast = api.train(SMALL.model_copy(update={"calibration": str(_overlay(tmp_path, 1e-6))})).best
    assert slow.step_breakdown_s["host"] > 0 == fast.step_breakdown_s["host"]
    assert slow.step_time_s > fast.step_time_s


def test_device_script_reads_the_measured_dispatch_cost(tmp_path: Path) -> None:
    """bench/device/run.sh parses, and the overlay holds the value where its vTrain step reads it."""
    script = Path(__file__).parents[2] / "bench" / "device" / "run.sh"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    assert "['training']['kernels.host_op_s']['value']" in script.read_text(encoding="utf-8")
    raw = yaml.safe_load(_overlay(tmp_path, 2e-5).read_text(encoding="utf-8"))
    assert raw["training"]["kernels.host_op_s"]["value"] == 2e-5
