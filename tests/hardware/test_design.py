"""Cluster design: the must-show figures (15%), breakdown sums, properties, fabric counts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog.scenarios import get_scenario
from gigacluster.errors import GigaclusterError
from gigacluster.hardware.design import ClusterDesign, design_cluster
from gigacluster.hardware.fabric import tiers_for
from gigacluster.hardware.parts import switch
from gigacluster.hardware.spec import DesignSpec

TOL = 0.15


def design(**kw: object) -> ClusterDesign:
    return design_cluster(DesignSpec(**kw))  # type: ignore[arg-type]


@pytest.mark.parametrize("acc", ["gb200", "gb300"])
def test_1020_mw_it_holds_about_500k_gb200_gb300(acc: str) -> None:
    d = design(it_mw=1020, accelerator=acc)
    assert d.counts.accelerators == pytest.approx(500_000, rel=TOL)
    assert d.power.it_mw <= 1020


def test_prometheus_scenario_holds_about_500k() -> None:
    d = design_cluster(get_scenario("prometheus").design_spec())
    assert d.counts.accelerators == pytest.approx(500_000, rel=TOL)


def test_100k_h100_draw_about_150_mw_facility() -> None:
    d = design(accelerators=100_000, accelerator="h100-sxm")
    assert d.counts.accelerators == 100_000
    assert d.power.facility_mw == pytest.approx(150, rel=TOL)
    d = design_cluster(get_scenario("colossus").design_spec())
    assert d.power.facility_mw == pytest.approx(150, rel=TOL)


def test_meta_24k_is_three_tiers_and_eight_pods() -> None:
    d = design_cluster(get_scenario("meta-24k").design_spec())
    assert d.counts.accelerators == 24_576
    assert d.fabric.tier_count == 3 and d.counts.pods == 8 and d.fabric.pod_gpus == 3072
    assert d.fabric.oversubscription == 7
    assert d.counts.racks == 1536  # 16 GPUs per rack (Meta)
    assert d.system_fields() == {"scaleup_domain": 8, "scaleup_gbytes_per_s": 450.0, "scaleout_gbits_per_s": 400.0,
                                 "pod_gpus": 3072.0, "oversubscription": 7.0}


def test_stargate_abilene_holds_about_400k_gb200() -> None:
    d = design_cluster(get_scenario("stargate-abilene").design_spec())
    assert d.build.accelerator == "gb200"
    assert d.power.facility_mw <= 1200
    assert d.counts.accelerators == pytest.approx(400_000, rel=TOL)


@pytest.mark.parametrize("kw", [dict(accelerators=100_000, accelerator="h100-sxm"),
                                dict(it_mw=1020, accelerator="gb300"),
                                dict(facility_mw=1200, accelerator="gb200", power_reserve_fraction=0.33),
                                dict(accelerators=5000, accelerator="tpu-v5p")])
def test_power_breakdown_sums(kw: dict[str, object]) -> None:
    p = design(**kw).power
    assert sum(p.it_parts_mw().values()) == pytest.approx(p.it_mw, rel=1e-12)
    assert p.it_mw + p.cooling_mw + p.reserve_mw == pytest.approx(p.facility_mw, rel=1e-12)
    assert min(p.it_parts_mw().values()) >= 0


def test_fabric_totals_are_sums_of_tiers() -> None:
    d = design(accelerators=200_000, accelerator="gb200", oversubscription=4.5)
    f = d.fabric
    assert d.counts.accelerators == 200_016  # whole NVL72 racks
    assert f.switches == sum(t.switches for t in f.tiers)
    assert f.links == d.counts.accelerators + sum(t.up_links for t in f.tiers)
    assert f.transceivers == 2 * f.optical_links


def test_fat_tree_switch_counts_match_textbook() -> None:
    # one 2-tier plane of k²/2 endpoints uses 3N/k switches; 3 tiers use 5N/k (research §2.2)
    k = switch("quantum-2").radix(400)
    assert k == 64
    two = design(accelerators=8 * 2048, accelerator="h100-sxm", network="infiniband").fabric
    assert two.tier_count == 2 and two.switches == 8 * 3 * 2048 // k
    three = design(accelerators=8 * 2048 * 4, accelerator="h100-sxm", network="infiniband").fabric
    assert three.tier_count == 3 and three.switches == 8 * 5 * (2048 * 4) // k
    assert [tiers_for(n, 64) for n in (64, 65, 2048, 2049, 65536)] == [1, 2, 2, 3, 3]


def test_oversubscription_saves_switches_and_optics() -> None:
    full = design(accelerators=131_072, accelerator="h100-sxm").fabric
    over = design(accelerators=131_072, accelerator="h100-sxm", oversubscription=7).fabric
    assert over.switches < full.switches and over.transceivers < full.transceivers
    assert over.bisection_tbps == pytest.approx(full.bisection_tbps / 7)


def test_nvl72_counts() -> None:
    d = design(accelerators=720, accelerator="gb200")
    assert (d.counts.racks, d.counts.nodes, d.counts.scaleup_domains) == (10, 180, 10)
    assert d.power.kw_per_rack == pytest.approx(120, rel=0.01)
    assert design(accelerators=700, accelerator="gb200").counts.accelerators == 720  # whole racks


def test_missing_price_and_power_are_assumed_and_said() -> None:
    d = design(accelerators=1024, accelerator="tpu-v5p")
    assert any("no TDP" in a for a in d.assumptions) and d.power.accelerators_mw > 0
    assert any("gb300" in a for a in design(accelerators=72, accelerator="gb300").assumptions)


@pytest.mark.parametrize(("kw", "field"), [
    (dict(pue=0.9, accelerators=8), "pue"),
    (dict(facility_mw=10, it_mw=5), "sizing"),
    (dict(), "sizing"),
    (dict(accelerator="h100", accelerators=8), "accelerator"),
    (dict(facility_mw=0.001, accelerator="gb200"), "facility-mw"),
    (dict(accelerators=8, accelerator="h100-sxm", form_factor="nvl72"), "form-factor"),
    (dict(accelerators=8, oversubscription=0.5), "oversubscription"),
])
def test_bad_specs_name_the_field(kw: dict[str, object], field: str) -> None:
    with pytest.raises(GigaclusterError) as exc:
        design(**kw)
    assert exc.value.field == field


@settings(max_examples=25, deadline=None)
@given(mw=st.floats(1.0, 3000.0), extra=st.floats(0.0, 500.0), acc=st.sampled_from(["h100-sxm", "gb200", "gb300"]))
def test_more_power_never_fewer_accelerators(mw: float, extra: float, acc: str) -> None:
    assert design(facility_mw=mw + extra, accelerator=acc).counts.accelerators >= \
        design(facility_mw=mw, accelerator=acc).counts.accelerators


@settings(max_examples=25, deadline=None)
@given(mw=st.floats(5.0, 2000.0), pue=st.floats(1.0, 1.6), dpue=st.floats(0.05, 0.5))
def test_higher_pue_fewer_accelerators(mw: float, pue: float, dpue: float) -> None:
    lo = design(facility_mw=mw, accelerator="gb200", pue=pue).counts.accelerators
    hi = design(facility_mw=mw, accelerator="gb200", pue=pue + dpue).counts.accelerators
    assert hi <= lo


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60_000), more=st.integers(1, 60_000), over=st.sampled_from([1.0, 4.5, 7.0]))
def test_switch_counts_grow_with_gpus(n: int, more: int, over: float) -> None:
    a = design(accelerators=8 * n, accelerator="h100-sxm", oversubscription=over).fabric
    b = design(accelerators=8 * (n + more), accelerator="h100-sxm", oversubscription=over).fabric
    assert b.switches >= a.switches and b.transceivers >= a.transceivers
    assert math.isclose(a.nic_gbps_per_gpu, 400)
