"""Closed-form serving figures: offline (maximum) throughput and single-request latency.

Offline steady state of a continuous-batching engine with B requests in flight, each with I input
and O output tokens: every step decodes B tokens and, on average, prefills B·I/O tokens of the
requests that replace the B/O that finished (Orca, Yu et al. OSDI'22; Sarathi-Serve, Agrawal et
al. OSDI'24). B is bounded by the KV cache (I + r·O tokens per request), the engine's batch limit
and its token budget per iteration; the best B of a small ladder below the bound is taken.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gigacluster.hardware.accelerator import Accelerator
from gigacluster.inference.calibration import ServingCalibration, load_calibration
from gigacluster.inference.layout import MemoryFit, ServingLayout, check_fits, memory_fit
from gigacluster.inference.step_cost import StepBreakdown, make_step_fn, step_breakdown, step_coefficients
from gigacluster.llm.spec import ModelSpec


class OfflineThroughput(BaseModel):
    """Maximum throughput of one engine of a layout, with the step it runs at."""

    model_config = ConfigDict(frozen=True)

    layout: ServingLayout
    engine_gpus: int
    batch: int
    step: StepBreakdown
    output_tokens_per_s: float
    output_tokens_per_s_per_gpu: float
    total_tokens_per_s_per_gpu: float
    requests_per_s: float
    memory: MemoryFit


class Latency(BaseModel):
    """Single-request (concurrency 1) latency."""

    model_config = ConfigDict(frozen=True)

    ttft_ms: float
    tpot_ms: float
    e2e_latency_ms: float


def steady_step(input_len: float, output_len: float, batch: float) -> tuple[float, float, float, float]:
    """(prefill tokens, prefill context, decode tokens, decode context) of an average step."""
    arrivals = batch / max(output_len, 1.0)
    return (arrivals * input_len, arrivals * input_len * input_len / 2.0, batch,
            batch * (input_len + output_len / 2.0))


def batch_limit(fit: MemoryFit, input_len: float, output_len: float, cal: ServingCalibration,
                max_batch: int | None = None, max_tokens: int | None = None, ranks: int = 1) -> int:
    """Largest in-flight batch the KV cache, batch limit and per-step token budget allow; the batch
    and token limits apply per attention-DP rank (``ranks`` of them per engine)."""
    g = cal.global_
    per_request = input_len + output_len
    by_kv = fit.kv_tokens_per_engine / max(per_request, 1.0)
    by_tokens = ranks * (max_tokens or g.offline_max_tokens) * output_len / max(input_len + output_len, 1.0)
    return max(int(min(by_kv, ranks * (max_batch or g.offline_max_batch), by_tokens)), 1)


def offline_throughput(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, input_len: float,
                       output_len: float, cal: ServingCalibration | None = None) -> OfflineThroughput:
    """Maximum throughput (no latency bound) of ``layout``; raises if the layout does not fit."""
    cal = cal or load_calibration()
    fit = memory_fit(spec, accel, layout, cal.global_.kv_fraction, cal.global_.reserve_gb)
    check_fits(spec, accel, layout, fit, input_len + output_len)
    coeffs = step_coefficients(spec, accel, layout, cal)
    step = make_step_fn(coeffs)
    groups = layout.attention_groups(spec)
    cap = batch_limit(fit, input_len, output_len, cal, ranks=groups)
    ladder = sorted({cap, *(b * groups for b in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024) if b * groups < cap)})
    best = max(ladder, key=lambda b: b / step(*steady_step(input_len, output_len, b)))
    parts = step_breakdown(coeffs, *steady_step(input_len, output_len, best))
    gpus = layout.engine_gpus(spec)
    out = best / parts.total_s
    return OfflineThroughput(
        layout=layout, engine_gpus=gpus, batch=best, step=parts, output_tokens_per_s=out,
        output_tokens_per_s_per_gpu=out / gpus,
        total_tokens_per_s_per_gpu=out * (input_len + output_len) / output_len / gpus,
        requests_per_s=out / output_len, memory=fit)


class InteractivityPoint(BaseModel):
    """One in-flight batch of an engine at steady state: what each user and each GPU get."""

    model_config = ConfigDict(frozen=True)

    batch: int
    tokens_per_s_per_user: float = Field(description="output tokens/s each request sees (1 / decode step)")
    tokens_per_s_per_gpu: float = Field(description="output tokens/s per GPU (batch / step / engine GPUs)")


def interactivity_curve(spec: ModelSpec, accel: Accelerator, off: OfflineThroughput, input_len: float,
                        output_len: float, cal: ServingCalibration | None = None) -> list[InteractivityPoint]:
    """Throughput per GPU against speed per user as the in-flight batch grows to the engine's limit:
    the steady-state step of :func:`steady_step` at batches 1, 2, 4, ... (same model as the offline
    throughput; queueing is not included, so this is the latency-free frontier)."""
    cal = cal or load_calibration()
    step = make_step_fn(step_coefficients(spec, accel, off.layout, cal))
    cap = batch_limit(off.memory, input_len, output_len, cal)
    ladder = sorted({cap, *(2**k for k in range(12) if 2**k < cap)})
    points = []
    for b in ladder:
        t = step(*steady_step(input_len, output_len, b))
        points.append(InteractivityPoint(batch=b, tokens_per_s_per_user=1.0 / t,
                                         tokens_per_s_per_gpu=b / t / off.engine_gpus))
    return points


def single_request_latency(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, input_len: float,
                           output_len: float, cal: ServingCalibration | None = None) -> Latency:
    """TTFT (one prefill), TPOT (decode at batch 1, mean context) and end-to-end latency."""
    cal = cal or load_calibration()
    fit = memory_fit(spec, accel, layout, cal.global_.kv_fraction, cal.global_.reserve_gb)
    check_fits(spec, accel, layout, fit, input_len + output_len)
    step = make_step_fn(step_coefficients(spec, accel, layout, cal))
    ttft = step(input_len, input_len * input_len / 2.0, 0.0, 0.0)
    tpot = step(0.0, 0.0, 1.0, input_len + output_len / 2.0)
    e2e = ttft + max(output_len - 1.0, 0.0) * tpot
    return Latency(ttft_ms=ttft * 1e3, tpot_ms=tpot * 1e3, e2e_latency_ms=e2e * 1e3)
