"""Recovery modes: a registry with sources; each job size gets the one that finishes first, and at
10^6 GPUs fault-tolerant recovery keeps the job making progress where whole-job restarts do not."""

from __future__ import annotations

import pytest

from gigacluster.errors import GigaclusterError
from gigacluster.reliability import ReliabilitySpec
from gigacluster.reliability.profiles import DEFAULT_PROFILE
from gigacluster.reliability.recovery import best_recovery, evaluate, get_mode, hot_spare_nodes, recovery_modes


def _spec(gpus: int) -> ReliabilitySpec:
    return ReliabilitySpec(gpus=gpus, days=1.0, step_s=10.0, checkpoint_bytes=2e12 * 14, replications=50)


def test_modes_are_named_with_sources() -> None:
    modes = recovery_modes()
    assert set(modes) == {"restart", "in_memory", "replica", "elastic"}
    for m in modes.values():
        assert len(m.source) > 60 and 0 < m.throughput_factor <= 1
    with pytest.raises(GigaclusterError, match="recovery"):
        get_mode("magic")


def test_default_profile_is_one_for_every_command() -> None:
    assert ReliabilitySpec(gpus=8, days=1).profile == DEFAULT_PROFILE == "llama3"


def test_fault_tolerance_matters_more_with_scale() -> None:
    small, big = _spec(16_384), _spec(524_288)
    gain_small = evaluate(small, get_mode("replica"), 30, 256).ettr - evaluate(small, get_mode("restart"), 30, 256).ettr  # type: ignore[union-attr]
    restart_big = evaluate(big, get_mode("restart"), 30, 256)
    replica_big = evaluate(big, get_mode("replica"), 30, 256)
    assert replica_big is not None
    assert restart_big is None or replica_big.ettr - restart_big.ettr > 3 * gain_small


def test_million_gpu_job_keeps_making_progress() -> None:
    best, outcomes = best_recovery(_spec(1_048_576), 20.0, 1024)
    assert best.ettr >= 0.5 and best.mode in {"replica", "elastic"}
    assert best.wall_days == min(o.wall_days for o in outcomes) or best.mode == min(
        outcomes, key=lambda o: o.wall_days).mode
    assert all(o.mode != "restart" or o.ettr < 0.3 for o in outcomes)
    assert best.spare_gpus == (hot_spare_nodes(_spec(1_048_576)) * 8 if best.mode == "elastic" else 0)


def test_replica_modes_need_two_replicas_and_named_mode_is_honoured() -> None:
    assert evaluate(_spec(1024), get_mode("replica"), 10, 1024) is None
    best, outcomes = best_recovery(_spec(1024), 10, 1024, modes=("restart",))
    assert best.mode == "restart" and len(outcomes) == 1
