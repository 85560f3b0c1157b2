"""Choose the deployment: colocated engines (agg), disaggregated prefill/decode pools (disagg), or
whichever needs fewer GPUs at the peak hour (auto). Public entry point of ``serve``."""

from __future__ import annotations

from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.inference.calibration import ServingCalibration, load_calibration
from gigacluster.inference.capacity import ServingPlan, Slo, Traffic, plan_serving
from gigacluster.inference.disagg import DisaggPlan, PlanInputs, plan_disaggregated
from gigacluster.inference.fleet import DayProfile, load_profile
from gigacluster.inference.layout import memory_fit
from gigacluster.inference.options import ServingOptions
from gigacluster.inference.search import default_kv_precision
from gigacluster.inference.simulate import Percentiles
from gigacluster.limits import MAX_PREFILL_CHUNK_STEPS
from gigacluster.llm.spec import ModelSpec


def day_profile(traffic: Traffic, opts: ServingOptions) -> DayProfile:
    """The options' profile; without one, every hour is sized for the traffic's peak."""
    if opts.traffic_profile is None:
        return DayProfile(name="peak", weights=(traffic.peak_to_mean,) * 24)
    return load_profile(opts.traffic_profile)


def _disagg_plan(spec: ModelSpec, accel: Accelerator, traffic: Traffic, slo: Slo, opts: ServingOptions,
                 wp: str, kv: str, cal: ServingCalibration) -> ServingPlan:
    mean = traffic.mean_rate_rps()
    inputs = PlanInputs(mean_rate_rps=mean or 1.0, input_len=traffic.input_len, output_len=traffic.output_len,
                        length_cv=traffic.length_cv, ttft_limit_ms=slo.ttft_p99_ms, tpot_limit_ms=slo.tpot_p99_ms)
    profile = day_profile(traffic, opts)
    d = plan_disaggregated(spec, accel, inputs, opts, profile, wp, kv, cal)
    return _as_plan(spec, accel, traffic, d, profile, cal)


def _as_plan(spec: ModelSpec, accel: Accelerator, traffic: Traffic, d: DisaggPlan, profile: DayProfile,
             cal: ServingCalibration) -> ServingPlan:
    """The disaggregated plan in the common :class:`ServingPlan` shape (decode pool's memory)."""
    mean = traffic.mean_rate_rps()
    tpot = d.decode.tpot_s * 1e3
    pre, dec = d.fleet.pools["prefill"], d.fleet.pools["decode"]
    fit = memory_fit(spec, accel, d.decode.layout, cal.global_.kv_fraction, cal.global_.reserve_gb)
    return ServingPlan(
        model=spec.name, accelerator=accel.id, deployment="disagg", disagg=d,
        layout=f"P {d.prefill.pool.layout.label()} + D {d.decode.layout.label()}",
        engine_gpus=d.prefill.pool.engine_gpus + d.decode.engine_gpus,
        max_throughput_tokens_per_s_per_gpu=d.decode.output_tokens_per_s_per_gpu,
        slo_throughput_tokens_per_s_per_gpu=d.fleet.mean_output_tokens_per_s * profile.peak_to_mean
        / d.fleet.peak_gpus,
        rate_per_engine_rps=d.prefill.rate_per_engine_rps, ttft_ms=d.prefill.ttft_ms,
        tpot_ms=Percentiles(p50=tpot, p90=tpot, p99=tpot, mean=tpot), mean_rate_rps=mean,
        peak_rate_rps=None if mean is None else mean * profile.peak_to_mean,
        replicas=max(pre.units_per_hour) + max(dec.units_per_hour), gpus_needed=d.fleet.peak_gpus,
        mean_output_tokens_per_s=d.fleet.mean_output_tokens_per_s,
        kv_tokens_per_engine=fit.kv_tokens_per_engine, weights_gb_per_gpu=fit.weights_gb_per_gpu,
        prefix_cache=d.prefix_cache)


def check_work(traffic: Traffic, opts: ServingOptions, cal: ServingCalibration) -> None:
    """Refuse up front a simulation whose prefill alone would take too many engine steps: each
    simulated request's prompt is prefilled in chunks of the per-step token budget."""
    steps = opts.sim_requests * traffic.input_len / cal.global_.offline_max_tokens
    if steps > MAX_PREFILL_CHUNK_STEPS:
        raise GigaclusterError(
            "input_len", f"simulating {opts.sim_requests:,} requests of {traffic.input_len:,.0f} prompt tokens takes "
            f"~{steps:,.0f} prefill steps of {cal.global_.offline_max_tokens:,} tokens (limit "
            f"{MAX_PREFILL_CHUNK_STEPS:,}): lower input_len or sim_requests")


def plan_deployment(spec: ModelSpec, accel: Accelerator, traffic: Traffic, slo: Slo | None = None,
                    options: ServingOptions | None = None, weight_precision: str = "fp8",
                    kv_precision: str | None = None, tp: int | None = None,
                    cal: ServingCalibration | None = None) -> ServingPlan:
    """The serving deployment for ``traffic`` under ``slo`` with ``options`` (public API)."""
    opts = options or ServingOptions()
    slo = slo or Slo()
    cal = cal or load_calibration()
    check_work(traffic, opts, cal)
    kv = kv_precision or default_kv_precision(weight_precision)
    plans: list[ServingPlan] = []
    errors: list[GigaclusterError] = []
    if opts.deployment in ("agg", "auto"):
        peaked = traffic.model_copy(update={"peak_to_mean": day_profile(traffic, opts).peak_to_mean})
        try:
            plans.append(plan_serving(spec, accel, peaked, slo, weight_precision, kv, tp, cal=cal, options=opts,
                                      n_requests=opts.sim_requests, seed=opts.seed))
        except GigaclusterError as exc:
            errors.append(exc)
    if opts.deployment in ("disagg", "auto"):
        try:
            plans.append(_disagg_plan(spec, accel, traffic, slo, opts, weight_precision, kv, cal))
        except GigaclusterError as exc:
            errors.append(exc)
    if not plans:
        raise errors[0]
    return min(plans, key=lambda p: p.gpus_needed)
