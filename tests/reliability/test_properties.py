"""Invariants (hypothesis) and the closed forms against hand-computed values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog import get_model
from gigacluster.errors import GigaclusterError
from gigacluster.reliability import ReliabilitySpec, checkpoint_bytes, goodput, time_to_train
from gigacluster.reliability import closed_form as cf

PROFILES = st.sampled_from(["rsc1", "rsc2", "llama3"])


@settings(max_examples=25, deadline=None)
@given(gpus=st.integers(8, 400_000), days=st.floats(1, 120), profile=PROFILES,
       radius=st.sampled_from(["job", "replica"]), mode=st.sampled_from(["sync", "async"]))
def test_ettr_in_unit_interval_and_lost_time_adds_up(gpus: int, days: float, profile: str, radius: str,
                                                      mode: str) -> None:
    r = goodput(ReliabilitySpec(gpus=gpus, days=days, profile=profile, blast_radius=radius,  # type: ignore[arg-type]
                                checkpoint_mode=mode, replications=20))  # type: ignore[arg-type]
    assert 0 < r.ettr_p5 <= r.ettr_p50 <= r.ettr_p95 <= 1
    assert 0 < r.ettr_mean <= 1
    assert r.ettr_mean + r.lost_fraction.total == pytest.approx(1.0, abs=1e-9)
    assert r.lost_gpu_hours.total == pytest.approx(r.lost_fraction.total * gpus * days * 24, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(gpus=st.integers(64, 200_000), profile=PROFILES, radius=st.sampled_from(["job", "replica"]))
def test_more_gpus_fail_more_often_and_lose_more(gpus: int, profile: str, radius: str) -> None:
    small, big = (goodput(ReliabilitySpec(gpus=n, days=20, profile=profile, blast_radius=radius,  # type: ignore[arg-type]
                                          replications=100)) for n in (gpus, 4 * gpus))
    assert big.mttf_hours < small.mttf_hours
    assert big.ettr_closed_form < small.ettr_closed_form or small.ettr_closed_form == 0.0  # clipped at 0
    assert big.ettr_closed_form >= 0.0
    assert big.ettr_mean < small.ettr_mean


@settings(max_examples=50, deadline=None)
@given(write=st.floats(0.1, 600), mttf=st.floats(60, 1e6))
def test_daly_close_to_young_when_writes_are_short(write: float, mttf: float) -> None:
    young, daly = cf.young_interval_s(write, mttf), cf.daly_interval_s(write, mttf)
    if write < 0.02 * mttf:
        assert daly == pytest.approx(young, rel=0.12)
    assert daly > 0


def test_closed_forms_by_hand() -> None:
    assert cf.young_interval_s(30, 6480) == pytest.approx(math.sqrt(2 * 30 * 6480))
    x = 30 / (2 * 6480)
    assert cf.daly_interval_s(30, 6480) == pytest.approx(
        math.sqrt(2 * 30 * 6480) * (1 + math.sqrt(x) / 3 + x / 9) - 30)
    assert cf.daly_interval_s(100, 40) == 40  # δ ≥ 2M: checkpoint every MTTF
    # Meta ETTR: λ = 1/6480 s, u0 = 600, Δt = 600, w = 30 -> (1 - 900/6480) / 1.05
    assert cf.meta_ettr(1 / 6480, 600, 600, 30) == pytest.approx((1 - 900 / 6480) / 1.05)
    assert cf.poisson_tail(3.0, 0) == 1.0
    assert cf.poisson_tail(3.0, 1) == pytest.approx(1 - math.exp(-3))


def test_async_checkpoint_beats_sync_and_checkpoint_size_sets_write_time() -> None:
    size = checkpoint_bytes(get_model("llama3-405b"))
    assert size == pytest.approx(405e9 * 14, rel=0.03)
    base = {"gpus": 16384, "days": 30, "checkpoint_bytes": size, "storage_write_gb_per_s": 100.0,
            "replications": 100}
    sync = goodput(ReliabilitySpec(**base))
    asyn = goodput(ReliabilitySpec(**base, checkpoint_mode="async"))
    assert sync.checkpoint_write_s == pytest.approx(size / 100e9)
    assert asyn.checkpoint_block_s == 5.0 and asyn.ettr_mean > sync.ettr_mean


def test_replica_blast_radius_beats_whole_job_restarts() -> None:
    job = goodput(ReliabilitySpec(gpus=200_000, days=10, replications=50))
    rep = goodput(ReliabilitySpec(gpus=200_000, days=10, blast_radius="replica", replications=50))
    assert rep.ettr_mean > job.ettr_mean + 0.2
    assert rep.lost_gpu_hours.replica_stall > 0 and job.lost_gpu_hours.replica_stall == 0


def test_lemons_and_missing_spares_cost_goodput() -> None:
    base = ReliabilitySpec(gpus=16384, days=30, replications=200)
    plain = goodput(base)
    lemons = goodput(base.model_copy(update={"lemon_fraction": 0.02, "lemon_removal_after_failures": None}))
    removed = goodput(base.model_copy(update={"lemon_fraction": 0.02, "lemon_removal_after_failures": 1}))
    no_spares = goodput(base.model_copy(update={"spare_nodes": 0, "repair_hours": 4}))
    many_spares = goodput(base.model_copy(update={"spare_nodes": 64, "repair_hours": 4}))
    assert lemons.ettr_p95 - lemons.ettr_p5 > plain.ettr_p95 - plain.ettr_p5  # lemons spread the outcome
    assert removed.ettr_mean > lemons.ettr_mean - 0.005  # removing lemons never hurts (noise margin)
    assert no_spares.lost_gpu_hours.spare_wait > 0 and no_spares.ettr_mean < plain.ettr_mean - 0.1
    assert many_spares.ettr_mean == pytest.approx(plain.ettr_mean, abs=0.002)


def test_time_to_train_is_compute_over_ettr() -> None:
    spec = ReliabilitySpec(gpus=16384, days=1, profile="llama3", replications=200)
    t = time_to_train(spec, failure_free_days=50)
    assert t.wall_days == pytest.approx(50 / t.ettr)
    assert t.lost_days.total == pytest.approx(t.wall_days - 50, rel=1e-6)
    assert t.interruptions_expected == pytest.approx(419 / 54 * t.wall_days, rel=1e-3)  # rates rounded
    with pytest.raises(GigaclusterError):
        time_to_train(spec, 0)


def test_deterministic_for_a_seed() -> None:
    spec = ReliabilitySpec(gpus=65536, days=10, replications=50, seed=3, lemon_fraction=0.01)
    assert goodput(spec) == goodput(spec)
    assert goodput(spec).ettr_mean != goodput(spec.model_copy(update={"seed": 4})).ettr_mean


def test_step_time_rounds_the_auto_interval_to_whole_steps() -> None:
    r = goodput(ReliabilitySpec(gpus=16384, days=5, step_s=7.0, replications=10))
    steps = r.checkpoint_interval_min * 60 / 7.0
    assert steps == pytest.approx(round(steps)) and r.checkpoint_interval_min >= r.optimal_checkpoint_interval_min
