"""The application layer: specs in, typed results out, the same results the CLI prints."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

import gigacluster
from gigacluster import api
from gigacluster.cli import app
from gigacluster.errors import GigaclusterError
from gigacluster.planning.model import Plan

runner = CliRunner()


def test_the_application_layer_is_re_exported() -> None:
    for name in ("plan", "design", "train", "serve", "schedule", "cost"):
        assert getattr(gigacluster, name) is getattr(api, name)
    assert gigacluster.goodput is api.reliability and gigacluster.validate_cases is api.validate
    assert gigacluster.TrainRequest is api.TrainRequest


def test_design_request_and_cli_agree() -> None:
    result = api.design(api.DesignRequest(accelerators=4096, accelerator="h100-sxm"))
    res = runner.invoke(app, ["design", "--accelerators", "4096", "--accelerator", "h100-sxm", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == result.model_dump(mode="json")
    assert result.accelerators == 4096 and result.capex_usd["total"] > 0


def test_train_result_rows_and_run() -> None:
    result = api.train(api.TrainRequest(model="llama3-8b", gpus=64, global_batch_tokens=2 * 2**20, tokens=1e12,
                                        top_k=3))
    assert result.run is not None and result.run.wall_days >= result.run.failure_free_days
    rows = result.flat_rows()
    assert len(rows) == len(result.top) <= 3 and rows[0]["mfu"] == result.best.mfu
    none = api.train(api.TrainRequest(model="llama3-8b", gpus=64, global_batch_tokens=2 * 2**20, tokens=1e12,
                                      failure_profile="none"))
    assert none.run is not None and none.run.wall_days == none.run.failure_free_days and none.run.ettr == 1.0


def test_requests_refuse_bad_fields_by_name() -> None:
    with pytest.raises(ValidationError, match="gpus"):
        api.TrainRequest(gpus=0)
    with pytest.raises(ValidationError, match="typo"):
        api.DesignRequest(accelerators=8, typo=1)  # type: ignore[call-arg]
    with pytest.raises(GigaclusterError, match="sizing"):
        api.design(api.DesignRequest(accelerators=8, it_mw=5))
    with pytest.raises(GigaclusterError, match="kind"):
        api.validate("bogus")


def test_plan_is_typed_and_csv_rows_are_the_scaling_curve(real_plan: Callable[[str], Plan]) -> None:
    plan = real_plan("meta-24k")
    assert isinstance(plan, Plan)
    rows = plan.flat_rows()
    assert [r["gpus"] for r in rows] == [p.gpus for p in plan.scaling]


def test_schedule_and_reliability() -> None:
    q = api.schedule(api.ScheduleRequest(gpus=512, researchers=20, jobs=300, policy="fair"))
    assert q.jobs == 300 and 0 < q.utilization <= 1
    assert {"gpus", "jobs", "gpu_time_share"} <= set(q.flat_rows()[0])
    g = api.reliability(api.ReliabilitySpec(gpus=16384, days=10, replications=50))
    assert 0 < g.ettr_mean <= 1


def test_to_frame_has_one_row_per_flat_row() -> None:
    pd = pytest.importorskip("pandas")
    result = api.train(api.TrainRequest(model="llama3-8b", gpus=64, global_batch_tokens=2 * 2**20, top_k=4))
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(result.top)
    assert "layout.tp" in frame.columns
