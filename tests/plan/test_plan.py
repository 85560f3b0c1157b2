from __future__ import annotations

import json
from pathlib import Path

import pytest

from gigacluster.catalog.scenarios import get_scenario
from gigacluster.cli import app
from gigacluster.cli.common import run_guarded
from gigacluster.plan import plan_scenario
from gigacluster.plan.training import job_gpus


@pytest.fixture(scope="module")
def meta24k() -> dict:  # type: ignore[type-arg]
    return plan_scenario(get_scenario("meta-24k"))


def test_plan_composes_every_stage(meta24k: dict) -> None:  # type: ignore[type-arg]
    for key in ("scenario", "design", "training", "scaling", "serving", "scheduling"):
        assert meta24k[key], key
    t = meta24k["training"]
    assert t["wall_days"] >= t["train_days"] > 0
    assert abs(sum(t["step_breakdown_s"].values()) - t["step_time_s"]) < 1e-9
    assert abs(t["cost_usd"]["amortised"] + t["cost_usd"]["energy"] - t["cost_usd"]["total"]) < 1e-3


def test_the_chosen_job_is_the_fastest_once_failures_count(meta24k: dict) -> None:  # type: ignore[type-arg]
    fastest = min(meta24k["scaling"], key=lambda p: p["wall_days"])
    assert meta24k["training"]["gpus"] == fastest["gpus"]
    assert all(p["gpus"] <= meta24k["design"]["accelerators"] for p in meta24k["scaling"])


def test_job_sizes_are_a_pipeline_depth_times_a_power_of_two() -> None:
    n = job_gpus(505_728, 61)
    assert n <= 505_728
    p = next(p for p in range(1, 62) if n % p == 0 and (n // p) & (n // p - 1) == 0)
    assert p <= 61 and n > 0.9 * 505_728


def test_cli_plan_writes_json_and_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["gigacluster", "plan", "meta-24k", "--out", str(tmp_path)])
    assert run_guarded(app) == 0
    plan = json.loads((tmp_path / "plan.json").read_text())
    html = (tmp_path / "report.html").read_text()
    assert plan["scenario"]["id"] == "meta-24k"
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "wrote" in capsys.readouterr().out


def test_cli_plan_unknown_scenario_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["gigacluster", "plan", "promethus"])
    assert run_guarded(app) == 2
    err = capsys.readouterr().err
    assert "scenario: unknown 'promethus'; did you mean prometheus" in err
