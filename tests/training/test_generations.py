"""Every catalog accelerator carries what the training model needs, or a stated rule for it."""

from __future__ import annotations

import pytest

from gigacluster.catalog import get_accelerator, load_accelerators
from gigacluster.catalog.loaders import clock_scaled
from gigacluster.errors import GigaclusterError
from gigacluster.training.calibration import load_calibration
from gigacluster.training.plan import plan_training

from .conftest import make_job

ACCELERATORS = sorted(load_accelerators())


@pytest.mark.parametrize("acc_id", ACCELERATORS)
def test_every_accelerator_has_the_fields_the_model_needs(acc_id: str) -> None:
    acc, cal = get_accelerator(acc_id), load_calibration()
    assert acc.generation in cal.gemm.efficiency_max, f"{acc_id}: generation '{acc.generation}' not calibrated"
    assert acc.generation in cal.attention.relative_efficiency
    assert acc.family and acc.generation != "other"
    # GEMM tiling (training.tiles): both facts or neither (stated rule: no quantisation loss)
    assert (acc.matrix_units is None) == (acc.matrix_tile is None)
    if not (acc.hbm_gb and acc.hbm_tbps):  # stated rule: no published HBM -> a one-line error, no guess
        with pytest.raises(GigaclusterError, match="HBM"):
            make_job("llama3-8b", acc_id, gpus=64, batch=64)
        return
    assert acc.peak_tflops("bf16") > 0
    if acc.peak_reference:  # unpublished peaks come from a stated, shown rule
        assert acc.peak_rule and acc.peak_reference in acc.peak_rule
    for fmt in cal.gemm.low_precision:
        assert acc.peak_tflops(fmt) >= acc.peak_tflops("bf16")


def test_power_capped_part_is_clock_scaled_between_nvl_and_sxm() -> None:
    capped, sxm = get_accelerator("h100-sxm-96gb-500w"), get_accelerator("h100-sxm")
    assert 835.0 < capped.peak_tflops("bf16") < sxm.peak_tflops("bf16")  # H100 NVL (400 W) publishes 835
    nvl = clock_scaled(capped.model_copy(update={"tdp_w": 400.0, "bf16_tflops": None, "fp16_tflops": None,
                                                 "fp8_tflops": None, "int8_tops": None}), sxm)
    assert nvl.peak_tflops("bf16") == pytest.approx(835.0, rel=0.03)


def test_power_capped_part_is_predicted_and_the_rule_is_shown() -> None:
    plan = plan_training(make_job("llama3-8b", "h100-sxm-96gb-500w", gpus=64, batch=64), top_k=1)
    assert plan.best.step_time_s > 0 and "clock factor" in plan.peak_rule


def test_mfu_at_precision_peak_labels_low_precision_runs() -> None:
    fp8 = plan_training(make_job("llama3-8b", "h100-sxm", gpus=64, batch=64, precision="fp8"), top_k=1).best
    bf16 = plan_training(make_job("llama3-8b", "h100-sxm", gpus=64, batch=64), top_k=1).best
    assert fp8.mfu_at_precision_peak == pytest.approx(fp8.mfu / 2.0, rel=1e-3)  # fp8 peak = 2x bf16 on H100
    assert bf16.mfu_at_precision_peak == pytest.approx(bf16.mfu)


def test_nvfp4_is_not_full_rate_fp4() -> None:
    cal = load_calibration()
    nv = plan_training(make_job("llama3-8b", "b300", gpus=64, batch=64, precision="nvfp4"), cal, top_k=1).best
    fp8 = plan_training(make_job("llama3-8b", "b300", gpus=64, batch=64, precision="fp8"), cal, top_k=1).best
    acc = get_accelerator("b300")
    ratio = acc.peak_tflops("nvfp4") / acc.peak_tflops("fp8")
    assert fp8.step_time_s / nv.step_time_s < ratio  # coverage < 1 and per-format factor: less than 3x
