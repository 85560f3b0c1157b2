"""Time of one engine iteration (a continuous-batching step): prefill chunk + decode tokens.

Per GPU, a step does
- linear FLOPs: 2 x active matmul params per token (the LM head only for decode tokens);
- attention FLOPs: 2 x (d_qk + d_v) x layers per (token, attended context) pair
  (:func:`gigacluster.llm.counts.attention_flops_per_token`);
- HBM reads: the dense weights, the routed experts the batch touches (:mod:`.kv`), the KV cache of
  every decode token's context;
- communication on the wire: two TP all-reduces per layer (Megatron, Shoeybi et al. 2019), two
  EP all-to-alls per MoE layer (dispatch, combine), a PP send per stage boundary.
Time = smooth-max(compute, memory) + communication + overhead (a roofline, Williams et al. 2009,
smoothed with the calibrated exponent ``roofline_p``). Efficiencies come from calibration data.
"""

from __future__ import annotations

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
        if spec.is_moe and ep > 1:
            msg = tok_group / layout.tp * (spec.moe_topk or 1) * spec.hidden * g.act_bytes
            t += 2 * moe_per_stage * float(all_to_all_s(msg, ep, fabric.bandwidth_gbps(ep), p))
        if layout.pp > 1:
            msg = tok_group * spec.hidden * g.act_bytes
            span = layout.tp * groups * layout.pp
            t += (layout.pp - 1) * float(p2p_s(msg, fabric.bandwidth_gbps(span), p))
        return t

    one, two = at(1.0), at(2.0)
    return one - (two - one), two - one


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
    )


def step_breakdown(c: StepCoefficients, n_prefill: float, prefill_ctx: float, n_decode: float,
                   decode_ctx: float) -> StepBreakdown:
    """The named parts of one step. ``prefill_ctx`` / ``decode_ctx``: summed attended context."""
    n = n_prefill + n_decode
    if n <= 0:
        return StepBreakdown(compute_s=0.0, memory_s=0.0, comm_s=0.0, overhead_s=0.0, total_s=0.0)
    rows = n / c.attention_groups
    gemm_rate = c.linear_flops_per_s * rows / (rows + c.gemm_half_tokens)
    linear = c.linear_flops_per_token * n + c.head_flops_per_token * n_decode
    compute = linear / gemm_rate + c.attn_flops_per_ctx * (prefill_ctx + decode_ctx) / c.attn_flops_per_s
    if c.expert_flops_per_token:
        e_rows = n * c.expert_rows_per_token
        compute += c.expert_flops_per_token * n * (e_rows + c.moe_half_rows) / (c.moe_flops_per_s * e_rows)
    touched = 1.0 - (1.0 - c.moe_topk / c.moe_experts) ** n if c.moe_topk else 0.0
    weights = c.dense_weight_bytes + c.expert_weight_bytes * touched
    memory = (weights + c.kv_bytes_per_ctx * decode_ctx) / c.hbm_bytes_per_s
    p = c.roofline_p
    busy = (compute**p + memory**p) ** (1.0 / p)
    comm = c.comm_fixed_s + c.comm_per_token_s * n
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
    exp_f, exp_rows, moe_rate, moe_half = (c.expert_flops_per_token, c.expert_rows_per_token,
                                           c.moe_flops_per_s, c.moe_half_rows)

    def step(n_prefill: float, prefill_ctx: float, n_decode: float, decode_ctx: float) -> float:
        n = n_prefill + n_decode
        if n <= 0:
            return 0.0
        rows = n / groups
        compute = (lin * n + head * n_decode) * (rows + half) / (lin_rate * rows)
        compute += attn * (prefill_ctx + decode_ctx) / attn_rate
        if exp_f:
            e_rows = n * exp_rows
            compute += exp_f * n * (e_rows + moe_half) / (moe_rate * e_rows)
        memory = (dense_w + exp_w * (1.0 - miss**n) + kv * decode_ctx) / hbm
        return (compute**p + memory**p) ** inv_p + fixed + per_tok * n + per_seq * n_decode

    return step
