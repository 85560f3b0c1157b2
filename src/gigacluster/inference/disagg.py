"""Disaggregated prefill/decode planning (DistServe, Zhong et al. OSDI'24; Splitwise, Patel et al.
ISCA'24; DeepSeek Day-6 overview): pick the prefill and the decode layout separately, size each pool
for the day's demand, and check the p99 TTFT of a prefill engine with the simulator.

- Decode: :func:`.pools.decode_pool` for every candidate layout at the TPOT limit (closed form,
  deterministic); the most output tokens/s per GPU wins.
- Prefill: the layouts with the most prompt tokens/s per GPU (closed form) are simulated as one
  prefill engine under Poisson arrivals; the highest arrival rate whose p99 TTFT (plus the KV
  transfer) meets the limit is found by bisection (:func:`prefill_rate_under_ttft`), for each token
  budget per rank, with common random numbers. The answer is stable: bisection to 0.5% and
  ``sim_requests`` prompts (adaptive: doubled, up to 4x, until two sizes agree within 2%).
- P:D ratio = the two pools' GPU counts at the peak hour.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.inference.calibration import ServingCalibration, load_calibration
from gigacluster.inference.fleet import DayProfile, FleetDay, fleet_day, pool_day
from gigacluster.inference.kv_tiers import PrefixCache, engine_prefix_cache, prefix_cache
from gigacluster.inference.layout import ServingLayout, candidate_layouts, memory_fit, wide_ep_layouts
from gigacluster.inference.options import ServingOptions
from gigacluster.inference.pools import DecodePool, PrefillPool, decode_pool, kv_transfer_s, prefill_pool
from gigacluster.inference.simulate import Percentiles, simulate_prefill
from gigacluster.inference.simulator import EngineConfig, Limits
from gigacluster.inference.step_cost import StepFn, make_step_fn, step_coefficients
from gigacluster.inference.workload import Workload
from gigacluster.llm.spec import ModelSpec

RANK_BUDGETS: tuple[int, ...] = (8192, 4096, 2048, 1024)


class PrefillPoint(BaseModel):
    """A prefill engine's request rate within the TTFT limit, with its simulated TTFT."""

    model_config = ConfigDict(frozen=True)

    pool: PrefillPool
    tokens_per_rank_step: int
    rate_per_engine_rps: float
    ttft_ms: Percentiles
    sim_requests: int


class DisaggPlan(BaseModel):
    """Prefill and decode pools, the KV transfer between them, and the fleet over the day."""

    model_config = ConfigDict(frozen=True)

    prefill: PrefillPoint
    decode: DecodePool
    kv_transfer_ms: float
    fleet: FleetDay
    pd_ratio_at_peak: float
    prefix_cache: PrefixCache | None = None


class PlanInputs(BaseModel):
    """What both pools are sized from (rates are the day's MEAN)."""

    model_config = ConfigDict(frozen=True)

    mean_rate_rps: float
    input_len: float
    output_len: float
    length_cv: float = 0.0
    ttft_limit_ms: float | None
    tpot_limit_ms: float | None


def _ttft(step: StepFn, cfg: EngineConfig, w: Workload, gpus: int, limit_ms: float) -> Percentiles | None:
    r = simulate_prefill(step, cfg, w, gpus, Limits(ttft_ms=limit_ms))
    ok = not r.aborted and r.completed == r.requests and r.ttft_ms.p99 <= limit_ms
    return r.ttft_ms if ok else None


def _prefix(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, input_len: float, opts: ServingOptions,
            cal: ServingCalibration) -> PrefixCache:
    """A prefill engine's prefix cache across the KV tiers (footprint at its closed-form prompt rate)."""
    if opts.prefix_window_s is None:
        return prefix_cache(opts, 0.0, 1, 0.0, 0.0)  # every reused prefix in HBM (or a one-line error)
    pool = prefill_pool(spec, accel, layout, input_len, opts.prefix_hit_rate, cal)
    fit = memory_fit(spec, accel, layout, cal.global_.kv_fraction, cal.global_.reserve_gb)
    return engine_prefix_cache(spec, layout, fit, pool.input_tokens_per_s_per_gpu, opts)


