"""Inference: step-cost model, KV cache, request-level serving simulation, capacity planning.

The public entry point for ``plan`` is :func:`plan_serving` (traffic + SLOs -> :class:`ServingPlan`).
"""

from gigacluster.inference.capacity import ServingPlan, Slo, Traffic, plan_serving
from gigacluster.inference.kv import expected_experts_touched, kv_bytes_per_token
from gigacluster.inference.layout import ServingLayout, memory_fit
from gigacluster.inference.simulate import SimResult, simulate, simulate_disaggregated
from gigacluster.inference.simulator import EngineConfig, Limits
from gigacluster.inference.slo import max_throughput_under_slo
from gigacluster.inference.step_cost import make_step_fn, step_breakdown, step_coefficients
from gigacluster.inference.throughput import offline_throughput, single_request_latency
from gigacluster.inference.workload import Workload

__all__ = [
    "EngineConfig", "Limits", "ServingLayout", "ServingPlan", "SimResult", "Slo", "Traffic", "Workload",
    "expected_experts_touched", "kv_bytes_per_token", "make_step_fn", "max_throughput_under_slo",
    "memory_fit", "offline_throughput", "plan_serving", "simulate", "simulate_disaggregated",
    "single_request_latency", "step_breakdown", "step_coefficients",
]
