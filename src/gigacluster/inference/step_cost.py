"""Time of one engine iteration (a continuous-batching step): prefill chunk + decode tokens.

Per GPU, a step does
- linear FLOPs: 2 x active matmul params per token (the LM head only for decode tokens);
- attention FLOPs: 2 x (d_qk + d_v) x layers per (token, attended context) pair
  (:func:`gigacluster.llm.counts.attention_flops_per_token`);
- HBM reads: the dense weights, the routed experts the batch touches (:mod:`.kv`), the KV cache of
  every decode token's context;
- communication on the wire: two TP all-reduces per layer (Megatron, Shoeybi et al. 2019), two
  EP all-to-alls per MoE layer (dispatch, combine), a PP send per stage boundary. Wide-EP engines
  (``layout.moe_a2a == "deepep"``) use the DeepEP kernel model of :mod:`.wide_ep` instead: low-latency
  kernels for decode tokens, normal kernels for prefill tokens, hidden behind compute by two-batch
  overlap when ``layout.overlap == "two_batch"``.
- expert compute proportional to the routed rows, times the busiest GPU's load imbalance
  (:func:`.wide_ep.imbalance`), plus a per-touched-expert tile cost (``moe_half_rows`` rows per
  expert the batch touches: grouped GEMMs pad each expert's rows to a tile).
Time = smooth-max(compute, memory) + communication + overhead (a roofline, Williams et al. 2009,
smoothed with the calibrated exponent ``roofline_p``). Efficiencies come from calibration data.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from gigacluster.comm import all_reduce_s, all_to_all_s, default_fabric, p2p_s
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.inference.calibration import ServingCalibration, load_calibration
from gigacluster.inference.kv import (
    COMPUTE_PRECISION,
    dense_bytes_total,
    expert_bytes_total,
    kv_bytes_per_token,
    kv_replication,
)
from gigacluster.inference.layout import ServingLayout
from gigacluster.inference.wide_ep import per_token_cost
from gigacluster.llm.counts import matmul_flops_per_token, param_counts, qk_dim, v_dim
from gigacluster.llm.spec import ModelSpec

StepFn = Callable[[float, float, float, float], float]


class StepCoefficients(BaseModel):
    """Per-GPU coefficients of the step-time formula for one (model, accelerator, layout)."""

    model_config = ConfigDict(frozen=True)

    linear_flops_per_token: float
    expert_flops_per_token: float
    head_flops_per_token: float
    attn_flops_per_ctx: float
    dense_weight_bytes: float
    expert_weight_bytes: float
    moe_experts: float
    moe_topk: float
    kv_bytes_per_ctx: float
    linear_flops_per_s: float
    attn_flops_per_s: float
    hbm_bytes_per_s: float
    gemm_half_tokens: float
    expert_rows_per_token: float
    moe_flops_per_s: float
    moe_half_rows: float
    attention_groups: float
    roofline_p: float
    comm_fixed_s: float
    comm_per_token_s: float
    overhead_s: float
    overhead_per_seq_s: float
    attn_decode_flops_per_ctx: float = 0.0
    decode_query_tokens: float = 1.0
    a2a_decode_fixed_s: float = 0.0
    a2a_decode_per_token_s: float = 0.0
    a2a_prefill_fixed_s: float = 0.0
    a2a_prefill_per_token_s: float = 0.0
    overlap: bool = False
    imbalance_ep: float = 1.0


class StepBreakdown(BaseModel):
    model_config = ConfigDict(frozen=True)

    compute_s: float
    memory_s: float
    comm_s: float
    overhead_s: float
    total_s: float


def _affine_comm(spec: ModelSpec, accel: Accelerator, layout: ServingLayout,
                 cal: ServingCalibration) -> tuple[float, float]:
    """Wire time per step as a + b x tokens (the alpha-beta costs are affine in message size)."""
    g = cal.global_
    p = g.comm_params()
    fabric = default_fabric(accel.scaleup_domain, accel.scaleup_gbps_per_dir, accel.scaleout_gbps, p)
    groups = layout.attention_groups(spec)
    layers_per_stage = spec.layers / layout.pp
    moe_per_stage = spec.n_moe_layers / layout.pp
    ep = layout.tp * groups

    def at(tokens: float) -> float:
        tok_group = tokens / groups
        t = 0.0
        if layout.tp > 1:
            msg = tok_group * spec.hidden * g.act_bytes
            t += 2 * layers_per_stage * float(all_reduce_s(msg, layout.tp, fabric.bandwidth_gbps(layout.tp), p))
        if spec.is_moe and ep > 1 and not layout.wide:
            msg = tok_group / layout.tp * (spec.moe_topk or 1) * spec.hidden * g.act_bytes
            t += 2 * moe_per_stage * float(all_to_all_s(msg, ep, fabric.bandwidth_gbps(ep), p))
        if layout.pp > 1:
            msg = tok_group * spec.hidden * g.act_bytes
            span = layout.tp * groups * layout.pp
            t += (layout.pp - 1) * float(p2p_s(msg, fabric.bandwidth_gbps(span), p))
        return t

    one, two = at(1.0), at(2.0)
    return one - (two - one), two - one


def _wide_a2a(spec: ModelSpec, accel: Accelerator, layout: ServingLayout) -> dict[str, float]:
    """DeepEP all-to-all coefficients per engine token (tokens spread over the attention groups)."""
    if not (layout.wide and spec.is_moe):
        return {}
    ep, moe = layout.engine_gpus(spec) // layout.pp, spec.n_moe_layers / layout.pp
    groups = layout.attention_groups(spec)
    ll = per_token_cost("low_latency", ep, spec.hidden, spec.moe_topk or 1, accel)
    nm = per_token_cost("normal", ep, spec.hidden, spec.moe_topk or 1, accel)
    return {"a2a_decode_fixed_s": moe * ll[0], "a2a_decode_per_token_s": moe * ll[1] / groups,
            "a2a_prefill_fixed_s": moe * nm[0], "a2a_prefill_per_token_s": moe * nm[1] / groups,
            "imbalance_ep": float(ep)}


def decode_attn_flops_per_ctx(spec: ModelSpec) -> float:
    """Decode attention FLOPs per attended token over all layers. MLA decodes in the weight-absorbed
    form (DeepSeek-V2 §2.1.3; FlashMLA): every head scores the (kv_lora + rope)-wide latent and
    reads back the kv_lora-wide latent, 2 x heads x (2 x kv_lora + rope) per layer."""
    if spec.mla is None:
        return 2.0 * (qk_dim(spec) + v_dim(spec)) * spec.layers
    m = spec.mla
    return 2.0 * spec.heads * (2 * m.kv_lora_rank + m.qk_rope_head_dim) * spec.layers


def _width_eff(spec: ModelSpec, half_ffn: float) -> float:
    """Skinny expert GEMMs (small per-expert FFN width) run further from peak: f / (f + f_half)."""
    width = float(spec.moe_ffn_hidden or spec.ffn_hidden or 1)
    return width / (width + half_ffn)


def step_coefficients(spec: ModelSpec, accel: Accelerator, layout: ServingLayout,
                      cal: ServingCalibration | None = None) -> StepCoefficients:
    cal = cal or load_calibration()
    fam, g = cal.family(accel.family), cal.global_
    gpus = float(layout.engine_gpus(spec))
    head = 2.0 * spec.vocab * spec.hidden
    expert = 2.0 * param_counts(spec).expert * (spec.moe_topk or 0) * spec.n_moe_layers
    attn_prec = "fp8" if layout.kv_precision in ("fp8", "int8", "fp4") else "bf16"
    fixed, per_tok = _affine_comm(spec, accel, layout, cal)
    return StepCoefficients(
        linear_flops_per_token=(matmul_flops_per_token(spec) - head - expert) / gpus,
        expert_flops_per_token=expert / gpus,
        head_flops_per_token=head / gpus,
        attn_flops_per_ctx=2.0 * (qk_dim(spec) + v_dim(spec)) * spec.layers / gpus,
        attn_decode_flops_per_ctx=decode_attn_flops_per_ctx(spec) / gpus,
        dense_weight_bytes=dense_bytes_total(spec, layout.weight_precision) / (layout.tp * layout.pp),
        expert_weight_bytes=expert_bytes_total(spec, layout.weight_precision) / gpus,
        moe_experts=float(spec.moe_experts or 1), moe_topk=float(spec.moe_topk or 0),
        kv_bytes_per_ctx=kv_bytes_per_token(spec, layout.kv_precision) * kv_replication(spec, layout.tp) / gpus,
        linear_flops_per_s=accel.peak_tflops(COMPUTE_PRECISION[layout.weight_precision]) * 1e12 * fam.gemm_eff,
        attn_flops_per_s=accel.peak_tflops(attn_prec) * 1e12 * fam.attn_eff,
        hbm_bytes_per_s=accel.hbm_tbps * 1e12 * fam.hbm_eff,
        gemm_half_tokens=g.gemm_half_tokens,
        expert_rows_per_token=(spec.moe_topk or 0) / float(spec.moe_experts or 1),
        moe_flops_per_s=accel.peak_tflops(COMPUTE_PRECISION[layout.weight_precision]) * 1e12 * fam.gemm_eff
        * g.moe_gemm_eff * _width_eff(spec, g.moe_half_ffn), moe_half_rows=g.moe_half_rows,
        attention_groups=float(layout.attention_groups(spec)),
        roofline_p=g.roofline_p, comm_fixed_s=fixed, comm_per_token_s=per_tok,
        overhead_s=fam.step_overhead_ms * 1e-3 + g.overhead_us_per_layer * 1e-6 * spec.layers / layout.pp,
        overhead_per_seq_s=g.overhead_us_per_seq * 1e-6 / layout.attention_groups(spec),
        overlap=layout.overlap == "two_batch", **_wide_a2a(spec, accel, layout),
    )


def _expert_s(c: StepCoefficients, n: float, touched: float) -> float:
    """Routed-expert GEMM time: rows x the busiest GPU's imbalance, plus a tile per touched expert."""
    rows_per_gpu = n * c.moe_topk / c.imbalance_ep
    imb = 1.0 + math.sqrt(2.0 * math.log(c.imbalance_ep) / rows_per_gpu) if c.imbalance_ep > 1 else 1.0
    tiles = c.moe_half_rows * touched / c.expert_rows_per_token
    return c.expert_flops_per_token * (n * imb + tiles) / c.moe_flops_per_s


