from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import BaseModel

from gigacluster.catalog.scenarios import get_scenario
from gigacluster.cli import app
from gigacluster.cli.common import run_guarded
from gigacluster.economics.summary import DesignSummary
from gigacluster.planning.model import CostSection, Plan, ScalingPoint, ScenarioInfo, Timings, TrainingRun
from gigacluster.planning.training import job_gpus


@pytest.fixture
def meta24k(real_plan: Callable[[str], Plan]) -> Plan:
    return real_plan("meta-24k")


def test_plan_composes_every_stage(meta24k: Plan) -> None:
    assert meta24k.scenario.id == "meta-24k" and meta24k.scaling
    run = meta24k.training.run
    assert run is not None and run.wall_days >= run.failure_free_days > 0
    best = meta24k.training.best
    assert abs(sum(best.step_breakdown_s.values()) - best.step_time_s) < 1e-9
    assert abs(run.cost_usd.amortised_usd + run.cost_usd.energy_usd - run.cost_usd.total_usd) < 1e-3
    assert meta24k.cost.training_run_usd == run.cost_usd.total_usd
    assert meta24k.cost.capex_usd == meta24k.design.capex_usd["total"]


def test_one_figure_per_meaning(meta24k: Plan) -> None:
    """GPU-hours held = wall-clock days × 24 × GPUs; energy follows the held hours; failure-free is smaller."""
    run, gpus = meta24k.training.run, meta24k.training.gpus
    assert run is not None
    assert run.gpu_hours == pytest.approx(run.wall_days * 24 * (gpus + run.spare_gpus))  # hot spares are held too
    assert run.gpu_hours_failure_free == pytest.approx(run.failure_free_days * 24 * gpus)
    assert run.facility_energy_mwh == pytest.approx(run.it_energy_mwh * meta24k.design.pue)
    assert run.gpu_board_energy_mwh_failure_free < run.it_energy_mwh


def test_the_chosen_job_is_the_fastest_once_failures_count(meta24k: Plan) -> None:
    fastest = min(meta24k.scaling, key=lambda p: p.wall_days)
    assert meta24k.training.gpus == fastest.gpus
    assert all(p.gpus <= meta24k.design.accelerators for p in meta24k.scaling)


def test_plan_json_round_trips(meta24k: Plan) -> None:
    assert Plan.model_validate_json(meta24k.model_dump_json()) == meta24k


def test_every_plan_field_has_a_label() -> None:
    def check(model: type[BaseModel]) -> None:
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra
            assert isinstance(extra, dict) and extra.get("label"), f"{model.__name__}.{name}"
    for section in (Plan, ScenarioInfo, TrainingRun, ScalingPoint, CostSection, Timings, DesignSummary):
        check(section)


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


def test_users_servable_come_from_the_peak_hour_of_the_day_fleet(meta24k: Plan) -> None:
    """The plan's fleet is autoscaled over the scenario's profile with N+1; the users the whole cluster
    serves are those whose PEAK-hour fleet fits (not a linear extrapolation of one fleet)."""
    sv, gpus = meta24k.serving, meta24k.design.accelerators
    assert sv.traffic_profile == "diurnal" and sv.peak_to_mean == pytest.approx(1.35)
    assert sv.fleet_peak_gpus == sv.plan.gpus_needed + sv.n_plus * sv.plan.engine_gpus
    assert sv.fleet_avg_gpus < sv.fleet_peak_gpus
    assert sv.fleet_gpu_hours_per_day == pytest.approx(24 * sv.fleet_avg_gpus)
    assert sv.cost.gpus == sv.fleet_peak_gpus and sv.share_of_cluster == pytest.approx(sv.fleet_peak_gpus / gpus)
    engines = gpus // sv.plan.engine_gpus - sv.n_plus
    peak_rps = sv.users_servable_by_whole_cluster * get_scenario("meta-24k").serving.requests_per_user_day \
        / 86400 * sv.peak_to_mean
    assert peak_rps == pytest.approx(engines * sv.plan.rate_per_engine_rps)


def test_a_bad_scenario_traffic_profile_is_one_error_naming_the_field() -> None:
    from gigacluster.economics import build_cluster, rates_of
    from gigacluster.economics.spec import CostSpec
    from gigacluster.errors import GigaclusterError
    from gigacluster.planning.compose import serving_section
    s = get_scenario("meta-24k")
    bad = s.model_copy(update={"serving": s.serving.model_copy(update={"traffic_profile": "weekly"})})
    rates = rates_of(build_cluster(s.design_spec(), CostSpec(**s.costs)))
    with pytest.raises(GigaclusterError, match="traffic_profile"):
        serving_section(bad, "h100-sxm", 24_576, rates)