def prefill_rate_under_ttft(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, inputs: PlanInputs,
                            opts: ServingOptions, budget: int, limit_ms: float, n_requests: int,
                            cal: ServingCalibration) -> PrefillPoint | None:
    """Bisection on the arrival rate (fraction of the closed-form capacity) for p99 TTFT <= limit."""
    pc = _prefix(spec, accel, layout, inputs.input_len, opts, cal)
    pool = prefill_pool(spec, accel, layout, inputs.input_len, pc.hit_rate,
                        cal.model_copy(update={"global_": cal.global_.model_copy(
                            update={"offline_max_tokens": budget})}))
    groups = layout.attention_groups(spec)
    fit = memory_fit(spec, accel, layout, cal.global_.kv_fraction, cal.global_.reserve_gb)
    cfg = EngineConfig(max_batch=cal.global_.offline_max_batch * groups, max_tokens=budget * groups,
                       kv_capacity_tokens=fit.kv_tokens_per_engine)
    step = make_step_fn(step_coefficients(spec, accel, layout, cal))
    capacity = pool.input_tokens_per_s_per_gpu * pool.engine_gpus / inputs.input_len
    base = Workload(input_len=inputs.input_len, output_len=1.0, length_cv=inputs.length_cv,
                    n_requests=n_requests, seed=opts.seed, prefix_hit_rate=pc.hit_rate,
                    prefix_load_s_per_token=pc.load_s_per_cached_token)
    lo, hi, best = 0.0, 1.0, None
    while hi - lo > 0.005:
        mid = (lo + hi) / 2.0
        pct = _ttft(step, cfg, base.model_copy(update={"rate_rps": capacity * mid}), pool.engine_gpus, limit_ms)
        if pct is not None:
            lo, best = mid, pct
        else:
            hi = mid
    if best is None:
        return None
    return PrefillPoint(pool=pool, tokens_per_rank_step=budget, rate_per_engine_rps=capacity * lo,
                        ttft_ms=best, sim_requests=n_requests)


def best_prefill(spec: ModelSpec, accel: Accelerator, layouts: list[ServingLayout], inputs: PlanInputs,
                 opts: ServingOptions, transfer_ms: float, cal: ServingCalibration, top: int = 2) -> PrefillPoint:
    """The prefill engine with the most requests/s per GPU within the TTFT limit."""
    ranked = sorted(layouts, key=lambda lay: -prefill_pool(
        spec, accel, lay, inputs.input_len, _prefix(spec, accel, lay, inputs.input_len, opts, cal).hit_rate,
        cal).computed_tokens_per_s_per_gpu)
    limit = (inputs.ttft_limit_ms or 1e9) - transfer_ms
    points: list[PrefillPoint] = []
    for lay in ranked[:top]:
        for b in RANK_BUDGETS:
            bound = _capacity_rps(spec, accel, lay, inputs, opts, b, cal) / lay.engine_gpus(spec)
            if points and bound <= max(p.rate_per_engine_rps / p.pool.engine_gpus for p in points):
                continue  # cannot beat the best point found: skip its simulations
            if (p := _stable_point(spec, accel, lay, inputs, opts, b, limit, cal)) is not None:
                points.append(p)
    if not points:
        raise GigaclusterError("ttft_p99_ms", f"no prefill engine meets {inputs.ttft_limit_ms} ms at any load")
    return max(points, key=lambda p: p.rate_per_engine_rps / p.pool.engine_gpus)


def _capacity_rps(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, inputs: PlanInputs,
                  opts: ServingOptions, budget: int, cal: ServingCalibration) -> float:
    g = cal.global_.model_copy(update={"offline_max_tokens": budget})
    pool = prefill_pool(spec, accel, layout, inputs.input_len,
                        _prefix(spec, accel, layout, inputs.input_len, opts, cal).hit_rate,
                        cal.model_copy(update={"global_": g}))
    return pool.input_tokens_per_s_per_gpu * pool.engine_gpus / inputs.input_len


def _stable_point(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, inputs: PlanInputs,
                  opts: ServingOptions, budget: int, limit_ms: float, cal: ServingCalibration) -> PrefillPoint | None:
    """Adaptive sample size: double the simulated prompts until two sizes agree within 2%."""
    n = opts.sim_requests
    prev = prefill_rate_under_ttft(spec, accel, layout, inputs, opts, budget, limit_ms, n, cal)
    while prev is not None and opts.adaptive_samples and n < 4 * opts.sim_requests:
        n *= 2
        cur = prefill_rate_under_ttft(spec, accel, layout, inputs, opts, budget, limit_ms, n, cal)
        if cur is None or abs(cur.rate_per_engine_rps / prev.rate_per_engine_rps - 1.0) <= 0.02:
            return cur or prev
        prev = cur
    return prev


