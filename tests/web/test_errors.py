"""Request errors over HTTP are one JSON line naming the field, even when the value given is NaN or
infinite (strict JSON cannot echo it) or the body is not UTF-8."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gigacluster.web.app import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


@pytest.mark.parametrize("body, field, shown", [
    ('{"gpus": NaN, "days": 1}', "gpus", "nan"),
    ('{"gpus": 1024, "days": Infinity}', "days", "inf"),
    ('{"gpus": 1024, "days": 1e400}', "days", "inf"),
    ('{"gpus": 1024, "days": 1, "restart_s": -Infinity}', "restart_s", "-inf"),
])
def test_non_finite_input_is_a_422_naming_the_field(client: TestClient, body: str, field: str, shown: str) -> None:
    r = client.post("/api/reliability", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["body", field]
    assert detail["input"] == shown and "\n" not in detail["msg"] and shown in detail["msg"]


def test_range_error_names_the_range_and_the_value(client: TestClient) -> None:
    r = client.post("/api/reliability", json={"gpus": 10**9, "days": 1})
    detail = r.json()["detail"][0]
    assert r.status_code == 422 and detail["loc"] == ["body", "gpus"]
    assert detail["msg"] == "must be ≤ 100000000, got 1000000000"


def test_body_that_is_not_utf8_names_the_body(client: TestClient) -> None:
    r = client.post("/api/design", content=b'{"scenario": "\xff"}', headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"][0]["loc"] == ["body"]


def test_unknown_route_keeps_its_plain_404(client: TestClient) -> None:
    assert client.get("/api/nope").status_code == 404


def test_domain_errors_name_request_fields_not_cli_flags(client: TestClient) -> None:
    """The application layer words its errors for the CLI (--facility-mw); over HTTP they name the
    request's own fields."""
    r = client.post("/api/design", json={"budget_usd": 3e10, "facility_mw": 100})
    assert r.status_code == 422, r.text
    msg = r.json()["detail"][0]["msg"]
    assert "facility_mw" in msg and "budget_usd" in msg and "--" not in msg
