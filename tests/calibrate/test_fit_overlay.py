from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.calibrate import CalibrationOverlay, load_overlay, save_overlay
from gigacluster.calibrate.build import build_overlay
from gigacluster.calibrate.compare import compare, median_ape
from gigacluster.calibrate.device import DeviceInfo
from gigacluster.calibrate.fit import fit_all, nonneg_relative_lstsq
from gigacluster.calibrate.records import AttentionPoint, CollectivePoint, GemmPoint, Measurements
from gigacluster.errors import GigaclusterError
from gigacluster.training.calibration import load_calibration
from tests.calibrate.conftest import h100, synthetic, timing


@settings(max_examples=25, deadline=None)
@given(eff=st.floats(0.2, 0.95), overhead=st.floats(0.0, 1e-4), hbm=st.floats(0.5, 0.95))
def test_fit_recovers_the_constants_that_generated_the_timings(eff: float, overhead: float, hbm: float) -> None:
    dev = h100()
    fit = fit_all(synthetic(dev, eff, overhead, hbm), dev)
    g = fit.gemm["bf16"]
    assert g.efficiency == pytest.approx(eff, rel=1e-6)
    assert g.overhead_s == pytest.approx(overhead, rel=1e-5, abs=1e-12)
    assert g.training.max_ape < 1e-6 and g.training.holdout_points == 2
    assert fit.bandwidth is not None and fit.bandwidth.efficiency == pytest.approx(hbm, rel=1e-9)


def test_nonneg_lstsq_drops_a_negative_coefficient() -> None:
    import numpy as np

    x = np.column_stack([np.array([1.0, 2.0, 4.0]), np.ones(3)])
    coef = nonneg_relative_lstsq(x, np.array([0.9, 2.0, 4.2]))  # intercept would be negative
    assert coef[1] == 0.0 and coef[0] > 0


def test_overlay_round_trips_through_yaml(tmp_path: Path, dev: DeviceInfo) -> None:
    meas = synthetic(dev, 0.7, 1e-5, 0.9)
    overlay = build_overlay(dev, "quick", meas, fit_all(meas, dev), command="test")
    path = save_overlay(overlay, tmp_path / "calib.yaml")
    back = load_overlay(path)
    assert back == overlay
    assert back.training["gemm.efficiency_max.hopper"].value == pytest.approx(0.7, rel=1e-5)
    assert back.training["gemm.efficiency_max.hopper"].shipped == load_calibration().gemm_efficiency("hopper")
    assert back.inference["families.hopper.hbm_eff"].value == pytest.approx(0.9, rel=1e-5)
    assert back.provenance is not None and back.provenance.device.accelerator == "h100-sxm"
    assert back.training_calibration().gemm_efficiency("hopper") == pytest.approx(0.7, rel=1e-5)
    assert back.training_calibration().gemm_efficiency("ampere") == load_calibration().gemm_efficiency("ampere")


def test_compare_overlay_predicts_what_was_measured(dev: DeviceInfo) -> None:
    meas = synthetic(dev, 0.55, 2e-5, 0.8)
    rows = compare(build_overlay(dev, "quick", meas, fit_all(meas, dev)))
    assert len(rows) == meas.count
    assert median_ape(rows, "training_overlay_s", held_out=True) == pytest.approx(0.0, abs=1e-5)
    shipped = median_ape(rows, "training_shipped_s")
    assert shipped is not None and shipped > 0.05


def test_hand_written_overlay_with_bare_numbers(tmp_path: Path) -> None:
    p = tmp_path / "o.yaml"
    p.write_text("training:\n  gemm.efficiency_max.hopper: 0.5\n  step_overhead_s: 0.05\n"
                 "inference:\n  families.hopper.gemm_eff: 0.4\n")
    o = load_overlay(p)
    cal = o.training_calibration()
    assert cal.gemm_efficiency("hopper") == 0.5 and cal.step_overhead_s == 0.05
    assert o.serving_calibration().family("hopper").gemm_eff == 0.4
    with pytest.raises(GigaclusterError, match="needs an overlay written by gigacluster calibrate"):
        compare(o)