def best_decode(spec: ModelSpec, accel: Accelerator, layouts: list[ServingLayout], inputs: PlanInputs,
                opts: ServingOptions, cal: ServingCalibration, kv_len: float | None = None) -> DecodePool:
    kv = kv_len or inputs.input_len + inputs.output_len / 2.0
    tpot = inputs.tpot_limit_ms / 1e3 if inputs.tpot_limit_ms else None
    pools = []
    for lay in layouts:
        try:
            pools.append(decode_pool(spec, accel, lay, kv, tpot, opts.mtp, cal))
        except GigaclusterError:
            continue
    if not pools:
        raise GigaclusterError("tpot_p99_ms", f"no decode engine meets {inputs.tpot_limit_ms} ms")
    return max(pools, key=lambda p: p.output_tokens_per_s_per_gpu)


def plan_disaggregated(spec: ModelSpec, accel: Accelerator, inputs: PlanInputs, opts: ServingOptions,
                       profile: DayProfile, weight_precision: str = "fp8", kv_precision: str = "fp8",
                       cal: ServingCalibration | None = None) -> DisaggPlan:
    """Prefill + decode pools for ``inputs`` over the day ``profile``."""
    cal = cal or load_calibration()
    transfer_ms = kv_transfer_s(spec, accel, kv_precision, inputs.input_len, opts.kv_link) * 1e3
    decode = best_decode(spec, accel, _pool_layouts(spec, accel, opts.decode_gpus, weight_precision, kv_precision,
                                                    cal), inputs, opts, cal)
    prefill = best_prefill(spec, accel, _pool_layouts(spec, accel, opts.prefill_gpus, weight_precision,
                                                      kv_precision, cal), inputs, opts, transfer_ms, cal)
    p_day = pool_day(inputs.mean_rate_rps, prefill.rate_per_engine_rps, prefill.pool.engine_gpus, profile,
                     opts.n_plus, opts.regional_headroom, opts.scale_up_delay_h)
    out_rate = inputs.mean_rate_rps * inputs.output_len
    d_day = pool_day(out_rate, decode.output_tokens_per_s_per_gpu * decode.engine_gpus, decode.engine_gpus,
                     profile, opts.n_plus, opts.regional_headroom, opts.scale_up_delay_h)
    fleet = fleet_day({"prefill": p_day, "decode": d_day}, out_rate, _revenue(inputs, opts), profile.name)
    return DisaggPlan(prefill=prefill, decode=decode, kv_transfer_ms=transfer_ms, fleet=fleet,
                      pd_ratio_at_peak=p_day.peak_gpus / d_day.peak_gpus,
                      prefix_cache=_prefix(spec, accel, prefill.pool.layout, inputs.input_len, opts, cal))


def _revenue(inputs: PlanInputs, opts: ServingOptions) -> float | None:
    """USD per day at the options' token prices (None unless every needed price is given)."""
    prices = (opts.price_input_usd_per_mtok, opts.price_output_usd_per_mtok)
    if any(p is None for p in prices):
        return None
    day = inputs.mean_rate_rps * 86400.0 / 1e6
    hit = opts.prefix_hit_rate
    cached = opts.price_cached_input_usd_per_mtok
    cached_price = cached if cached is not None else opts.price_input_usd_per_mtok
    inp = inputs.input_len * day * ((1.0 - hit) * (opts.price_input_usd_per_mtok or 0.0) + hit * (cached_price or 0.0))
    return inp + inputs.output_len * day * (opts.price_output_usd_per_mtok or 0.0)


def _pool_layouts(spec: ModelSpec, accel: Accelerator, gpus: int | None, wp: str, kv: str,
                  cal: ServingCalibration) -> list[ServingLayout]:
    """Candidate engines of one pool (wide-EP engines of ``gpus`` GPUs when fixed, for MoE)."""
    if gpus and spec.is_moe and gpus >= 16:
        layouts = wide_ep_layouts(spec, gpus, wp, kv)
    else:
        layouts = candidate_layouts(spec, accel, gpus, wp, kv)
    ok = [lay for lay in layouts if lay.pp == 1 and _fits(spec, accel, lay, cal)]
    if not ok:
        raise GigaclusterError("layout", f"{spec.name} fits no {gpus or 'searched'}-GPU engine on {accel.id} "
                               "without pipeline parallelism")
    return ok


def _fits(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, cal: ServingCalibration) -> bool:
    fit = memory_fit(spec, accel, layout, cal.global_.kv_fraction, cal.global_.reserve_gb)
    return fit.kv_gb_per_gpu > 1.0