def _a2a_s(c: StepCoefficients, n_prefill: float, n_decode: float) -> float:
    t = c.a2a_decode_per_token_s * n_decode + c.a2a_prefill_per_token_s * n_prefill
    return t + (c.a2a_decode_fixed_s if n_decode else 0.0) + (c.a2a_prefill_fixed_s if n_prefill else 0.0)


def step_breakdown(c: StepCoefficients, n_prefill: float, prefill_ctx: float, n_decode: float,
                   decode_ctx: float) -> StepBreakdown:
    """The named parts of one step. ``prefill_ctx`` / ``decode_ctx``: summed attended context."""
    n = n_prefill + n_decode
    if n <= 0:
        return StepBreakdown(compute_s=0.0, memory_s=0.0, comm_s=0.0, overhead_s=0.0, total_s=0.0)
    q = c.decode_query_tokens
    n = n_prefill + n_decode * q
    rows = n / c.attention_groups
    gemm_rate = c.linear_flops_per_s * rows / (rows + c.gemm_half_tokens)
    linear = c.linear_flops_per_token * n + c.head_flops_per_token * n_decode * q
    attn = c.attn_flops_per_ctx * prefill_ctx + c.attn_decode_flops_per_ctx * decode_ctx * q
    compute = linear / gemm_rate + attn / c.attn_flops_per_s
    touched = 1.0 - (1.0 - c.moe_topk / c.moe_experts) ** n if c.moe_topk else 0.0
    if c.expert_flops_per_token:
        compute += _expert_s(c, n, touched)
    weights = c.dense_weight_bytes + c.expert_weight_bytes * touched
    memory = (weights + c.kv_bytes_per_ctx * decode_ctx) / c.hbm_bytes_per_s
    p = c.roofline_p
    busy = (compute**p + memory**p) ** (1.0 / p)
    a2a = _a2a_s(c, n_prefill, n_decode * q)
    if c.overlap:
        busy, a2a = (busy**p + a2a**p) ** (1.0 / p), 0.0
    comm = c.comm_fixed_s + c.comm_per_token_s * n + a2a
    over = c.overhead_s + c.overhead_per_seq_s * n_decode
    return StepBreakdown(compute_s=compute, memory_s=memory, comm_s=comm, overhead_s=over,
                         total_s=busy + comm + over)


