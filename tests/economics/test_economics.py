"""Capex, opex, TCO, run cost and $/Mtok: sums, the published $/GW range, budget sizing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog.scenarios import get_scenario, load_scenarios
from gigacluster.economics import (
    CostSpec,
    build_cluster,
    rates_of,
    summary,
    training_run_cost,
    usd_per_gpu_hour,
    usd_per_mtok,
)
from gigacluster.economics.spec import sources
from gigacluster.economics.tco import capital_recovery
from gigacluster.errors import GigaclusterError
from gigacluster.hardware.spec import DesignSpec


@pytest.mark.parametrize("acc", ["gb200", "gb300", "h100-sxm", "b200"])
def test_capex_per_gw_within_published_range(acc: str) -> None:
    c = build_cluster(DesignSpec(facility_mw=1000, accelerator=acc))
    per_gw = c.capex.total_usd / (c.design.power.facility_mw / 1e3)
    assert 29e9 <= per_gw <= 60e9


@pytest.mark.parametrize("sid", ["prometheus", "meta-24k", "stargate-abilene", "colossus", "hyperion"])
def test_every_total_is_the_sum_of_its_parts(sid: str) -> None:
    s = get_scenario(sid)
    c = build_cluster(s.design_spec(), CostSpec(**s.costs))
    assert sum(c.capex.lines().values()) == pytest.approx(c.capex.total_usd, rel=1e-12)
    assert c.opex.electricity_usd + c.opex.maintenance_usd == pytest.approx(c.opex.total_usd, rel=1e-12)
    t = c.tco
    assert t.it_depreciation_usd + t.facility_depreciation_usd + t.electricity_usd + t.maintenance_usd == \
        pytest.approx(t.total_usd_per_year, rel=1e-12)
    assert t.capital_usd_per_gpu_hour + t.energy_usd_per_gpu_hour == pytest.approx(t.usd_per_gpu_hour, rel=1e-12)
    out = summary(c)
    for key in ("capex_usd", "opex_usd_per_year", "tco_usd_per_year"):
        breakdown = getattr(out, key)
        parts = {k: v for k, v in breakdown.items() if k != "total"}
        assert sum(parts.values()) == pytest.approx(breakdown["total"], rel=1e-12)


def test_usd_per_gpu_hour_is_plausible() -> None:
    # at the default WACC and sold share: owner cost and break-even rental in the market's range
    # ($1.7-2.4 long-term H100 contracts; neocloud on-demand $2-3.5, research §1.4)
    c = build_cluster(DesignSpec(accelerators=100_000, accelerator="h100-sxm"))
    assert 1.5 <= c.tco.usd_per_gpu_hour <= 2.6 and 1.5 <= c.tco.breakeven_usd_per_gpu_hour <= 2.6
    assert c.tco.usd_per_gpu_hour == pytest.approx(c.tco.total_usd_per_year / (100_000 * 8760))
    assert c.tco.breakeven_usd_per_gpu_hour == pytest.approx(c.tco.usd_per_gpu_hour / c.costs.sold_utilisation)
    straight = build_cluster(c.design.spec, CostSpec(cost_of_capital=0.0, sold_utilisation=1.0))
    assert straight.tco.breakeven_usd_per_gpu_hour < 0.8 * c.tco.breakeven_usd_per_gpu_hour


def test_cost_defaults_carry_sources() -> None:
    src = sources()
    for key in ("cost_of_capital", "sold_utilisation", "power_draw_fraction", "usd_per_mwh"):
        assert len(src[key]) > 40, key
    with pytest.raises(GigaclusterError, match="utilisation"):
        CostSpec(sold_utilisation=0.0)
    with pytest.raises(GigaclusterError, match="cost-of-capital"):
        CostSpec(cost_of_capital=1.5)


def test_budget_buys_the_most_units_that_fit() -> None:
    c = build_cluster(DesignSpec(budget_usd=35e9, accelerator="gb200"))
    assert c.capex.total_usd <= 35e9
    one_more = build_cluster(DesignSpec(accelerators=c.design.counts.accelerators + 72, accelerator="gb200"))
    assert one_more.capex.total_usd > 35e9
    with pytest.raises(GigaclusterError) as exc:
        build_cluster(DesignSpec(budget_usd=1e6, accelerator="gb200"))
    assert exc.value.field == "budget-usd" and "NVL72 rack" in exc.value.reason


def test_longer_life_and_cost_of_capital() -> None:
    spec = DesignSpec(accelerators=72_000, accelerator="gb200")
    base = build_cluster(spec, CostSpec(cost_of_capital=0.0)).tco.usd_per_gpu_hour
    assert build_cluster(spec, CostSpec(cost_of_capital=0.0, it_life_years=7)).tco.usd_per_gpu_hour < base
    assert build_cluster(spec, CostSpec(cost_of_capital=0.08)).tco.usd_per_gpu_hour > base
    assert capital_recovery(0.0, 5) == pytest.approx(0.2)
    assert capital_recovery(0.08, 5) == pytest.approx(0.25046, rel=1e-4)


def test_training_run_cost() -> None:
    c = build_cluster(get_scenario("meta-24k").design_spec())
    rates = rates_of(c)
    run = training_run_cost(rates, gpu_hours=30.84e6)  # Llama 3.1 405B: 30.84M H100-hours
    assert run.amortised_usd + run.energy_usd == pytest.approx(run.total_usd)
    assert run.facility_energy_mwh == pytest.approx(run.it_energy_mwh * 1.15)
    assert run.co2_t == pytest.approx(run.facility_energy_mwh * 0.367)
    assert 20e6 < run.total_usd < 80e6
    given_energy = training_run_cost(rates, 30.84e6, it_energy_mwh=10_000, grid_kg_co2_per_mwh=0)
    assert given_energy.it_energy_mwh == 10_000 and given_energy.co2_t == 0
    with pytest.raises(GigaclusterError):
        training_run_cost(rates, -1)


def test_usd_per_mtok() -> None:
    rates = rates_of(build_cluster(DesignSpec(accelerators=72, accelerator="gb200")))
    one = usd_per_mtok(rates, 1000.0)
    assert one == pytest.approx(usd_per_gpu_hour(rates) / 3.6)
    assert usd_per_mtok(rates, 2000.0) == pytest.approx(one / 2)
    with pytest.raises(GigaclusterError):
        usd_per_mtok(rates, 0)


@settings(max_examples=20, deadline=None)
@given(mwh=st.floats(20.0, 150.0), extra=st.floats(1.0, 50.0))
def test_dearer_power_costs_more(mwh: float, extra: float) -> None:
    spec = DesignSpec(accelerators=7200, accelerator="gb200")
    assert build_cluster(spec, CostSpec(usd_per_mwh=mwh + extra)).opex.total_usd > \
        build_cluster(spec, CostSpec(usd_per_mwh=mwh)).opex.total_usd


def test_scenarios_load_with_models_and_phases() -> None:
    scns = load_scenarios()
    assert {"prometheus", "hyperion", "colossus", "meta-24k", "stargate-abilene"} <= set(scns)
    for s in scns.values():
        assert s.training_model().layers > 0 and s.serving_model().layers > 0
        assert s.scheduling_policy in ("fifo", "backfill", "fair", "priority", "las")
    hyp = scns["hyperion"]
    assert [p.facility_mw for p in hyp.phases] == [2000, 5000]
    small, big = (build_cluster(hyp.design_spec(p)) for p in ("phase-1", "full"))
    assert big.design.counts.accelerators > 2 * small.design.counts.accelerators
    col = scns["colossus"].design_spec("phase-2")
    assert (col.accelerator, col.accelerators) == ("h200", 200_000)
    assert scns["prometheus"].design_spec(it_mw=None, accelerators=720).accelerators == 720
