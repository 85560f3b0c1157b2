"""Capacity planning: traffic and SLOs -> the best serving layout, replicas and GPUs.

For each candidate layout (the best few by offline throughput), the simulator finds the highest
arrival rate one engine sustains within the p99 TTFT / TPOT limits; the layout with the most
SLO-compliant tokens per GPU wins. Replicas cover the PEAK rate (mean x peak-to-mean). Power and
$ per million tokens of the fleet are the economics stage's (``economics.serving_cost``), which
prices the peak-sized fleet against the tokens it serves at the MEAN rate.
"""

from __future__ import annotations

import functools
import math

from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.inference.calibration import ServingCalibration, load_calibration
from gigacluster.inference.disagg import DisaggPlan
from gigacluster.inference.kv_tiers import PrefixCache, engine_prefix_cache
from gigacluster.inference.layout import candidate_layouts
from gigacluster.inference.options import ServingOptions
from gigacluster.inference.pools import with_mtp
from gigacluster.inference.search import default_kv_precision, rank_layouts
from gigacluster.inference.simulate import Percentiles
from gigacluster.inference.simulator import EngineConfig, Limits
from gigacluster.inference.slo import SloThroughput, max_throughput_under_slo
from gigacluster.inference.step_cost import make_step_fn, step_coefficients
from gigacluster.inference.throughput import InteractivityPoint, OfflineThroughput, interactivity_curve
from gigacluster.inference.workload import Workload
from gigacluster.llm.spec import ModelSpec
from gigacluster.results import quantity


