"""Inference byte counts: weights and KV cache per token, expert touches, KV capacity.

- KV cache per token (Pope et al. 2022, "Efficiently Scaling Transformer Inference", §3.1):
  2 (K and V) x layers x kv_heads x head_dim x bytes for MHA/GQA/MQA; MLA caches one latent of
  ``kv_lora_rank + qk_rope_head_dim`` per layer (DeepSeek-V2, arXiv:2405.04434, §2.1.2).
- Expected distinct experts a batch of ``n`` tokens touches with top-k of E uniform routing:
  E x (1 - (1 - k/E)^n) (the occupancy expectation; balanced routers approach it).
- NVFP4 stores 4-bit values plus one FP8 scale per 16 (NVIDIA Blackwell NVFP4 format): 4.5 bits.
"""

from __future__ import annotations

from gigacluster.errors import GigaclusterError
from gigacluster.llm.counts import param_counts
from gigacluster.llm.spec import ModelSpec

BYTES_PER_ELEMENT: dict[str, float] = {
    "fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5625, "int4": 0.5625,
}
#: GEMM precision (an :meth:`Accelerator.peak_tflops` key) for a weight precision
COMPUTE_PRECISION: dict[str, str] = {
    "fp32": "bf16", "bf16": "bf16", "fp16": "fp16", "fp8": "fp8", "int8": "fp8", "fp4": "nvfp4",
    "int4": "fp8",
}


def bytes_per_element(precision: str, field: str = "precision") -> float:
    if precision not in BYTES_PER_ELEMENT:
        raise GigaclusterError(field, f"unknown '{precision}'; allowed: {', '.join(BYTES_PER_ELEMENT)}")
    return BYTES_PER_ELEMENT[precision]


def kv_elements_per_token(spec: ModelSpec) -> float:
    """KV-cache elements per token over all layers (latent for MLA)."""
    if spec.mla is not None:
        return float(spec.layers * (spec.mla.kv_lora_rank + spec.mla.qk_rope_head_dim))
    return float(2 * spec.layers * spec.n_kv_heads * spec.d_head)


def kv_bytes_per_token(spec: ModelSpec, kv_precision: str) -> float:
    return kv_elements_per_token(spec) * bytes_per_element(kv_precision, "kv_precision")


def kv_replication(spec: ModelSpec, tp: int) -> float:
    """Copies of each KV head across a TP group: GQA heads are split over min(tp, kv_heads)
    ranks and replicated beyond; the MLA latent is replicated on every rank."""
    if spec.mla is not None:
        return float(tp)
    return tp / min(tp, spec.n_kv_heads)


def expert_bytes_total(spec: ModelSpec, weight_precision: str) -> float:
    """Bytes of all routed experts (the part expert parallelism shards)."""
    if not spec.is_moe:
        return 0.0
    c = param_counts(spec)
    routed = (spec.moe_experts or 0) * c.expert * spec.n_moe_layers
    return routed * bytes_per_element(weight_precision, "weight_precision")


def dense_bytes_total(spec: ModelSpec, weight_precision: str) -> float:
    """Bytes of everything but the routed experts; embeddings and LM head stay 16-bit."""
    c = param_counts(spec)
    wb = bytes_per_element(weight_precision, "weight_precision")
    body = c.total - c.embedding - c.lm_head
    routed = (spec.moe_experts or 0) * c.expert * spec.n_moe_layers if spec.is_moe else 0.0
    return (body - routed) * wb + 2.0 * (c.embedding + c.lm_head)


def expected_experts_touched(spec: ModelSpec, tokens: float) -> float:
    """Expected distinct routed experts per MoE layer touched by ``tokens`` tokens (uniform top-k)."""
    if not spec.is_moe:
        return 0.0
    e, k = float(spec.moe_experts or 1), float(spec.moe_topk or 1)
    return e * (1.0 - (1.0 - k / e) ** max(tokens, 0.0))


def touched_fraction(spec: ModelSpec, tokens: float) -> float:
    """Fraction of the routed expert weights read by a step of ``tokens`` tokens."""
    if not spec.is_moe:
        return 0.0
    return expected_experts_touched(spec, tokens) / float(spec.moe_experts or 1)
