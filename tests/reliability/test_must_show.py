"""The four must-show figures of issue 5, with the tolerances the issue states."""

from __future__ import annotations

import pytest

from gigacluster.reliability import ReliabilitySpec, goodput


def test_llama3_interruptions_in_54_days() -> None:
    """Llama 3 (arXiv 2407.21783 Table 5): 419 unexpected interruptions on 16,384 H100 in 54 days, ±15%.

    The llama3 profile's rates are derived from that table (see data/profiles.yaml), so this is a
    consistency check of rates -> counts, and the Monte Carlo count must agree with it too.
    """
    r = goodput(ReliabilitySpec(gpus=16384, days=54, profile="llama3", accelerator="h100-sxm",
                                replications=200))
    assert r.interruptions_expected == pytest.approx(419, rel=0.15)
    assert sum(v for k, v in r.interruptions_by_cause.items() if k != "planned_maintenance") \
        == pytest.approx(r.interruptions_expected, rel=1e-9)
    assert r.planned_interruptions_expected == pytest.approx(47, rel=0.05)
    assert r.interruptions_by_cause["gpu"] > r.interruptions_by_cause["hbm"] > r.interruptions_by_cause["nic"]


@pytest.mark.parametrize(("gpus", "hours"), [(16384, 1.8), (131072, 0.23)])
def test_rsc1_job_mttf(gpus: int, hours: float) -> None:
    """Kokolis et al. 2025 project a job MTTF of 1.8 h at 16k and 0.23 h at 131k GPUs (±20%).

    Their projection is hardware-only; ours adds the per-job software process (1.55 h, -14%).
    """
    r = goodput(ReliabilitySpec(gpus=gpus, days=7, profile="rsc1", replications=20))
    assert r.mttf_hours == pytest.approx(hours, rel=0.20)
    assert r.hardware_mttf_hours == pytest.approx(hours, rel=0.03)  # the paper rounds


def test_rsc1_small_jobs_fail_more_than_node_rate_predicts() -> None:
    """RSC-1 measured 7.9 h at 1,024 GPUs (hardware alone: 28.8 h) and 47.7 d at 8 GPUs (±20%).

    These two figures fix the per-job process constants, so this checks the fit, not a prediction.
    """
    mid = goodput(ReliabilitySpec(gpus=1024, days=7, profile="rsc1", replications=10))
    small = goodput(ReliabilitySpec(gpus=8, days=7, profile="rsc1", replications=10))
    assert mid.mttf_hours == pytest.approx(7.9, rel=0.20)
    assert mid.hardware_mttf_hours > 3 * mid.mttf_hours
    assert small.mttf_hours / 24 == pytest.approx(47.7, rel=0.20)


def test_ft_hsdp_100k_whole_job_vs_replica() -> None:
    """Meta FT-HSDP (arXiv 2602.00277): ~100k GPUs, whole-job restarts with a 10-min stall give an
    effective training time of 44%; replica restarts with a 3-min stall 80% (±10 points).

    The 10-min stall is the recovery (detect + restart + restore); rework and checkpoint writes come
    on top, from the default 30 s synchronous write at the Daly interval.
    """
    whole = goodput(ReliabilitySpec(gpus=100_000, days=30, profile="rsc1", detection_s=60, restart_s=480,
                                    restore_s=60, replications=200))
    replica = goodput(ReliabilitySpec(gpus=100_000, days=30, profile="rsc1", blast_radius="replica",
                                      replica_stall_s=180, replications=200))
    assert whole.recovery_s == pytest.approx(600)
    assert whole.ettr_mean == pytest.approx(0.44, abs=0.10)
    assert replica.ettr_mean == pytest.approx(0.80, abs=0.10)
    assert replica.ettr_mean - whole.ettr_mean > 0.25


@pytest.mark.parametrize(("profile", "gpus", "recovery"), [
    ("rsc1", 16384, (30, 60, 30)),
    ("rsc2", 16384, (120, 300, 60)),
    ("llama3", 16384, (120, 300, 60)),
    ("rsc1", 4096, (120, 300, 60)),
])
def test_monte_carlo_matches_closed_form_where_valid(profile: str, gpus: int,
                                                      recovery: tuple[float, float, float]) -> None:
    """Monte Carlo and Meta's ETTR approximation agree within 2 points where λ·(u0 + Δt/2) ≤ 0.1."""
    d, s, r = recovery
    res = goodput(ReliabilitySpec(gpus=gpus, days=54, profile=profile, detection_s=d, restart_s=s,
                                  restore_s=r, replications=300))
    assert res.closed_form_valid
    assert res.ettr_mean == pytest.approx(res.ettr_closed_form, abs=0.02)


def test_closed_form_breaks_down_where_monte_carlo_is_needed() -> None:
    """At 131k GPUs the linear form is far off (research notes §1.12: 0.28 vs 0.49 at 100k)."""
    res = goodput(ReliabilitySpec(gpus=131072, days=7, profile="rsc1", replications=50))
    assert not res.closed_form_valid
    assert res.ettr_mean - res.ettr_closed_form > 0.05


RESEARCH_SWEEP = [  # reliability_data.csv rows 124-135: independent numba renewal study, best τ, RSC-1 rate
    (16384, 600, 30, 0.83), (16384, 180, 10, 0.92), (16384, 60, 5, 0.95), (16384, 30, 1, 0.98),
    (100000, 600, 30, 0.49), (100000, 180, 10, 0.74), (100000, 60, 5, 0.86), (100000, 30, 1, 0.93),
    (1000000, 600, 30, 0.06), (1000000, 180, 10, 0.23), (1000000, 60, 5, 0.46), (1000000, 30, 1, 0.68),
]


@pytest.mark.parametrize(("gpus", "restart_s", "write_s", "ettr"), RESEARCH_SWEEP)
def test_agrees_with_the_research_renewal_sweep(gpus: int, restart_s: float, write_s: float,
                                                ettr: float) -> None:
    """Hardware-only RSC-1 rate. Within 2 points while λ·R ≤ 0.2; beyond that ours is lower, because
    here a failure during a restart starts it again and the study ignored such failures."""
    r = goodput(ReliabilitySpec(gpus=gpus, days=30, profile="rsc1", job_failures_per_day=0, detection_s=0,
                                restart_s=restart_s, restore_s=0, checkpoint_write_s=write_s,
                                replications=50))
    if restart_s / (r.mttf_hours * 3600) <= 0.2:
        assert r.ettr_mean == pytest.approx(ettr, abs=0.02)
    else:
        assert ettr - 0.15 < r.ettr_mean < ettr + 0.005
