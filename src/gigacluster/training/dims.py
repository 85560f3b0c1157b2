"""Scalars of a model that the vectorised cost model needs, computed once per job."""

from __future__ import annotations

from dataclasses import dataclass

from gigacluster.llm.counts import kv_dim, param_counts, qk_dim, v_dim
from gigacluster.llm.spec import ModelSpec

DTYPE_BYTES = 2.0  # bf16/fp16 activations and communication


@dataclass(frozen=True)
class Dims:
    """Per-layer parameter counts and per-token activation bytes (Korthikanti et al. 2022, §4.1,
    generalised to GQA/MLA widths and SwiGLU; flash attention, so no s² softmax term)."""

    layers: int
    dense_layers: int
    moe_layers: int
    hidden: int
    vocab: int
    qk: int
    v: int
    kv: int
    ffn: int
    moe_ffn: int
    experts: int
    topk: int
    shared: int
    gated: bool
    attn_params: float
    mlp_params: float
    expert_params: float
    norm_params: float
    embedding_params: float
    head_params: float
    dense_act_bytes: float
    moe_act_bytes: float
    dense_gemm_input_bytes: float
    moe_gemm_input_bytes: float

    @property
    def moe_fraction(self) -> float:
        return self.moe_layers / self.layers

    @property
    def act_bytes_per_layer(self) -> float:
        """Mean stored activation bytes per token per layer (no recompute, no parallelism)."""
        return (self.dense_layers * self.dense_act_bytes + self.moe_layers * self.moe_act_bytes) / self.layers

    @property
    def act_bytes_per_layer_low_precision(self) -> float:
        """The same under fp8/fp4 GEMMs: Transformer Engine keeps the saved GEMM inputs in fp8
        (1 byte instead of 2) for the weight-gradient GEMMs; everything else stays 16-bit."""
        saved = (self.dense_layers * self.dense_gemm_input_bytes + self.moe_layers * self.moe_gemm_input_bytes)
        return self.act_bytes_per_layer - 0.5 * saved / self.layers


def _attention_act(h: int, qk: int, kv: int, v: int) -> float:
    # LN out 2h + Q,K,V 2(qk + 2kv) + attention out 2v + two LN inputs 4h (no dropout: modern LLM
    # pre-training runs with dropout 0, so Korthikanti's 1-byte masks are not stored)
    return 2 * h + 2 * (qk + 2 * kv) + 2 * v + 4 * h


def _attention_gemm_inputs(h: int, v: int) -> float:
    # LN out (QKV input) 2h + attention out (projection input) 2v
    return 2 * h + 2 * v


def _mlp_gemm_inputs(h: int, ffn: int) -> float:
    # FFN input 2h + activation output (down-projection input) 2F
    return 2 * h + 2 * ffn


def _mlp_act(h: int, ffn: int, gated: bool) -> float:
    # input 2h + (gate, up, act outputs 6F | gelu in/out 4F)
    return 2 * h + (6 if gated else 4) * ffn


def dims_of(spec: ModelSpec) -> Dims:
    c = param_counts(spec)
    h, gated = spec.hidden, spec.gated_mlp
    qk, v, kv = qk_dim(spec), v_dim(spec), kv_dim(spec)
    if spec.mla:
        kv = spec.heads * (spec.mla.qk_nope_head_dim + spec.mla.qk_rope_head_dim)
    attn_act = _attention_act(h, qk, kv, v)
    ffn, moe_ffn = spec.ffn_hidden or 0, spec.moe_ffn_hidden or 0
    topk, shared = spec.moe_topk or 0, spec.moe_shared_experts or 0
    # routed copies also keep their fc2 output (2h): the combine weights it by the routing
    # probability, whose gradient needs it (Megatron-Core unpermute)
    moe_mlp_act = 2 * h + topk * (_mlp_act(h, moe_ffn, gated) + 2 * h) + shared * _mlp_act(h, moe_ffn, gated)
    return Dims(
        layers=spec.layers, dense_layers=spec.n_dense_layers, moe_layers=spec.n_moe_layers,
        hidden=h, vocab=spec.vocab, qk=qk, v=v, kv=kv, ffn=ffn, moe_ffn=moe_ffn,
        experts=spec.moe_experts or 0, topk=topk, shared=shared, gated=gated,
        attn_params=c.attention_per_layer, mlp_params=c.dense_mlp_per_layer, expert_params=c.expert,
        norm_params=c.norms_per_layer, embedding_params=c.embedding, head_params=c.lm_head or c.embedding,
        dense_act_bytes=attn_act + _mlp_act(h, ffn, gated) if ffn else attn_act,
        moe_act_bytes=attn_act + moe_mlp_act,
        dense_gemm_input_bytes=_attention_gemm_inputs(h, v) + (_mlp_gemm_inputs(h, ffn) if ffn else 0.0),
        moe_gemm_input_bytes=_attention_gemm_inputs(h, v) + (topk + shared) * _mlp_gemm_inputs(h, moe_ffn),
    )
