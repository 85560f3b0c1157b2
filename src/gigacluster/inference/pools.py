"""Closed-form throughput of disaggregated prefill and decode pools (DistServe, Zhong et al. OSDI'24;
DeepSeek Day-6 inference overview; SGLang large-scale EP).

- Prefill pool: each attention-DP rank runs a token budget of prompt tokens per step; tokens served
  from the prefix cache cost no compute (their context is still attended) and count in the
  published "input tokens/s including cache hits".
- Decode pool: the largest per-rank batch whose step (with MTP: ``1 + depth`` query tokens per
  sequence plus the draft modules, one transformer block each) keeps the time per output token
  within the limit; batch also bounded by the KV cache and the per-rank batch limit.
- KV transfer between pools: the request's KV bytes over the link (RDMA NIC or NVLink).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.inference.calibration import ServingCalibration, load_calibration
from gigacluster.inference.kv import kv_bytes_per_token
from gigacluster.inference.layout import ServingLayout, memory_fit
from gigacluster.inference.options import MtpSpec
from gigacluster.inference.step_cost import StepCoefficients, StepFn, make_step_fn, step_coefficients
from gigacluster.llm.spec import ModelSpec


class PrefillPool(BaseModel):
    """One prefill engine at its token budget."""

    model_config = ConfigDict(frozen=True)

    layout: ServingLayout
    engine_gpus: int
    tokens_per_rank_step: int
    step_s: float
    computed_tokens_per_s_per_gpu: float
    input_tokens_per_s_per_gpu: float = 0.0


class DecodePool(BaseModel):
    """One decode engine at the largest batch meeting the time per output token."""

    model_config = ConfigDict(frozen=True)

    layout: ServingLayout
    engine_gpus: int
    batch_per_rank: int
    step_s: float
    tokens_per_step: float
    tpot_s: float
    output_tokens_per_s_per_gpu: float
    tok_s_per_user: float
    kv_limited: bool


def with_mtp(c: StepCoefficients, spec: ModelSpec, mtp: MtpSpec) -> StepCoefficients:
    """Decode steps verify ``1 + depth`` tokens per sequence and run ``depth`` draft modules
    (one transformer block each, DeepSeek-V3 §2.2): about ``depth / layers`` more per token."""
    q = 1.0 + mtp.depth * (1.0 + 1.0 / spec.layers)
    return c.model_copy(update={"decode_query_tokens": q})


def prefill_pool(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, input_len: float,
                 hit_rate: float = 0.0, cal: ServingCalibration | None = None) -> PrefillPool:
    """Prefill throughput per GPU at the per-rank token budget (``offline_max_tokens``)."""
    cal = cal or load_calibration()
    groups = layout.attention_groups(spec)
    budget = cal.global_.offline_max_tokens
    step = make_step_fn(step_coefficients(spec, accel, layout, cal))
    cached = input_len * hit_rate
    tokens = float(budget * groups)
    dt = step(tokens, tokens * (cached + (input_len - cached) / 2.0), 0.0, 0.0)
    per_gpu = tokens / dt / layout.engine_gpus(spec)
    return PrefillPool(layout=layout, engine_gpus=layout.engine_gpus(spec), tokens_per_rank_step=budget,
                       step_s=dt, computed_tokens_per_s_per_gpu=per_gpu,
                       input_tokens_per_s_per_gpu=per_gpu / (1.0 - hit_rate))


def _decode_at(step: StepFn, groups: int, batch: int, kv_len: float, tps: float) -> tuple[float, float]:
    n = float(batch * groups)
    dt = step(0.0, 0.0, n, n * kv_len)
    return dt, dt / tps


def decode_pool(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, kv_len: float,
                tpot_limit_s: float | None, mtp: MtpSpec | None = None,
                cal: ServingCalibration | None = None) -> DecodePool:
    """Largest per-rank decode batch with time per output token <= ``tpot_limit_s`` (None: the
    batch limit), bounded by the KV cache (``kv_len`` tokens per sequence) and the batch limit."""
    cal = cal or load_calibration()
    mtp = mtp or MtpSpec()
    groups = layout.attention_groups(spec)
    fit = memory_fit(spec, accel, layout, cal.global_.kv_fraction, cal.global_.reserve_gb)
    by_kv = int(fit.kv_tokens_per_engine / groups / max(kv_len, 1.0))
    cap = min(by_kv, cal.global_.offline_max_batch)
    if cap < 1:
        raise GigaclusterError("layout", f"{layout.label()}: KV cache cannot hold one {kv_len:.0f}-token sequence")
    step = make_step_fn(with_mtp(step_coefficients(spec, accel, layout, cal), spec, mtp))
    tps = mtp.tokens_per_step()
    lo, hi = 1, cap
    if tpot_limit_s is not None and _decode_at(step, groups, 1, kv_len, tps)[1] > tpot_limit_s:
        raise GigaclusterError("tpot_p99_ms", f"{layout.label()}: one sequence alone exceeds the limit")
    while lo < hi:  # time per token grows with the batch: bisect on the largest feasible batch
        mid = (lo + hi + 1) // 2
        if tpot_limit_s is None or _decode_at(step, groups, mid, kv_len, tps)[1] <= tpot_limit_s:
            lo = mid
        else:
            hi = mid - 1
    dt, tpot = _decode_at(step, groups, lo, kv_len, tps)
    gpus = layout.engine_gpus(spec)
    return DecodePool(layout=layout, engine_gpus=gpus, batch_per_rank=lo, step_s=dt, tokens_per_step=tps,
                      tpot_s=tpot, output_tokens_per_s_per_gpu=lo * groups / tpot / gpus,
                      tok_s_per_user=1.0 / tpot, kv_limited=lo == by_kv and by_kv <= cal.global_.offline_max_batch)


def kv_transfer_s(spec: ModelSpec, accel: Accelerator, kv_precision: str, tokens: float,
                  link: str = "rdma") -> float:
    """Seconds to move ``tokens`` tokens of KV cache from a prefill GPU to a decode GPU over the
    GPU's NIC (RDMA, GPUDirect; Mooncake / NIXL) or NVLink, at the catalog's line rate."""
    gbytes_s = (accel.scaleup_gbps_per_dir or 450.0) if link == "nvlink" else (accel.scaleout_gbps or 400.0) / 8
    return kv_bytes_per_token(spec, kv_precision) * tokens / (gbytes_s * 1e9)
