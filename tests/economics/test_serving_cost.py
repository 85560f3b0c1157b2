import pytest

from gigacluster.economics import reference_rates, serving_cost, usd_per_gpu_hour
from gigacluster.errors import GigaclusterError


def test_serving_cost_prices_the_peak_fleet_at_the_mean_rate() -> None:
    rates = reference_rates("h200")
    cost = serving_cost(rates, gpus=1000, mean_output_tokens_per_s=500_000.0)
    assert cost.facility_power_mw == pytest.approx(cost.it_power_mw * rates.pue)
    assert cost.usd_per_hour == pytest.approx(1000 * usd_per_gpu_hour(rates))
    assert cost.usd_per_mtok == pytest.approx(cost.usd_per_hour / (500_000.0 * 3600 / 1e6))
    twice = serving_cost(rates, gpus=2000, mean_output_tokens_per_s=500_000.0)
    assert twice.usd_per_mtok == pytest.approx(2 * cost.usd_per_mtok)


def test_serving_cost_rejects_an_empty_fleet() -> None:
    with pytest.raises(GigaclusterError, match="gpus"):
        serving_cost(reference_rates("h200"), gpus=0, mean_output_tokens_per_s=1.0)
