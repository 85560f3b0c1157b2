"""Scalars of a model that the vectorised cost model needs, computed once per job."""

from __future__ import annotations

from dataclasses import dataclass

from gigacluster.llm.counts import kv_dim, param_counts, qk_dim, v_dim
from gigacluster.llm.spec import ModelSpec

DTYPE_BYTES = 2.0  # bf16/fp16 activations and communication
MODULES = ("core_attn", "moe_act", "layernorm", "mla_up_proj", "mlp", "moe")  # Megatron --recompute-modules


@dataclass(frozen=True)
class ModuleBytes:
    """Stored activation bytes per token, mean per layer, that recomputing each Megatron-Core module
    frees (``--recompute-granularity selective --recompute-modules``; the module's input stays)."""

    core_attn: float  # flash attention keeps only Q, K, V (inputs) and its output: nothing freed
    moe_act: float  # routed experts' activation-function outputs
    layernorm: float  # input_layernorm and pre_mlp_layernorm outputs
    mla_up_proj: float  # up-projected per-head Q, K, V of multi-head latent attention
    mlp: float  # dense MLP internals (dense layers)
    moe: float  # the whole MoE MLP but its input (MoE layers)

    def of(self, module: str) -> float:
        value: float = getattr(self, module)
        return value


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
    groups: int = 0  # node-limited routing: expert groups (0 = unrestricted)
    topk_groups: int = 0  # groups a token may use
    aux_loss: bool = False  # router trained with an auxiliary balance loss
    modules: ModuleBytes = ModuleBytes(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    mla_up_params: float = 0.0  # MLA up-projection weights (W_UQ/W_QR and W_UK/W_UV), per layer
    # per MoE-layer token: the routed copies' fc2 outputs (2h each), stored only by stacks that
    # weight the combine by the routing probability (its gradient needs them; training.stack)
    probs_output_bytes: float = 0.0

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


def _mla_latents(spec: ModelSpec) -> float:
    """Bytes of MLA's compressed latents per token: c_Q (q_lora_rank) and c_KV (kv_lora_rank), each
    stored before its RMSNorm and after it (the up-projection input); DeepSeek-V2 §2.1.2-2.1.3."""
    m = spec.mla
    return 0.0 if m is None else 2 * 2.0 * ((m.q_lora_rank or 0) + m.kv_lora_rank)


def _mla_act(spec: ModelSpec, qk: int, v: int) -> float:
    """Multi-head latent attention (DeepSeek-V2, arXiv 2405.04434, eqs. 9-11 and 14-17): LN out 2h,
    the latents, the up-projected per-head Q, K (nope + rope dims) and V (flash-attention inputs),
    attention out 2v, two LN inputs 4h."""
    h = spec.hidden
    return 2 * h + _mla_latents(spec) + 2 * (2 * qk + v) + 2 * v + 4 * h


def _attention_gemm_inputs(h: int, v: int, latents: float = 0.0) -> float:
    # LN out (QKV input) 2h + attention out (projection input) 2v (+ MLA up-projection inputs)
    return 2 * h + 2 * v + latents / 2


def _mlp_gemm_inputs(h: int, ffn: int) -> float:
    # FFN input 2h + activation output (down-projection input) 2F
    return 2 * h + 2 * ffn


def _mlp_act(h: int, ffn: int, gated: bool) -> float:
    # input 2h + (gate, up, act outputs 6F | gelu in/out 4F)
    return 2 * h + (6 if gated else 4) * ffn


def _mla_up_params(spec: ModelSpec, qk: int) -> float:
    m = spec.mla
    if m is None:
        return 0.0
    return float((m.q_lora_rank or 0) * qk + m.kv_lora_rank * spec.heads * (m.qk_nope_head_dim + m.v_head_dim))


def _module_bytes(spec: ModelSpec, qk: int, v: int, dense_mlp: float, moe_mlp: float) -> ModuleBytes:
    h, layers = spec.hidden, spec.layers
    dense, moe = spec.n_dense_layers / layers, spec.n_moe_layers / layers
    routed_act = (spec.moe_topk or 0) * 2 * (spec.moe_ffn_hidden or 0)  # act output, 2 bytes per F
    return ModuleBytes(
        core_attn=0.0, moe_act=moe * routed_act, layernorm=4.0 * h,
        mla_up_proj=2.0 * (2 * qk + v) if spec.mla else 0.0,
        mlp=dense * max(dense_mlp - 2 * h, 0.0), moe=moe * max(moe_mlp - 2 * h, 0.0),
    )


def dims_of(spec: ModelSpec) -> Dims:
    c = param_counts(spec)
    h, gated = spec.hidden, spec.gated_mlp
    qk, v, kv = qk_dim(spec), v_dim(spec), kv_dim(spec)
    if spec.mla:
        kv = spec.heads * (spec.mla.qk_nope_head_dim + spec.mla.qk_rope_head_dim)
    attn_act = _mla_act(spec, qk, v) if spec.mla else _attention_act(h, qk, kv, v)
    ffn, moe_ffn = spec.ffn_hidden or 0, spec.moe_ffn_hidden or 0
    topk, shared = spec.moe_topk or 0, spec.moe_shared_experts or 0
    moe_mlp_act = 2 * h + topk * _mlp_act(h, moe_ffn, gated) + shared * _mlp_act(h, moe_ffn, gated)
    dense_mlp_act = _mlp_act(h, ffn, gated) if ffn else 0.0
    attn_in = _attention_gemm_inputs(h, v, _mla_latents(spec))
    return Dims(
        layers=spec.layers, dense_layers=spec.n_dense_layers, moe_layers=spec.n_moe_layers,
        hidden=h, vocab=spec.vocab, qk=qk, v=v, kv=kv, ffn=ffn, moe_ffn=moe_ffn,
        experts=spec.moe_experts or 0, topk=topk, shared=shared, gated=gated,
        attn_params=c.attention_per_layer, mlp_params=c.dense_mlp_per_layer, expert_params=c.expert,
        norm_params=c.norms_per_layer, embedding_params=c.embedding, head_params=c.lm_head or c.embedding,
        dense_act_bytes=attn_act + dense_mlp_act,
        moe_act_bytes=attn_act + moe_mlp_act,
        dense_gemm_input_bytes=attn_in + (_mlp_gemm_inputs(h, ffn) if ffn else 0.0),
        moe_gemm_input_bytes=attn_in + (topk + shared) * _mlp_gemm_inputs(h, moe_ffn),
        groups=spec.moe_groups or 0, topk_groups=spec.moe_topk_groups or 0,
        aux_loss=spec.moe_balancing == "aux_loss",
        modules=_module_bytes(spec, qk, v, dense_mlp_act, moe_mlp_act),
        mla_up_params=_mla_up_params(spec, qk),
        probs_output_bytes=topk * 2.0 * h,
    )
