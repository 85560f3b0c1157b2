"""Every scenario states its rack (GPUs and kW, with a source) and the design agrees with it."""

from __future__ import annotations

import pytest

from gigacluster.catalog.scenarios import load_scenarios
from gigacluster.economics import build_cluster, summary
from gigacluster.hardware.design import design_cluster


@pytest.mark.parametrize("sid", sorted(load_scenarios()))
def test_scenario_states_its_rack_with_a_source(sid: str) -> None:
    s = load_scenarios()[sid]
    assert s.design.get("gpus_per_rack") and s.design.get("rack_kw")
    assert any("rack" in src for src in s.sources), "a source for the rack"
    d = design_cluster(s.design_spec())
    assert d.counts.gpus_per_rack == s.design["gpus_per_rack"]
    assert d.power.kw_per_rack == pytest.approx(s.design["rack_kw"], rel=0.15)
    assert not any(a.startswith("rack power") for a in d.assumptions)


def test_colossus_racks_hold_64_gpus() -> None:
    d = design_cluster(load_scenarios()["colossus"].design_spec())
    assert 1_400 <= d.counts.racks <= 1_800


def test_power_reserve_is_reported_beside_facility_power() -> None:
    out = summary(build_cluster(load_scenarios()["stargate-abilene"].design_spec()))
    assert out.power_reserve_mw == pytest.approx(out.power_mw["reserve"]) and out.power_reserve_mw > 300
    assert out.facility_power_mw == pytest.approx(out.it_power_mw * out.pue + out.power_reserve_mw)