@pytest.mark.parametrize(("text", "needle"), [
    ("training:\n  gemm.efficency_max.hopper: 0.5\n",
     "training.gemm.efficency_max.hopper: not a key of the shipped calibration; did you mean "
     "'gemm.efficiency_max.hopper'?"),
    ("inference:\n  families.hoper.gemm_eff: 0.5\n", "inference.families.hoper.gemm_eff: not a key"),
    ("training:\n  gemm: 0.5\n", "training.gemm: not a key"),
    ("training:\n  gemm.overhead_s: fast\n", "calibration.training.gemm.overhead_s"),
    ("trainig:\n  gemm.overhead_s: 1\n", "calibration.trainig"),
    ("- 1\n- 2\n", "must be a mapping"),
    ("training: [\n", "not valid YAML"),
])
def test_bad_or_foreign_overlay_is_one_error_naming_the_key(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(GigaclusterError) as exc:
        load_overlay(p)
    assert needle in str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_overlay_file() -> None:
    with pytest.raises(GigaclusterError, match="calibration: no such file"):
        load_overlay("/nonexistent/calib.yaml")


def test_overlay_model_rejects_unknown_key_directly() -> None:
    with pytest.raises(GigaclusterError, match="did you mean 'step_overhead_s'"):
        CalibrationOverlay.model_validate({"training": {"step_overhead": 0.1}})


def test_times_that_do_not_grow_with_flops_write_no_gemm_keys(dev: DeviceInfo) -> None:
    """Pure noise (every GEMM the same time) must not become an infinite efficiency."""
    from tests.calibrate.conftest import timing

    meas = synthetic(dev, 0.5, 0.0, 0.9)
    flat = meas.model_copy(update={"gemm": [p.model_copy(update={"timing": timing(1e-3)}) for p in meas.gemm]})
    fit = fit_all(flat, dev)
    assert "bf16" not in fit.gemm and fit.main_precision is None
    assert fit.not_fitted and "gemm/bf16" in fit.not_fitted[0]
    overlay = build_overlay(dev, "quick", flat, fit)
    assert not any(k.startswith("gemm.") for k in overlay.training)
    assert "memory_bound.hbm_efficiency" in overlay.training
    assert overlay.provenance is not None and overlay.provenance.not_fitted == fit.not_fitted


def test_training_keys_follow_the_generation_serving_keys_the_family() -> None:
    """TPU v5p: training writes tpu-v5p, serving tpu; MI300X: serving has no 'amd' family, which is said."""
    from gigacluster.calibrate.device import catalog_reference

    for acc, gen, fam in (("tpu-v5p", "tpu-v5p", "tpu"), ("mi300x", "mi300", None)):
        dev = DeviceInfo(name=acc, backend="synthetic", device="x", **catalog_reference(acc, ("bf16",)))  # type: ignore[arg-type]
        meas = synthetic(dev, 0.6, 1e-5, 0.8)
        o = build_overlay(dev, "quick", meas, fit_all(meas, dev))
        assert f"gemm.efficiency_max.{gen}" in o.training
        assert o.provenance is not None
        if fam:
            assert f"families.{fam}.gemm_eff" in o.inference
        else:
            assert not any(k.startswith("families.") for k in o.inference)
            assert any("families.amd.gemm_eff" in n for n in o.provenance.not_fitted)


def test_one_contended_sample_is_left_out_of_the_refit(dev: DeviceInfo) -> None:
    from tests.calibrate.conftest import timing

    meas = synthetic(dev, 0.6, 1e-5, 0.9)
    gemm = list(meas.gemm)
    gemm[1] = gemm[1].model_copy(update={"timing": timing(gemm[1].timing.median_s * 30)})  # a 30x spike
    fit = fit_all(meas.model_copy(update={"gemm": gemm}), dev)
    g = fit.gemm["bf16"]
    assert g.efficiency == pytest.approx(0.6, rel=1e-6) and g.training.outliers == 1
    assert g.training.max_ape > 0.9  # the spike still shows in the reported errors


def test_no_outliers_are_dropped_from_clean_data(dev: DeviceInfo) -> None:
    fit = fit_all(synthetic(dev, 0.6, 1e-5, 0.9), dev)
    assert fit.gemm["bf16"].training.outliers == 0 and fit.gemm["bf16"].serving.outliers == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1e-7, 10.0), min_size=24, max_size=24))
def test_fits_of_any_positive_timings_are_finite_and_warning_free(times: list[float]) -> None:
    """Noise, contention or a wrong reference peak may leave a kind unfitted, never a division by zero."""
    it = iter(times)
    gemm = [GemmPoint(precision=p, m=m, n=nk, k=nk, role="grid", timing=timing(next(it)))
            for p in ("bf16", "fp8") for m in (128, 2048) for nk in (1024, 4096)]
    att = [AttentionPoint(precision="bf16", batch=1, heads=16, seq_len=s, head_dim=128, phase=ph,
                          timing=timing(next(it))) for s in (1024, 4096) for ph in ("fwd", "bwd")]
    col = [CollectivePoint(op=o, ranks=8, tier="scaleup", size_bytes=s, timing=timing(next(it)))
           for o in ("all_reduce", "all_gather") for s in (1e6, 1.6e7, 2.56e8)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_all(Measurements(gemm=gemm, attention=att, collectives=col), h100())
    for g in fit.gemm.values():
        assert 0 < g.efficiency < float("inf") and 0 < g.serving_efficiency < float("inf")
    if fit.attention is not None:
        assert 0 < fit.attention.serving_efficiency < float("inf")
