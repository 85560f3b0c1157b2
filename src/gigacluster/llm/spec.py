"""Transformer architecture spec (dense and MoE; MHA/GQA/MQA/MLA), frozen and validated."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gigacluster.errors import GigaclusterError
from gigacluster.limits import MAX_EXPERTS, MAX_LAYERS, MAX_WIDTH, Heads, Layers, SeqLen, Vocab, Width

Arch = Literal["dense", "moe"]
Attention = Literal["mha", "gqa", "mqa", "mla"]
MLP = Literal["gelu", "relu", "swiglu", "squared_relu"]
# How the router was trained to balance expert load: DeepSeek-V3's bias-adjusted auxiliary-loss-free
# balancing (report §2.1.2), or an auxiliary balance loss (GShard / Switch; DeepSeek-V2 §2.2.3).
Balancing = Literal["aux_loss_free", "aux_loss"]


class MLASpec(BaseModel):
    """Multi-head latent attention ranks (DeepSeek-V2/V3)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    q_lora_rank: Width | None = None
    kv_lora_rank: Width
    qk_nope_head_dim: Width
    qk_rope_head_dim: Width
    v_head_dim: Width


class ModelSpec(BaseModel):
    """A transformer as published. ``params_b`` is the published count (informational);
    gigacluster counts parameters itself from the dimensions (see :mod:`gigacluster.llm.counts`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str = Field(max_length=200)
    arch: Arch = "dense"
    params_b: float | None = Field(default=None, ge=0, le=1e9)
    active_params_b: float | None = Field(default=None, ge=0, le=1e9)
    layers: Layers
    hidden: Width
    heads: Heads
    kv_heads: Heads | None = None
    head_dim: Width | None = None
    ffn_hidden: int | None = Field(default=None, ge=0, le=MAX_WIDTH)
    vocab: Vocab
    attention: Attention = "mha"
    moe_experts: int | None = Field(default=None, ge=0, le=MAX_EXPERTS)
    moe_topk: int | None = Field(default=None, ge=0, le=MAX_EXPERTS)
    moe_shared_experts: int | None = Field(default=None, ge=0, le=MAX_EXPERTS)
    moe_ffn_hidden: int | None = Field(default=None, ge=0, le=MAX_WIDTH)
    moe_dense_layers: int | None = Field(default=None, ge=0, le=MAX_LAYERS)
    moe_layer_interleave: int | None = Field(default=None, ge=1, le=MAX_LAYERS)
    # node-limited (group-limited) routing: experts split into ``moe_groups`` contiguous groups and
    # each token routed within its best ``moe_topk_groups`` groups (DeepSeek-V3 report §2.1.2; HF
    # config ``n_group`` / ``topk_group``); blank = unrestricted
    moe_groups: int | None = Field(default=None, ge=1, le=MAX_EXPERTS)
    moe_topk_groups: int | None = Field(default=None, ge=1, le=MAX_EXPERTS)
    moe_balancing: Balancing | None = None  # blank: not published (treated as balanced routing)
    mlp: MLP = "gelu"
    tied_embeddings: bool | None = None
    position_embedding: str | None = None
    max_seq_len: SeqLen | None = None
    mla: MLASpec | None = None
    mtp_layers: int | None = Field(default=None, ge=0, le=MAX_LAYERS)
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
        if self.is_moe and self.moe_topk is not None and self.moe_experts is not None \
                and self.moe_topk > self.moe_experts:
            raise GigaclusterError("model.moe_topk", f"must be ≤ moe_experts ({self.moe_experts}), got {self.moe_topk}")
        if self.is_moe and (self.moe_dense_layers or 0) > self.layers:
            raise GigaclusterError("model.moe_dense_layers", f"must be ≤ layers ({self.layers}), "
                                                             f"got {self.moe_dense_layers}")
        self._check_groups()
        if self.attention == "mla" and self.mla is None:
            raise GigaclusterError("model.mla", "required when attention is mla")
        if self.heads % self.n_kv_heads:
            raise GigaclusterError(
                "model.kv_heads", f"must divide heads ({self.heads}), got {self.n_kv_heads}"
            )
        return self

    def _check_groups(self) -> None:
        groups, top = self.moe_groups, self.moe_topk_groups
        if (groups is None) != (top is None):
            raise GigaclusterError("model.moe_topk_groups", "give moe_groups and moe_topk_groups together "
                                                            f"(got {groups} and {top})")
        if groups is None or top is None:
            return
        if top > groups:
            raise GigaclusterError("model.moe_topk_groups", f"must be ≤ moe_groups ({groups}), got {top}")
        if self.moe_experts and self.moe_experts % groups:
            raise GigaclusterError("model.moe_groups", f"must divide moe_experts ({self.moe_experts}), got {groups}")

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