class Traffic(BaseModel):
    """Demand: a request rate, or users x requests per user per day; token lengths; peakiness."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate_rps: float | None = None
    users: float | None = None
    requests_per_user_day: float = 10.0
    peak_to_mean: float = 2.0
    input_len: float = 1024.0
    output_len: float = 256.0
    length_cv: float = 0.0

    def mean_rate_rps(self) -> float | None:
        if self.rate_rps is not None:
            return self.rate_rps
        if self.users is not None:
            return self.users * self.requests_per_user_day / 86400.0
        return None


class Slo(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ttft_p99_ms: float | None = 2000.0
    tpot_p99_ms: float | None = 100.0


class ServingPlan(BaseModel):
    """The chosen serving deployment and what it costs."""

    model_config = ConfigDict(frozen=True)

    model: str = quantity("Model")
    accelerator: str = quantity("Accelerator")
    layout: str = quantity("Layout")
    engine_gpus: int = quantity("GPUs per engine")
    max_throughput_tokens_per_s_per_gpu: float = quantity("Output throughput per GPU, no latency bound", "tok/s")
    slo_throughput_tokens_per_s_per_gpu: float = quantity("Output throughput per GPU under the SLOs", "tok/s")
    rate_per_engine_rps: float = quantity("Requests per engine under the SLOs", "req/s")
    ttft_ms: Percentiles = quantity("Time to first token", "ms")
    tpot_ms: Percentiles = quantity("Time per output token", "ms")
    mean_rate_rps: float | None = quantity("Mean request rate", "req/s")
    peak_rate_rps: float | None = quantity("Peak request rate", "req/s")
    replicas: int = quantity("Engine replicas for the peak")
    gpus_needed: int = quantity("GPUs needed")
    mean_output_tokens_per_s: float = quantity("Output tokens served at the mean rate", "tok/s")
    kv_tokens_per_engine: float = quantity("KV-cache capacity per engine", "tokens")
    weights_gb_per_gpu: float = quantity("Weights per GPU", "GB")
    deployment: str = quantity("Deployment (agg: colocated prefill + decode; disagg)", default="agg")
    disagg: DisaggPlan | None = quantity("Prefill and decode pools and the day's fleet", default=None)
    interactivity: list[InteractivityPoint] = quantity("Throughput per GPU against tokens/s per user", default=[])
    prefix_cache: PrefixCache | None = quantity("Prefix cache across the KV tiers (hit rate, tier shares, load "
                                                "cost)", default=None)


@functools.cache
def _check_traffic(t: Traffic, slo: Slo) -> None:
    checks = {"rate": t.rate_rps, "users": t.users, "requests_per_user_day": t.requests_per_user_day,
              "peak_to_mean": t.peak_to_mean, "input_len": t.input_len, "output_len": t.output_len,
              "ttft_p99_ms": slo.ttft_p99_ms, "tpot_p99_ms": slo.tpot_p99_ms}
    for field, value in checks.items():
        if value is not None and not value > 0:
            raise GigaclusterError(field, f"must be > 0, got {value}")


def _slo_point(spec: ModelSpec, accel: Accelerator, off: OfflineThroughput, traffic: Traffic, slo: Slo,
               cal: ServingCalibration, n_requests: int, seed: int, opts: ServingOptions) -> SloThroughput:
    step = make_step_fn(with_mtp(step_coefficients(spec, accel, off.layout, cal), spec, opts.mtp))
    ranks = off.layout.attention_groups(spec)
    g = cal.global_
    cfg = EngineConfig(max_batch=g.offline_max_batch * ranks, max_tokens=g.offline_max_tokens * ranks,
                       kv_capacity_tokens=off.memory.kv_tokens_per_engine, tokens_per_step=opts.mtp.tokens_per_step())
    pc = engine_prefix_cache(spec, off.layout, off.memory, off.requests_per_s * traffic.input_len / off.engine_gpus,
                             opts)  # footprint at the offline rate, so that every searched rate sees one cache
    w = Workload(input_len=traffic.input_len, output_len=traffic.output_len, length_cv=traffic.length_cv,
                 n_requests=n_requests, seed=seed, prefix_hit_rate=pc.hit_rate,
                 prefix_load_s_per_token=pc.load_s_per_cached_token)
    limits = Limits(ttft_ms=slo.ttft_p99_ms, tpot_ms=slo.tpot_p99_ms)
    return max_throughput_under_slo(step, cfg, w, off.engine_gpus, off.requests_per_s, limits, ranks)


def _stable_slo_point(spec: ModelSpec, accel: Accelerator, off: OfflineThroughput, traffic: Traffic, slo: Slo,
                      cal: ServingCalibration, n_requests: int, seed: int, opts: ServingOptions) -> SloThroughput:
    """Adaptive sample size: double the simulated requests (up to 4x) until two sizes agree within 2%."""
    prev = _slo_point(spec, accel, off, traffic, slo, cal, n_requests, seed, opts)
    n = n_requests
    while prev.feasible and n < 4 * n_requests:
        n *= 2
        cur = _slo_point(spec, accel, off, traffic, slo, cal, n, seed, opts)
        if not cur.feasible or abs(cur.rate_rps / prev.rate_rps - 1.0) <= 0.02:
            return cur if cur.feasible else prev
        prev = cur
    return prev


def plan_serving(spec: ModelSpec, accel: Accelerator, traffic: Traffic, slo: Slo | None = None,
                 weight_precision: str = "fp8", kv_precision: str | None = None, tp: int | None = None,
                 candidates: int = 3, n_requests: int = 800, seed: int = 0,
                 cal: ServingCalibration | None = None, options: ServingOptions | None = None) -> ServingPlan:
    """The best colocated (aggregated) serving layout for ``traffic`` under ``slo`` and what it takes;
    ``options`` adds MTP and prefix caching (deployment choice: :func:`.deployment.plan_deployment`)."""
    opts = options or ServingOptions()
    slo = slo or Slo()
    cal = cal or load_calibration()
    _check_traffic(traffic, slo)
    kv = kv_precision or default_kv_precision(weight_precision)
    layouts = candidate_layouts(spec, accel, None, weight_precision, kv)
    if tp is not None:
        layouts = [lay for lay in layouts if lay.tp == tp]
        if not layouts:
            raise GigaclusterError("tp", f"{tp} must divide heads ({spec.heads}) and fit the scale-up domain")
    ranked = rank_layouts(spec, accel, layouts, traffic.input_len, traffic.output_len, cal)[:candidates]
    search = _stable_slo_point if options is not None and opts.adaptive_samples else _slo_point
    scored = [(off, search(spec, accel, off, traffic, slo, cal, n_requests, seed, opts)) for off in ranked]
    feasible = [(o, s) for o, s in scored if s.feasible]
    if not feasible:
        raise GigaclusterError("slo", "no layout meets the TTFT / TPOT limits at any load")
    off, point = max(feasible, key=lambda os: os[1].output_tokens_per_s_per_gpu)
    pc = engine_prefix_cache(spec, off.layout, off.memory, off.requests_per_s * traffic.input_len / off.engine_gpus,
                             opts)
    return _plan(spec, accel, traffic, off, point, cal).model_copy(update={"prefix_cache": pc})


def _plan(spec: ModelSpec, accel: Accelerator, traffic: Traffic, off: OfflineThroughput,
          point: SloThroughput, cal: ServingCalibration | None = None) -> ServingPlan:
    mean = traffic.mean_rate_rps()
    peak = mean * traffic.peak_to_mean if mean is not None else None
    replicas = max(math.ceil(peak / point.rate_rps), 1) if peak is not None else 1
    gpus = replicas * off.engine_gpus
    served = mean if mean is not None else point.rate_rps
    assert point.result is not None
    return ServingPlan(
        model=spec.name, accelerator=accel.id, layout=off.layout.label(), engine_gpus=off.engine_gpus,
        max_throughput_tokens_per_s_per_gpu=off.output_tokens_per_s_per_gpu,
        slo_throughput_tokens_per_s_per_gpu=point.output_tokens_per_s_per_gpu, rate_per_engine_rps=point.rate_rps,
        ttft_ms=point.result.ttft_ms, tpot_ms=point.result.tpot_ms, mean_rate_rps=mean, peak_rate_rps=peak,
        replicas=replicas, gpus_needed=gpus, mean_output_tokens_per_s=served * traffic.output_len,
        kv_tokens_per_engine=off.memory.kv_tokens_per_engine, weights_gb_per_gpu=off.memory.weights_gb_per_gpu,
        interactivity=interactivity_curve(spec, accel, off, traffic.input_len, traffic.output_len, cal))