def make_step_fn(c: StepCoefficients) -> StepFn:
    """A fast scalar ``f(n_prefill, prefill_ctx, n_decode, decode_ctx) -> seconds`` (simulator hot path),
    the same formula as :func:`step_breakdown`."""
    lin, head, attn = c.linear_flops_per_token, c.head_flops_per_token, c.attn_flops_per_ctx
    lin_rate, attn_rate, hbm = c.linear_flops_per_s, c.attn_flops_per_s, c.hbm_bytes_per_s
    half, groups, p, inv_p = c.gemm_half_tokens, c.attention_groups, c.roofline_p, 1.0 / c.roofline_p
    dense_w, exp_w, kv = c.dense_weight_bytes, c.expert_weight_bytes, c.kv_bytes_per_ctx
    miss = 1.0 - c.moe_topk / c.moe_experts if c.moe_topk else 1.0
    fixed = c.comm_fixed_s + c.overhead_s
    per_tok, per_seq = c.comm_per_token_s, c.overhead_per_seq_s
    exp_f, overlap = c.expert_flops_per_token, c.overlap
    wide = c.a2a_decode_per_token_s > 0 or c.a2a_prefill_per_token_s > 0

    attn_dec, q = c.attn_decode_flops_per_ctx, c.decode_query_tokens

    def step(n_prefill: float, prefill_ctx: float, n_decode: float, decode_ctx: float) -> float:
        if n_prefill + n_decode <= 0:
            return 0.0
        n_dq = n_decode * q
        n = n_prefill + n_dq
        rows = n / groups
        touched = 1.0 - miss**n
        compute = (lin * n + head * n_dq) * (rows + half) / (lin_rate * rows)
        compute += (attn * prefill_ctx + attn_dec * decode_ctx * q) / attn_rate
        if exp_f:
            compute += _expert_s(c, n, touched)
        memory = (dense_w + exp_w * touched + kv * decode_ctx) / hbm
        busy = (compute**p + memory**p) ** inv_p
        if wide:
            a2a = _a2a_s(c, n_prefill, n_dq)
            busy = (busy**p + a2a**p) ** inv_p if overlap else busy + a2a
        return busy + fixed + per_tok * n + per_seq * n_decode

    return step
