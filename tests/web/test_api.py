"""The HTTP API against a live server: it answers what the CLI prints, names bad fields, refuses oversize work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gigacluster.web.runner import request_key

CLI = [sys.executable, "-c", "from gigacluster.cli import main; main()"]


def post(base: str, name: str, body: dict[str, object], timeout: float = 300) -> httpx.Response:
    return httpx.post(f"{base}/api/{name}", json=body, timeout=timeout)


TIMING_KEYS = {"timings", "seconds", "wall_s", "events_per_s"}
"""Measured run times (the plan's timings, the search's and the simulator's): they differ run to run."""


def without_timings(value: object) -> object:
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def test_plan_equals_cli_json(live_server: str, tmp_path: Path) -> None:
    r = post(live_server, "plan", {"scenario": "meta-24k"})
    assert r.status_code == 200, r.text
    out = subprocess.run([*CLI, "plan", "meta-24k", "--format", "json", "--out", str(tmp_path)],
                         capture_output=True, text=True, check=True, timeout=300)
    cli = json.loads(out.stdout)
    assert without_timings(r.json()) == without_timings(cli)
    assert set(r.json()["timings"]) == set(cli["timings"])
    assert r.json()["scaling"][0]["run_cost_usd"] > 0


def test_bad_input_names_the_field(live_server: str) -> None:
    r = post(live_server, "design", {"scenario": "meta-24k", "pue": 0.5})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "pue"]
    r = post(live_server, "train", {"model": "llama3-405b", "accelerator": "h1000", "gpus": 1024})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["body", "accelerator"] and "h100-sxm" in detail["msg"]
    r = post(live_server, "plan", {"scenario": "meta-24k", "bogus": 1})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "bogus"]


@pytest.mark.parametrize("name, body, field", [
    ("design", {"accelerators": 10**9}, "accelerators"),
    ("schedule", {"trace": "philly", "jobs": 80_000}, "jobs"),
    ("train", {"gpus": 10**7}, "gpus"),
    ("reliability", {"gpus": 1024, "days": 1, "replications": 10**7}, "replications"),
])
def test_oversize_request_is_refused_not_run(live_server: str, name: str, body: dict[str, object],
                                             field: str) -> None:
    r = post(live_server, name, body, timeout=10)  # refused at once: a run would take far longer
    assert r.status_code == 413
    assert r.json()["detail"][0]["loc"] == ["body", field]


def test_server_files_are_not_reachable(live_server: str) -> None:
    r = post(live_server, "design", {"scenario": "/etc/passwd.yaml"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "scenario"]
    r = post(live_server, "schedule", {"trace": "/etc/passwd", "jobs": 10})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "trace"]


def test_small_stages_answer(live_server: str) -> None:
    r = post(live_server, "schedule", {"trace": "philly", "jobs": 200, "gpus": 1024})
    assert r.status_code == 200 and r.json()["jobs"] == 200
    r = post(live_server, "reliability", {"gpus": 16384, "days": 54, "profile": "llama3", "replications": 200})
    assert r.status_code == 200 and 0 < r.json()["ettr_mean"] <= 1
    r = post(live_server, "cost", {"scenario": "meta-24k", "gpu_hours": 1e6})
    assert r.status_code == 200 and r.json()["run"]["total_usd"] > 0


def test_catalog_endpoints_and_docs_are_local(live_server: str) -> None:
    opts = httpx.get(f"{live_server}/api/options").json()
    assert "meta-24k" in opts["scenarios"] and "none" in opts["failure_profiles"]
    assert {s["id"] for s in httpx.get(f"{live_server}/api/scenarios").json()} == set(opts["scenarios"])
    spec = httpx.get(f"{live_server}/openapi.json").json()
    assert {f"/api/{n}" for n in ("plan", "design", "train", "serve", "schedule", "reliability", "cost",
                                  "validate")} <= set(spec["paths"])
    docs = httpx.get(f"{live_server}/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert httpx.get(f"{live_server}/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_cache_key_is_the_validated_request() -> None:
    from gigacluster.api import PlanRequest

    a, b = PlanRequest(scenario="meta-24k"), PlanRequest.model_validate({"scenario": "meta-24k", "phase": None})
    assert request_key("plan", a) == request_key("plan", b) != request_key("design", a)
