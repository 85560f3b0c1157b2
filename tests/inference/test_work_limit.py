"""A serving simulation whose prefill would take too many engine steps is refused up front."""

from __future__ import annotations

import pytest

from gigacluster.catalog import get_accelerator, get_model
from gigacluster.errors import GigaclusterError
from gigacluster.inference.calibration import load_calibration
from gigacluster.inference.capacity import Traffic
from gigacluster.inference.deployment import check_work, plan_deployment
from gigacluster.inference.options import ServingOptions


def test_huge_prompts_are_refused_with_their_estimate() -> None:
    traffic = Traffic(rate_rps=10.0, input_len=1e9, output_len=256)
    with pytest.raises(GigaclusterError) as err:
        plan_deployment(get_model("deepseek-v3"), get_accelerator("h200"), traffic)
    assert err.value.field == "input_len" and "prefill steps" in str(err.value) and "sim_requests" in str(err.value)


def test_fewer_simulated_requests_let_long_prompts_through_the_check() -> None:
    traffic = Traffic(rate_rps=10.0, input_len=1e6, output_len=256)
    check_work(traffic, ServingOptions(sim_requests=200), load_calibration())  # 24,414 steps: allowed
    with pytest.raises(GigaclusterError):
        check_work(traffic, ServingOptions(sim_requests=5000), load_calibration())
