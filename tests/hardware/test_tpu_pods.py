"""TPUs are designed as TPU pods (from catalog data): 4-chip hosts, 64-chip cubes per rack, ICI pods
joined by optical circuit switches, one data-centre-network NIC per host."""

from __future__ import annotations

import math

import pytest

from gigacluster.economics import build_cluster
from gigacluster.economics.summary import summary
from gigacluster.errors import GigaclusterError
from gigacluster.hardware import parts
from gigacluster.hardware.design import design_cluster
from gigacluster.hardware.spec import DesignSpec


def test_tpu_v5p_is_a_pod_not_hgx_servers() -> None:
    d = design_cluster(DesignSpec(accelerator="tpu-v5p", accelerators=100_000))
    b, c = d.build, d.counts
    assert b.form_factor == "tpu_pod" and b.gpus_per_node == 4 and c.gpus_per_rack == 64
    assert c.racks == math.ceil(100_000 / 64) and c.pods == math.ceil(100_000 / 8960) and c.pod_gpus == 8960
    assert c.scaleup_domain == 6144  # the largest ICI slice (Cloud TPU v5p docs)
    assert d.fabric.tiers[0].down_links == 100_000 // 4  # one DCN NIC per host
    sys = d.system_fields()
    assert sys["scaleout_gbits_per_s"] == pytest.approx(50.0) and sys["scaleup_domain"] == 6144


def test_ocs_are_priced_and_powered_with_the_switches() -> None:
    c = build_cluster(DesignSpec(accelerator="tpu-v5p", accelerators=100_000))
    ocs = c.design.counts.pods * 105 * parts.ocs().price_usd
    assert c.capex.switches_usd == pytest.approx(c.design.fabric.switches * parts.switch(
        c.design.fabric.switch).price_usd + ocs)
    assert ocs / c.capex.total_usd < 0.05  # TPU v4: OCS < 5% of system cost


def test_tpu_pod_needs_pod_data() -> None:
    with pytest.raises(GigaclusterError, match="tpu_pod"):
        design_cluster(DesignSpec(accelerator="h100-sxm", accelerators=1024, form_factor="tpu_pod"))


def test_design_summary_counts_pod_accelerators_not_hosts() -> None:
    s = summary(build_cluster(DesignSpec(accelerator="tpu-v5p", accelerators=8960)))
    assert s.fabric.pod_gpus == 8960  # 2,240 four-chip hosts on the DCN, reported in accelerators
