"""PlanRequest what-if overrides become a scenario copy (no plan computed here: these are cheap)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gigacluster.api import PlanRequest
from gigacluster.api.overrides import scenario_of
from gigacluster.catalog.scenarios import get_scenario
from gigacluster.errors import GigaclusterError


def test_no_override_is_the_scenario_itself() -> None:
    assert scenario_of(PlanRequest(scenario="meta-24k")) is get_scenario("meta-24k")


def test_sizing_and_accelerator_overrides() -> None:
    s = scenario_of(PlanRequest(scenario="meta-24k", facility_mw=100, accelerator="gb200"))
    spec = s.design_spec()
    assert spec.facility_mw == 100 and spec.accelerators is None and spec.accelerator == "gb200"
    assert spec.form_factor is None and spec.gpus_per_rack is None  # back to the accelerator's defaults
    assert spec.network == "roce" and spec.oversubscription == 7  # other choices kept


def test_phases_keep_their_names_but_not_their_sizing() -> None:
    base = get_scenario("hyperion")
    assert base.phases, "hyperion has build-out phases"
    s = scenario_of(PlanRequest(scenario="hyperion", phase=base.phases[-1].name, budget_usd=5e9))
    assert [p.name for p in s.phases] == [p.name for p in base.phases]
    assert s.design_spec(base.phases[-1].name).budget_usd == 5e9


def test_workload_overrides() -> None:
    s = scenario_of(PlanRequest(scenario="meta-24k", model="llama3-70b", global_batch_tokens=8 * 2**20,
                                daily_active_users=1e6, researchers=50, failure_profile="none"))
    assert s.training.model == "llama3-70b" and s.training.global_batch_tokens == 8 * 2**20
    assert s.training.failure_profile == "none" and s.serving.daily_active_users == 1e6 and s.researchers == 50
    assert get_scenario("meta-24k").researchers == 200  # the shipped scenario is untouched


@pytest.mark.parametrize("body, field", [
    ({"model": "llama-9000"}, "model"),
    ({"failure_profile": "rsc9"}, "failure_profile"),
    ({"accelerator": "h1000"}, "accelerator"),
    ({"facility_mw": 10, "budget_usd": 1e9}, "sizing"),
])
def test_bad_overrides_name_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(GigaclusterError) as exc:
        scenario_of(PlanRequest(scenario="meta-24k", **body))  # type: ignore[arg-type]
    assert exc.value.field == field


def test_unknown_scenario_and_bounds() -> None:
    with pytest.raises(GigaclusterError) as exc:
        scenario_of(PlanRequest(scenario="meta-42k"))
    assert exc.value.field == "scenario" and "meta-24k" in exc.value.reason
    with pytest.raises(ValidationError):
        PlanRequest(scenario="meta-24k", researchers=0)
