from __future__ import annotations

import numpy as np
import pytest

from gigacluster.scheduling import PHILLY_FIT, SyntheticSpec, Workload, fit_trace, generate, load_trace
from gigacluster.scheduling.synthetic import _arrivals, offered_load


def test_philly_trace_loads_whole(philly: Workload) -> None:
    assert len(philly) == 82_247
    assert len(philly.team_names) == 15 and philly.researchers == 500
    assert philly.gpus.max() == 128 and np.all(np.diff(philly.arrival_h) >= 0)
    assert philly.gpu_h == pytest.approx(978_078, rel=1e-4)  # the trace README's total


def test_alibaba_trace_loads_gpu_pods() -> None:
    w = load_trace("alibaba", researchers=100)
    assert 5_000 < len(w) < 8_152 and w.gpus.min() >= 1 and w.gpus.max() == 8
    assert set(w.team_names) <= {"LS", "BE", "Burstable", "Guaranteed"}
    assert w.arrival_h[-1] < 35 * 24  # the days 115-149 snapshot


def test_packaged_fit_is_the_fit_of_the_shipped_trace(philly: Workload) -> None:
    fit = fit_trace(philly)
    for size, p in PHILLY_FIT.size_probs.items():
        assert fit.size_probs[size] == pytest.approx(p, abs=2e-5)
    assert fit.median_h == pytest.approx(PHILLY_FIT.median_h, rel=1e-3)
    assert fit.sigma == pytest.approx(PHILLY_FIT.sigma, rel=1e-3)
    assert fit.daily_amplitude == pytest.approx(PHILLY_FIT.daily_amplitude, abs=1e-3)


def test_synthetic_is_heavy_tailed_scaled_and_seeded() -> None:
    spec = SyntheticSpec(jobs=20_000, researchers=200, cluster_gpus=4096, seed=3, frontier_share=0.3)
    w = generate(spec)
    assert w.offered is not None
    scale = w.offered.size_scale
    work = w.gpus * w.duration_h
    assert scale & (scale - 1) == 0 and np.all(w.gpus % scale == 0)
    assert np.mean(w.gpus == scale) > 0.9, "most jobs are one trace GPU (x the size scale)"
    assert work[w.gpus >= 8 * scale].sum() / work.sum() > 0.6, "most GPU-time is in large jobs"
    assert (w.gpus >= 1024).sum() >= 1, "a few frontier-scale jobs"
    assert work.max() / work.sum() <= 0.25, "no one job holds the cluster"
    assert w.gpus.max() <= 4096 and w.researchers == 200 and len(w.team_names) == 20
    again = generate(spec)
    assert np.array_equal(w.arrival_h, again.arrival_h) and np.array_equal(w.gpus, again.gpus)


def test_synthetic_load_sets_the_arrival_span() -> None:
    lo = generate(SyntheticSpec(jobs=5_000, cluster_gpus=1024, load=0.5, size_scale=1, horizon_h=24))
    hi = generate(SyntheticSpec(jobs=5_000, cluster_gpus=1024, load=1.0, size_scale=1, horizon_h=24))
    assert lo.arrival_h[-1] > 1.5 * hi.arrival_h[-1]


@pytest.mark.parametrize(("gpus", "jobs"), [(512, 20_000), (24_576, 20_000), (374_400, 20_000)])
def test_synthetic_is_steady_state_at_the_target_load(gpus: int, jobs: int) -> None:
    """Arrivals spread over about the horizon (not all at t=0), and the offered load is the target."""
    w = generate(SyntheticSpec(jobs=jobs, cluster_gpus=gpus, load=0.9))
    assert w.offered is not None and w.offered.shortfall == ""
    assert w.offered.offered_load == pytest.approx(0.9, rel=0.02)
    assert w.offered.horizon_h / 2 <= w.offered.arrival_span_h < w.offered.horizon_h * 2
    assert w.arrival_h[-1] > 0.9 * w.offered.arrival_span_h
    assert offered_load(w.gpus, w.duration_h, w.offered.arrival_span_h, gpus) == pytest.approx(0.9, rel=0.02)


def test_synthetic_states_a_shortfall_it_cannot_reach() -> None:
    w = generate(SyntheticSpec(jobs=50, cluster_gpus=65_536, load=0.9, max_duration_h=2.0))
    assert w.offered is not None and w.offered.offered_load < 0.5 and "cannot offer" in w.offered.shortfall


def test_arrivals_follow_the_fitted_daily_cycle() -> None:
    t = _arrivals(50_000, 24 * 20, PHILLY_FIT.daily_amplitude, PHILLY_FIT.peak_hour, np.random.default_rng(0))
    hours = np.bincount(np.floor(np.mod(t, 24)).astype(int), minlength=24)
    assert int(np.argmax(hours)) in {4, 5, 6} and hours.max() / hours.min() > 1.5
    fitted = fit_trace(generate(SyntheticSpec(jobs=30_000, cluster_gpus=128, frontier_share=0.0)))
    assert fitted.daily_amplitude == pytest.approx(PHILLY_FIT.daily_amplitude, abs=0.05)
