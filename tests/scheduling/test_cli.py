from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gigacluster.cli import app
from gigacluster.cli.common import run_guarded


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["gigacluster", "schedule", *args])
    code = run_guarded(app)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0]


def test_json_has_the_promised_keys(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(monkeypatch, capsys, "--trace", "synthetic", "--gpus", "512", "--jobs", "2000",
                        "--researchers", "50", "--policy", "las", "--format", "json")
    assert code == 0
    r = json.loads(out)
    assert r["jobs"] == 2000 and 0 < r["utilization"] <= 1 and 0 < r["jain_fairness"] <= 1
    assert set(r["queue_wait_h"]) >= {"mean", "p50", "p99"} and set(r["jct_h"]) >= {"mean", "p99"}
    assert r["gpu_hours_per_researcher_per_day"] > 0 and r["events_per_s"] > 0


def test_table_output_on_a_shipped_trace(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(monkeypatch, capsys, "--trace", "alibaba", "--gpus", "512", "--jobs", "1000",
                        "--policy", "backfill")
    assert code == 0 and "Jain fairness" in out and "by job size" in out


def test_missing_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "t.csv"
    f.write_text("timestamp,num_gpus\n2017-10-01 00:00:00,1\n")
    _one_line_error(*_cli(monkeypatch, capsys, "--trace", str(f), "--gpus", "64"), "duration")


def test_negative_duration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "t.csv"
    f.write_text("timestamp,duration,num_gpus\n0,60,1\n100,-5,2\n")
    _one_line_error(*_cli(monkeypatch, capsys, "--trace", str(f), "--gpus", "64"), "line 3", "duration")


@pytest.mark.parametrize(("args", "words"), [
    (["--gpus", "0"], ["gpus"]),
    (["--trace", "philly", "--gpus", "64"], ["num_gpus", "exceeds"]),
    (["--policy", "sjf"], ["policy", "fifo"]),
    (["--trace", "nosuch"], ["trace"]),
    (["--researchers", "0"], ["researchers"]),
])
def test_bad_input_is_one_line_exit_2(args: list[str], words: list[str], monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _one_line_error(*_cli(monkeypatch, capsys, *args), *words)


def test_entry_point_exits_2() -> None:
    exe = Path(sys.executable).parent / "gigacluster"
    p = subprocess.run([str(exe), "schedule", "--policy", "nope"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "policy" in p.stderr
