"""Parameter and FLOP counts per layer and per token.

Conventions (forward pass; a multiply-add is 2 FLOPs):
- matmul FLOPs per token = 2 x matmul parameters the token touches (Kaplan et al. 2020, eq. 2.2);
- attention core per token per layer = 2·s_ctx·(h_q·d_qk) for QKᵀ plus 2·s_ctx·(h_q·d_v) for AV,
  with s_ctx = s for the PaLM/Megatron convention (non-causal, PaLM App. B: 12·L·H·Q·T for
  fwd+bwd) and s_ctx = s/2 for what a causal flash-attention kernel executes;
- backward = 2 x forward, so training = 3 x forward (+1 forward per recomputed part).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.llm.spec import ModelSpec


class ParamCounts(BaseModel):
    """Parameters by part. ``active`` counts what one token touches (top-k + shared experts)."""

    model_config = ConfigDict(frozen=True)

    embedding: float
    lm_head: float
    attention_per_layer: float
    dense_mlp_per_layer: float
    moe_layer_total: float
    moe_layer_active: float
    expert: float
    norms_per_layer: float
    total: float
    active: float

    @property
    def dense_layers_total(self) -> float:
        return self.total - self.embedding - self.lm_head


def qk_dim(spec: ModelSpec) -> int:
    """Per-token width of all query (and key) heads."""
    if spec.mla:
        return spec.heads * (spec.mla.qk_nope_head_dim + spec.mla.qk_rope_head_dim)
    return spec.heads * spec.d_head


def v_dim(spec: ModelSpec) -> int:
    """Per-token width of all value heads (= attention output width)."""
    if spec.mla:
        return spec.heads * spec.mla.v_head_dim
    return spec.heads * spec.d_head


def kv_dim(spec: ModelSpec) -> int:
    """Per-token width of the K (or V) projection: the KV-head share under GQA/MQA."""
    return spec.n_kv_heads * spec.d_head


def attention_params(spec: ModelSpec) -> float:
    h = spec.hidden
    if spec.mla:
        m = spec.mla
        q = h * m.q_lora_rank + m.q_lora_rank * qk_dim(spec) if m.q_lora_rank else h * qk_dim(spec)
        kv = h * (m.kv_lora_rank + m.qk_rope_head_dim)
        kv += m.kv_lora_rank * spec.heads * (m.qk_nope_head_dim + m.v_head_dim)
        return float(q + kv + v_dim(spec) * h)
    return float(h * qk_dim(spec) + 2 * h * kv_dim(spec) + v_dim(spec) * h)


def mlp_params(spec: ModelSpec, ffn: int) -> float:
    """One FFN (dense layer or one expert): gated (SwiGLU) has three matrices, others two."""
    return float((3 if spec.gated_mlp else 2) * spec.hidden * ffn)


def param_counts(spec: ModelSpec) -> ParamCounts:
    h = spec.hidden
    emb = float(spec.vocab * h)
    if spec.position_embedding == "learned" and spec.max_seq_len:
        emb += spec.max_seq_len * h
    head = 0.0 if spec.tied else float(spec.vocab * h)
    attn = attention_params(spec)
    dense_mlp = mlp_params(spec, spec.ffn_hidden) if spec.ffn_hidden else 0.0
    expert = mlp_params(spec, spec.moe_ffn_hidden) if spec.moe_ffn_hidden else 0.0
    shared = (spec.moe_shared_experts or 0) * expert
    router = float(h * (spec.moe_experts or 0))
    moe_total = (spec.moe_experts or 0) * expert + shared + router
    moe_active = (spec.moe_topk or 0) * expert + shared + router
    norms = 2.0 * h
    body = spec.layers * (attn + norms) + spec.n_dense_layers * dense_mlp
    total = emb + head + body + spec.n_moe_layers * moe_total
    active = emb + head + body + spec.n_moe_layers * moe_active
    return ParamCounts(
        embedding=emb, lm_head=head, attention_per_layer=attn, dense_mlp_per_layer=dense_mlp,
        moe_layer_total=moe_total, moe_layer_active=moe_active, expert=expert,
        norms_per_layer=norms, total=total, active=active,
    )


def matmul_flops_per_token(spec: ModelSpec) -> float:
    """Forward matmul FLOPs per token: 2 x active matmul parameters, LM head included."""
    c = param_counts(spec)
    matmul = spec.layers * c.attention_per_layer + spec.n_dense_layers * c.dense_mlp_per_layer
    matmul += spec.n_moe_layers * c.moe_layer_active
    return 2.0 * (matmul + spec.vocab * spec.hidden)


def attention_flops_per_token(spec: ModelSpec, seq_len: int, causal: bool) -> float:
    """Forward attention-core FLOPs per token over all layers (QKᵀ and AV)."""
    s_ctx = seq_len / 2 if causal else seq_len
    return 2.0 * s_ctx * (qk_dim(spec) + v_dim(spec)) * spec.layers


def model_flops_per_token(spec: ModelSpec, seq_len: int, causal: bool = False) -> float:
    """Training model FLOPs per token, no recompute: 3 x forward (PaLM App. B when non-causal)."""
    return 3.0 * (matmul_flops_per_token(spec) + attention_flops_per_token(spec, seq_len, causal))
