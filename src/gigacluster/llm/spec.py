"""Transformer architecture spec (dense and MoE; MHA/GQA/MQA/MLA), frozen and validated."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from gigacluster.errors import GigaclusterError

Arch = Literal["dense", "moe"]
Attention = Literal["mha", "gqa", "mqa", "mla"]
MLP = Literal["gelu", "relu", "swiglu", "squared_relu"]


class MLASpec(BaseModel):
    """Multi-head latent attention ranks (DeepSeek-V2/V3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    q_lora_rank: int | None = None
    kv_lora_rank: int
    qk_nope_head_dim: int
    qk_rope_head_dim: int
    v_head_dim: int


class ModelSpec(BaseModel):
    """A transformer as published. ``params_b`` is the published count (informational);
    gigacluster counts parameters itself from the dimensions (see :mod:`gigacluster.llm.counts`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    arch: Arch = "dense"
    params_b: float | None = None
    active_params_b: float | None = None
    layers: int
    hidden: int
    heads: int
    kv_heads: int | None = None
    head_dim: int | None = None
    ffn_hidden: int | None = None
    vocab: int
    attention: Attention = "mha"
    moe_experts: int | None = None
    moe_topk: int | None = None
    moe_shared_experts: int | None = None
    moe_ffn_hidden: int | None = None
    moe_dense_layers: int | None = None
    moe_layer_interleave: int | None = None
    mlp: MLP = "gelu"
    tied_embeddings: bool | None = None
    position_embedding: str | None = None
    max_seq_len: int | None = None
    mla: MLASpec | None = None
    mtp_layers: int | None = None
    parallel_block: bool | None = None
    aliases: list[str] | None = None
    uncertain: list[str] | None = None
    source: str = ""
    notes: str = ""

    @model_validator(mode="after")
    def _check(self) -> ModelSpec:
        for field in ("layers", "hidden", "heads", "vocab"):
            if getattr(self, field) <= 0:
                raise GigaclusterError(f"model.{field}", f"must be > 0, got {getattr(self, field)}")
        if self.arch == "moe":
            for field in ("moe_experts", "moe_topk", "moe_ffn_hidden"):
                if not getattr(self, field):
                    raise GigaclusterError(f"model.{field}", "required (> 0) when arch is moe")
        elif not self.ffn_hidden:
            raise GigaclusterError("model.ffn_hidden", "required (> 0) for a dense model")
        if self.attention == "mla" and self.mla is None:
            raise GigaclusterError("model.mla", "required when attention is mla")
        if self.heads % self.n_kv_heads:
            raise GigaclusterError(
                "model.kv_heads", f"must divide heads ({self.heads}), got {self.n_kv_heads}"
            )
        return self

    # --- derived dimensions -------------------------------------------------------------------
    @property
    def n_kv_heads(self) -> int:
        if self.attention == "mqa":
            return 1
        return self.kv_heads or self.heads

    @property
    def d_head(self) -> int:
        return self.head_dim or self.hidden // self.heads

    @property
    def is_moe(self) -> bool:
        return self.arch == "moe"

    @property
    def n_dense_layers(self) -> int:
        """Layers with a dense FFN (all layers of a dense model)."""
        if not self.is_moe:
            return self.layers
        return self.moe_dense_layers or 0

    @property
    def n_moe_layers(self) -> int:
        return self.layers - self.n_dense_layers

    @property
    def gated_mlp(self) -> bool:
        return self.mlp == "swiglu"

    @property
    def tied(self) -> bool:
        return bool(self.tied_embeddings)
