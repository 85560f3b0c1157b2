from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gigacluster import api
from gigacluster.calibrate import save_overlay
from gigacluster.calibrate.build import build_overlay
from gigacluster.calibrate.fit import fit_all
from gigacluster.cli import app
from gigacluster.cli.common import run_guarded
from gigacluster.planning.model import Plan
from gigacluster.training.calibration import load_calibration
from tests.calibrate.conftest import h100, synthetic

runner = CliRunner()
TRAIN = ["train", "--model", "llama3-8b", "--gpus", "64", "--global-batch-tokens", "2M", "--format", "json"]


def _overlay_file(tmp_path: Path, eff: float) -> Path:
    dev = h100()
    meas = synthetic(dev, eff, load_calibration().gemm.overhead_s, 0.85)
    return save_overlay(build_overlay(dev, "quick", meas, fit_all(meas, dev)), tmp_path / f"calib_{eff}.yaml")


def _train(*extra: str) -> dict[str, float]:
    res = runner.invoke(app, [*TRAIN, *extra])
    assert res.exit_code == 0, res.output
    out: dict[str, float] = json.loads(res.stdout)["best"]
    return out


def test_train_calibration_moves_predictions_in_the_measured_direction(tmp_path: Path) -> None:
    shipped = load_calibration().gemm_efficiency("hopper")
    base = _train()
    slower = _train("--calibration", str(_overlay_file(tmp_path, shipped * 0.7)))
    faster = _train("--calibration", str(_overlay_file(tmp_path, min(shipped * 1.3, 0.95))))
    assert slower["step_time_s"] > base["step_time_s"] > faster["step_time_s"]
    assert slower["mfu"] < base["mfu"] < faster["mfu"]


def test_serve_accepts_an_overlay(tmp_path: Path) -> None:
    p = tmp_path / "o.yaml"
    p.write_text("inference:\n  families.hopper.gemm_eff: 0.25\n  families.hopper.hbm_eff: 0.3\n")
    args = ["serve", "--model", "llama3-8b", "--accelerator", "h100-sxm", "--rate", "20", "--format", "json"]
    base, slow = runner.invoke(app, args), runner.invoke(app, [*args, "--calibration", str(p)])
    assert base.exit_code == 0 and slow.exit_code == 0, slow.output
    assert json.loads(slow.stdout) != json.loads(base.stdout)


@pytest.mark.parametrize(("args", "needle"), [
    (["train", "--calibration", "/nonexistent.yaml"], "calibration: no such file"),
    (["calibrate", "--backend", "jax"], "backend: unknown 'jax'"),
    (["calibrate", "--backend", "numpy", "--device", "cuda:0"], "device: the numpy backend measures the CPU only"),
    (["calibrate", "--compare", "/nonexistent.yaml"], "calibration: no such file"),
    (["calibrate", "--family", "hoper"], "family: unknown 'hoper'; did you mean hopper"),
    # refused before measuring (fuzz: over 60 CPU-seconds on a CPU): the layer would dwarf the grid
    (["calibrate", "--tp", "1"], "tp: the llama3-8b layer GEMMs at 256 tokens and tp=1 are 111.7 GFLOP a pass"),
    (["calibrate", "--quick", "--model", "llama3-405b"], "raise --tp or lower --tokens"),
])
def test_calibration_errors_are_one_line(args: list[str], needle: str, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["gigacluster", *args])
    assert run_guarded(app) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err and "Traceback" not in err


def test_foreign_key_in_overlay_is_refused_by_train(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "o.yaml"
    p.write_text("training:\n  gemm.efficiency_max.hopper: 0.5\n  comm.latency: 5\n")
    monkeypatch.setattr("sys.argv", ["gigacluster", *TRAIN, "--calibration", str(p)])
    assert run_guarded(app) == 2
    err = capsys.readouterr().err.strip()
    assert "training.comm.latency: not a key" in err and "did you mean 'comm.latency_us'" in err


def test_compare_prints_every_measurement(tmp_path: Path) -> None:
    path = _overlay_file(tmp_path, 0.6)
    res = runner.invoke(app, ["calibrate", "--compare", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["id"] for r in rows} >= {"gemm/bf16/128x1024x1024", "launch/empty"}
    held = [r for r in rows if r["held_out"]]
    assert held and all(abs(r["training_overlay_s"] / r["measured_s"] - 1) < 1e-4 for r in held)
    csv = runner.invoke(app, ["calibrate", "--compare", str(path), "--format", "csv"])
    assert csv.exit_code == 0 and csv.stdout.splitlines()[0].startswith("id,held_out,measured_s")
    assert len(csv.stdout.splitlines()) == len(rows) + 1
    table = runner.invoke(app, ["calibrate", "--compare", str(path)])
    assert table.exit_code == 0 and "held-out GEMM shapes 0.0%" in table.stdout


def test_scenario_calibration_key_slows_the_plan(tmp_path: Path, real_plan: Callable[[str], Plan]) -> None:
    """A scenario YAML's ``calibration:`` (relative to the file) reaches training and serving."""
    text = (resources.files("gigacluster.catalog") / "scenarios" / "meta-24k.yaml").read_text("utf-8")
    (tmp_path / "slow.yaml").write_text("training:\n  gemm.efficiency_max.hopper: 0.35\n"
                                        "inference:\n  families.hopper.gemm_eff: 0.3\n")
    scenario = tmp_path / "meta-slow.yaml"
    scenario.write_text(text + "\ncalibration: slow.yaml\n")
    base, slow = real_plan("meta-24k"), api.plan(str(scenario))
    assert slow.training.best.mfu < base.training.best.mfu
    assert slow.serving.plan.gpus_needed >= base.serving.plan.gpus_needed


def test_plan_and_validate_refuse_a_bad_overlay_before_work(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("inference:\n  global.gemm_half_token: 50\n")
    for args in (["plan", "meta-24k", "--calibration", str(p)], ["validate", "inference", "--calibration", str(p)],
                 ["validate", "training", "--calibration", str(p)]):
        monkeypatch.setattr("sys.argv", ["gigacluster", *args])
        assert run_guarded(app) == 2
        err = capsys.readouterr().err.strip()
        assert "inference.global.gemm_half_token: not a key" in err and "'global.gemm_half_tokens'" in err


def test_api_train_request_takes_the_overlay(tmp_path: Path) -> None:
    p = tmp_path / "fast.yaml"
    p.write_text("training:\n  gemm.efficiency_max.hopper: 0.8\n  gemm.overhead_s: 1.0e-6\n")
    req = api.TrainRequest(model="llama3-8b", gpus=64, global_batch_tokens=2 * 2**20)
    fast = api.train(req.model_copy(update={"calibration": str(p)}))
    assert fast.best.step_time_s < api.train(req).best.step_time_s


@pytest.mark.parametrize("out", ["/", "{tmp}/a-file/overlay.yaml"])
def test_unwritable_out_is_refused_before_measuring(out: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Fuzz: ``calibrate --out /`` measured for a minute, printing progress, then failed (a multi-line error)."""
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setattr("gigacluster.api.calibrate", lambda *a, **k: pytest.fail("measured before checking --out"))
    monkeypatch.setattr("sys.argv", ["gigacluster", "calibrate", "--quick", "--out", out.format(tmp=tmp_path)])
    assert run_guarded(app) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error out:") and "\n" not in err
