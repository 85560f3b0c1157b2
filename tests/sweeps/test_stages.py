"""Stage registry: axis keys split into scenario paths and request fields; overrides re-validated."""

from __future__ import annotations

import pytest

from gigacluster.catalog.scenarios import get_scenario
from gigacluster.errors import GigaclusterError
from gigacluster.sweeps.stages import STAGES, apply_overrides, axis_kind


def test_axis_keys_are_classified() -> None:
    train = STAGES["train"]
    assert axis_kind(train, "design.facility_mw", has_base=True) == "scenario"
    assert axis_kind(train, "training.precision", has_base=True) == "scenario"
    assert axis_kind(train, "researchers", has_base=True) == "scenario"
    assert axis_kind(train, "gpus", has_base=True) == "request"
    assert axis_kind(train, "phase", has_base=True) == "phase"
    assert axis_kind(train, "accelerator", has_base=False) == "request"


def test_unknown_key_names_the_closest() -> None:
    with pytest.raises(GigaclusterError, match="did you mean design.facility_mw") as exc:
        axis_kind(STAGES["design"], "design.facility_mv", has_base=True)
    assert exc.value.field == "design.facility_mv"


def test_request_accelerator_with_a_base_points_to_design_accelerator() -> None:
    with pytest.raises(GigaclusterError, match="design.accelerator"):
        axis_kind(STAGES["serve"], "accelerator", has_base=True)


def test_plan_has_no_request_fields() -> None:
    with pytest.raises(GigaclusterError):
        axis_kind(STAGES["plan"], "gpus", has_base=True)


def test_swept_sizing_replaces_the_phase_sizing() -> None:
    hyperion = get_scenario("hyperion")
    s = apply_overrides(hyperion, {"design.facility_mw": 300.0, "design.accelerator": "b200"})
    spec = s.design_spec()
    assert spec.facility_mw == 300.0 and spec.accelerator == "b200"
    assert all(p.facility_mw is None and p.accelerator is None for p in s.phases)


def test_swept_count_replaces_the_base_sizing() -> None:
    s = apply_overrides(get_scenario("meta-24k"), {"design.facility_mw": 10.0})
    assert s.design_spec().sizing == "facility_mw"


def test_bad_override_is_one_error_naming_the_path() -> None:
    with pytest.raises(GigaclusterError, match="researchers"):
        apply_overrides(get_scenario("meta-24k"), {"researchers": "many"})
