"""A calibration overlay on every point of a sweep (`gigacluster sweep --calibration FILE`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gigacluster.cli import app
from gigacluster.cli.common import run_guarded
from gigacluster.errors import GigaclusterError
from gigacluster.sweeps import parse_spec, run
from gigacluster.sweeps.stages import with_calibration

TRAIN = {"stage": "train", "request": {"model": "llama3-8b"}, "axes": {"gpus": [64]}}


def test_with_calibration_sets_the_request_or_the_scenario_key() -> None:
    train = with_calibration(parse_spec(TRAIN), "/x/calib.yaml")
    assert train.request["calibration"] == "/x/calib.yaml"
    plan = with_calibration(parse_spec({"base": "meta-24k", "axes": {"costs.usd_per_mwh": [40]}}), "/x/c.yaml")
    assert plan.axes["calibration"] == ["/x/c.yaml"]
    with pytest.raises(GigaclusterError, match="stage 'design' uses no calibration"):
        with_calibration(parse_spec({"base": "meta-24k", "stage": "design", "axes": {"phase": ["x"]}}), "/x/c.yaml")


def test_a_slower_overlay_slows_every_point(tmp_path: Path) -> None:
    slow = tmp_path / "slow.yaml"
    slow.write_text("training:\n  gemm.efficiency_max.hopper: 0.35\n")
    base = run(TRAIN, tmp_path / "a", workers=0).frame
    calibrated = run(with_calibration(parse_spec(TRAIN), str(slow)), tmp_path / "b", workers=0).frame
    assert base["error"].isna().all() and calibrated["error"].isna().all()
    assert (calibrated["step_time_s"] > base["step_time_s"]).all()


def test_sweep_refuses_a_bad_overlay_before_running(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    spec, bad = tmp_path / "spec.yaml", tmp_path / "bad.yaml"
    spec.write_text("stage: train\nrequest: {model: llama3-8b}\naxes: {gpus: [64]}\n")
    bad.write_text("training:\n  gemm.efficency_max.hopper: 0.5\n")
    monkeypatch.setattr("sys.argv", ["gigacluster", "sweep", str(spec), "--out", str(tmp_path / "o"),
                                     "--workers", "0", "--calibration", str(bad)])
    assert run_guarded(app) == 2
    err = capsys.readouterr().err.strip()
    assert "training.gemm.efficency_max.hopper: not a key" in err and "\n" not in err
    assert not (tmp_path / "o").exists()
