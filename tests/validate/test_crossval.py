"""Priors, the family-weighted fit and leave-one-family-out cross-validation (small, fast runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gigacluster.training.calibration import load_calibration
from gigacluster.validate.cases import load_cases
from gigacluster.validate.crossval import constraint_label, cross_validate, in_sample
from gigacluster.validate.fit import CachedRow, family_mean
from gigacluster.validate.priors import Prior, get_path, prior_set

DATA = Path(__file__).parents[2] / "data" / "validation"


def test_every_prior_has_a_source_and_matches_a_calibration_constant() -> None:
    raw = load_calibration().model_dump()
    priors = prior_set(raw).priors
    assert len(priors) > 20
    for path, prior in priors.items():
        assert prior.source.strip(), path
        get_path(raw, path)  # raises KeyError when the path is not in calibration.yaml
        assert prior.low <= prior.center <= prior.high
    gens = load_calibration().gemm.efficiency_max
    assert all(f"gemm.efficiency_max.{g}" in priors for g in gens)


@given(st.floats(0.02, 0.98), st.sampled_from(["log", "logit"]))
def test_transforms_round_trip(value: float, transform: str) -> None:
    p = Prior(center=0.5, sigma=1.0, transform=transform, low=0.0, high=1.0, source="test")  # type: ignore[arg-type]
    assert p.from_t(p.to_t(value)) == pytest.approx(value, rel=1e-9)
    assert p.z(p.center) == pytest.approx(0.0)


def test_families_weigh_the_same() -> None:
    cases = load_cases(DATA / "training.csv")
    rows = [CachedRow(c, str(c.get("family")), None, None, None) for c in cases[:12]]  # 10 T1 + 2 T2
    errors = [0.0] * 10 + [1.0, 1.0]
    assert family_mean(rows, errors) == pytest.approx(0.5)


def test_leave_one_family_out_predicts_each_family_from_the_others() -> None:
    cases = [c for c in load_cases(DATA / "training.csv") if c.get("family") in ("MCORE08-W", "LLAMA1-TPUT")]
    report, fitted = cross_validate(cases, load_calibration().model_dump(), passes=1)
    assert set(report.families) == {"MCORE08-W", "LLAMA1-TPUT"}
    assert all(f.predicted == f.rows for f in report.families.values())
    assert report.median_ape is not None and report.in_sample_median_ape is not None
    assert report.constants and all(c.gap is None or "limit" in c.gap or "sigma" in c.gap for c in report.constants)
    assert report.seconds > 0 and get_path(fitted, "gemm.efficiency_max.hopper") > 0


@pytest.mark.parametrize(("rise", "label"), [((0.01, 0.02), "both sides"), ((0.0, 0.005), "one side"),
                                             ((0.0009, -0.001), "no: prior only")])
def test_a_side_is_constrained_when_the_data_cost_of_a_sigma_beats_the_prior(rise: tuple[float, float],
                                                                            label: str) -> None:
    assert constraint_label(rise, 0.001) == label


def test_the_report_says_which_constants_the_cases_pin() -> None:
    cases = [c for c in load_cases(DATA / "training.csv") if c.get("family") == "MCORE08-W"]
    report, _ = in_sample(cases, load_calibration().model_dump(), passes=1)
    by_path = {c.path: c for c in report.constants}
    assert all(c.data_rise is not None for c in report.constants)
    # nine H100 GPT runs at 41-49% MFU pin the Hopper GEMM rate; none of them is host-bound
    assert by_path["gemm.efficiency_max.hopper"].constrained == "both sides"
    assert by_path["kernels.host_op_s"].constrained == "no: prior only"
