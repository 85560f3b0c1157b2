"""`gigacluster reliability`: JSON keys, determinism, and one-line exit-2 errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXE = Path(sys.executable).with_name("gigacluster")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXE), "reliability", *args], capture_output=True, text=True, timeout=120)


def test_json_has_the_issue_keys() -> None:
    out = _run("--gpus", "16384", "--days", "54", "--accelerator", "h100-sxm", "--profile", "llama3",
               "--checkpoint-interval-min", "auto", "--blast-radius", "job", "--replications", "100",
               "--seed", "0", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    for key in ("interruptions_expected", "interruptions_by_cause", "mttf_hours", "ettr_mean", "ettr_p5",
                "optimal_checkpoint_interval_min", "lost_gpu_hours"):
        assert key in doc
    assert doc["interruptions_expected"] == pytest.approx(419, rel=0.15)
    assert 0 < doc["ettr_p5"] <= doc["ettr_mean"] <= 1


def test_same_seed_same_output() -> None:
    args = ("--gpus", "32k", "--days", "10", "--replications", "50", "--seed", "7", "--format", "json")
    assert _run(*args).stdout == _run(*args).stdout


def test_table_output_names_the_breakdowns() -> None:
    out = _run("--gpus", "100000", "--days", "5", "--blast-radius", "replica", "--replications", "20")
    assert out.returncode == 0, out.stderr
    assert "GPU-hours lost by reason" in out.stdout and "replica_stall" in out.stdout


@pytest.mark.parametrize(("args", "field"), [
    (("--gpus", "0", "--days", "54"), "gpus"),
    (("--gpus", "-8", "--days", "54"), "gpus"),
    (("--gpus", "16384", "--days", "0"), "days"),
    (("--gpus", "16384", "--days", "-1"), "days"),
    (("--gpus", "16384", "--days", "54", "--profile", "rsc9"), "profile"),
    (("--gpus", "16384", "--days", "54", "--checkpoint-interval-min", "0.1"), "checkpoint_interval_min"),
    (("--gpus", "16384", "--days", "54", "--model", "llama3-405b", "--storage-gb-per-s", "10",
      "--checkpoint-interval-min", "5"), "checkpoint_interval_min"),
    (("--gpus", "16384", "--days", "54", "--blast-radius", "rack"), "blast_radius"),
])
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], field: str) -> None:
    out = _run(*args, "--replications", "5")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]
    assert "Traceback" not in out.stderr
