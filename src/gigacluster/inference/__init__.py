"""Inference: step-cost model, KV cache, request-level serving simulation, capacity planning.

The public entry points: :func:`plan_deployment` (traffic + SLOs + :class:`ServingOptions` ->
:class:`ServingPlan`, colocated or disaggregated) and :func:`plan_serving` (colocated only, used by ``plan``).
"""

from gigacluster.inference.capacity import ServingPlan, Slo, Traffic, plan_serving
from gigacluster.inference.deployment import plan_deployment
from gigacluster.inference.disagg import DisaggPlan
from gigacluster.inference.fleet import DayProfile, FleetDay, load_profile
from gigacluster.inference.kv import expected_experts_touched, kv_bytes_per_token
from gigacluster.inference.layout import ServingLayout, memory_fit
from gigacluster.inference.options import MtpSpec, ServingOptions, parse_options
from gigacluster.inference.simulate import SimResult, simulate, simulate_disaggregated, simulate_replicas
from gigacluster.inference.simulator import EngineConfig, Limits
from gigacluster.inference.slo import max_throughput_under_slo
from gigacluster.inference.step_cost import make_step_fn, step_breakdown, step_coefficients
from gigacluster.inference.throughput import offline_throughput, single_request_latency
from gigacluster.inference.workload import Workload

__all__ = [
    "DayProfile", "DisaggPlan", "EngineConfig", "FleetDay", "Limits", "MtpSpec", "ServingLayout", "ServingOptions",
    "ServingPlan", "SimResult", "Slo", "Traffic", "Workload", "load_profile", "parse_options", "plan_deployment",
    "simulate_replicas",
    "expected_experts_touched", "kv_bytes_per_token", "make_step_fn", "max_throughput_under_slo",
    "memory_fit", "offline_throughput", "plan_serving", "simulate", "simulate_disaggregated",
    "single_request_latency", "step_breakdown", "step_coefficients",
]
