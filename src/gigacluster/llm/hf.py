"""Import a Hugging Face ``config.json`` (Llama, Mistral/Mixtral, Qwen2/Qwen3(-MoE), DeepSeek-V2/V3,
GPT-2/NeoX-style) into a :class:`ModelSpec`."""

from __future__ import annotations

from typing import Any

from gigacluster.errors import GigaclusterError
from gigacluster.llm.spec import MLASpec, ModelSpec

_GELU_ACTS = {"gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "quick_gelu"}


def _get(cfg: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if cfg.get(key) is not None:
            return cfg[key]
    return None


def _as_int(key: str, value: Any) -> int:
    """A whole number from a config value (1024 or 1024.0); strings, booleans, NaN, fractions and
    negatives are one-line errors naming the key."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value in (
            float("inf"), float("-inf")) or value != int(value):
        raise GigaclusterError(f"config.{key}", f"expected a whole number, got {value!r}")
    if value < 0:
        raise GigaclusterError(f"config.{key}", f"must be ≥ 0, got {value!r}")
    return int(value)


def _int(cfg: dict[str, Any], *keys: str) -> int | None:
    """The first of ``keys`` present, as a whole number, or None."""
    for key in keys:
        if cfg.get(key) is not None:
            return _as_int(key, cfg[key])
    return None


def _need(cfg: dict[str, Any], field: str, *keys: str) -> int:
    value = _int(cfg, *keys)
    if value is None:
        raise GigaclusterError(f"config.{keys[0]}", f"required to build the model's {field}")
    if value <= 0:
        raise GigaclusterError(f"config.{keys[0]}", f"must be > 0, got {value}")
    return value


def _mlp(cfg: dict[str, Any]) -> str:
    act = str(_get(cfg, "hidden_act", "activation_function", "hidden_activation") or "silu").lower()
    if act in _GELU_ACTS:
        return "gelu"
    if act == "relu":
        return "relu"
    return "swiglu"


def _moe_fields(cfg: dict[str, Any], layers: int) -> dict[str, Any]:
    experts = _int(cfg, "n_routed_experts", "num_local_experts", "num_experts")
    if not experts:
        return {"arch": "dense"}
    shared = _int(cfg, "n_shared_experts", "num_shared_experts") or 0
    dense = _int(cfg, "first_k_dense_replace") or 0
    step = _int(cfg, "interleave_moe_layer_step", "decoder_sparse_step") or 1
    if step > 1:
        dense = layers - layers // step
    groups, top_groups = _int(cfg, "n_group") or 1, _int(cfg, "topk_group") or 1
    limited = {"moe_groups": groups, "moe_topk_groups": top_groups} if 1 < groups and top_groups < groups else {}
    return {
        **limited,
        "arch": "moe",
        "moe_experts": experts,
        "moe_topk": _int(cfg, "num_experts_per_tok", "moe_topk", "top_k") or 1,
        "moe_shared_experts": shared,
        "moe_ffn_hidden": _int(cfg, "moe_intermediate_size", "intermediate_size") or 0,
        "moe_dense_layers": dense,
        "moe_layer_interleave": step,
    }


def _mla(cfg: dict[str, Any]) -> MLASpec | None:
    if cfg.get("kv_lora_rank") is None:
        return None
    return MLASpec(
        q_lora_rank=_int(cfg, "q_lora_rank"),
        kv_lora_rank=_need(cfg, "MLA ranks", "kv_lora_rank"),
        qk_nope_head_dim=_need(cfg, "MLA ranks", "qk_nope_head_dim"),
        qk_rope_head_dim=_need(cfg, "MLA ranks", "qk_rope_head_dim"),
        v_head_dim=_need(cfg, "MLA ranks", "v_head_dim"),
    )


def from_hf_config(cfg: dict[str, Any], name: str = "hf-model") -> ModelSpec:
    """Build a spec from a Hugging Face config dict. Multimodal configs use their text_config."""
    if isinstance(cfg.get("text_config"), dict):
        cfg = {**cfg["text_config"], "architectures": cfg.get("architectures")}
    layers = _need(cfg, "layers", "num_hidden_layers", "n_layer", "num_layers")
    hidden = _need(cfg, "hidden", "hidden_size", "n_embd", "d_model")
    heads = _need(cfg, "heads", "num_attention_heads", "n_head")
    kv_heads = _int(cfg, "num_key_value_heads", "num_kv_heads") or heads
    mla = _mla(cfg)
    moe = _moe_fields(cfg, layers)
    ffn = _int(cfg, "intermediate_size_mlp", "intermediate_size", "n_inner", "ffn_dim")
    if moe["arch"] == "moe" and not moe.get("moe_dense_layers"):
        ffn = None
    elif ffn is None:
        ffn = 4 * hidden
    attention = "mla" if mla else ("mha" if kv_heads == heads else ("mqa" if kv_heads == 1 else "gqa"))
    return ModelSpec(
        name=str(_get(cfg, "_name_or_path") or name)[:200],
        layers=layers,
        hidden=hidden,
        heads=heads,
        kv_heads=kv_heads,
        head_dim=_int(cfg, "head_dim") or (mla.v_head_dim if mla else max(1, hidden // heads)),
        ffn_hidden=ffn or None,
        vocab=_need(cfg, "vocab", "vocab_size"),
        attention=attention,
        mlp=_mlp(cfg),  # type: ignore[arg-type]
        tied_embeddings=bool(cfg.get("tie_word_embeddings", False)),
        position_embedding="rope" if cfg.get("rope_theta") or cfg.get("rope_scaling") else None,
        max_seq_len=_int(cfg, "max_position_embeddings", "n_positions") or None,
        mla=mla,
        source="Hugging Face config.json",
        **moe,
    )
