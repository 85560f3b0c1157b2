"""`gigacluster design | scenarios | cost`: JSON keys and one-line errors with exit 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gigacluster.cli import app
from gigacluster.cli.common import run_guarded

runner = CliRunner()


def test_design_json_has_the_documented_keys() -> None:
    res = runner.invoke(app, ["design", "--it-mw", "1020", "--accelerator", "gb200", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in ("accelerators", "nodes", "racks", "pods", "it_power_mw", "facility_power_mw", "usd_per_gpu_hour"):
        assert key in out
    assert {"tiers", "switches", "oversubscription"} <= set(out["fabric"])
    assert "total" in out["capex_usd"] and "total" in out["opex_usd_per_year"]
    assert out["it_power_mw"] <= 1020


@pytest.mark.parametrize("accelerator", ["trn2", "tpu-v3", "mtia-v2"])
def test_design_of_an_accelerator_without_a_scale_up_rate(accelerator: str) -> None:
    """Catalog accelerators with no scale-up bandwidth (fuzz: a 422 naming an internal field over HTTP)."""
    res = runner.invoke(app, ["design", "--accelerators", "1000", "--accelerator", accelerator, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["system"]["scaleup_gbytes_per_s"] is None


def test_design_scenario_table_and_override() -> None:
    res = runner.invoke(app, ["design", "--scenario", "meta-24k"])
    assert res.exit_code == 0 and "3 tiers" in res.stdout and "8 network pods of 3,072 accelerators" in res.stdout
    res = runner.invoke(app, ["design", "--scenario", "meta-24k", "--accelerators", "6144", "--format", "json"])
    assert json.loads(res.stdout)["pods"] == 2


def test_scenarios_and_cost() -> None:
    res = runner.invoke(app, ["scenarios", "--format", "json"])
    assert {r["id"] for r in json.loads(res.stdout)} >= {"prometheus", "meta-24k", "stargate-abilene"}
    res = runner.invoke(app, ["cost", "--scenario", "meta-24k", "--gpu-hours", "30.84M",
                              "--tokens-per-s-per-gpu", "2000", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["run"]["total_usd"] > 0 and out["usd_per_mtok"] > 0


@pytest.mark.parametrize(("args", "needle"), [
    (["design", "--budget-usd", "1M"], "budget-usd: $1,000,000 is less than one NVL72 rack"),
    (["design", "--accelerators", "100", "--pue", "0.9"], "pue: must be ≥ 1.0"),
    (["design", "--accelerator", "gb20", "--accelerators", "72"], "accelerator: unknown 'gb20'"),
    (["design", "--scenario", "prometheus2"], "scenario: unknown 'prometheus2'"),
    (["design", "--budget-usd", "30B", "--facility-mw", "100"], "sizing: give exactly one of"),
    (["design"], "sizing: give one of"),
    (["design", "--accelerators", "8", "--network", "myrinet"], "network: 'myrinet' not one of"),
    (["design", "--scenario", "hyperion", "--phase", "phase-9"], "phase: unknown 'phase-9'"),
    (["cost", "--scenario", "meta-24k"], "cost: give --gpu-hours"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], needle: str, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["gigacluster", *args])
    assert run_guarded(app) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "Traceback" not in err
    assert len(err.splitlines()) <= 3
