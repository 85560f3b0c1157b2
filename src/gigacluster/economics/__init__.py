"""Capex, opex, TCO, energy, carbon, $ per run and per million tokens."""

from gigacluster.economics.capex import Capex, capex
from gigacluster.economics.cluster import Cluster, build_cluster, price
from gigacluster.economics.opex import Opex, opex
from gigacluster.economics.run import (
    CostRates,
    RunCost,
    ServingCost,
    rates_of,
    reference_rates,
    serving_cost,
    training_run_cost,
    usd_per_gpu_hour,
    usd_per_mtok,
)
from gigacluster.economics.spec import CostSpec
from gigacluster.economics.summary import DesignSummary, summary
from gigacluster.economics.tco import TCO, tco

__all__ = ["TCO", "Capex", "Cluster", "CostRates", "CostSpec", "DesignSummary", "Opex", "RunCost", "ServingCost",
           "build_cluster", "capex", "opex", "price", "rates_of", "reference_rates", "serving_cost", "summary", "tco",
           "training_run_cost", "usd_per_gpu_hour", "usd_per_mtok"]
