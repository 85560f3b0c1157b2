"""Serving layout (TP / PP / EP / attention-DP), its memory footprint and KV-cache capacity.

An *engine* is the set of GPUs that serve one batch together: ``tp x pp`` GPUs for a dense model;
``tp x pp x dp`` for an MoE model with data-parallel attention (``dp`` attention groups, the
routed experts sharded over all ``ep = tp x dp`` GPUs of a pipeline stage, as in DeepSeek-V3 /
TensorRT-LLM "attention DP"). For a dense model ``dp`` counts independent engine replicas.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.inference.kv import (
    dense_bytes_total,
    expert_bytes_total,
    kv_bytes_per_token,
    kv_replication,
)
from gigacluster.llm.spec import ModelSpec


class ServingLayout(BaseModel):
    """Parallel degrees and precisions of one serving deployment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tp: int = Field(1, ge=1)
    pp: int = Field(1, ge=1)
    dp: int = Field(1, ge=1)
    ep: int = Field(1, ge=1)
    weight_precision: str = "bf16"
    kv_precision: str = "bf16"
    moe_a2a: Literal["collective", "deepep"] = Field(
        "collective", description="collective: NCCL-style all-to-all added to the step; deepep: "
        "low-latency kernels for decode tokens, normal kernels for prefill tokens (wide_ep)")
    overlap: Literal["none", "two_batch"] = "none"
    redundant_experts: int = Field(0, ge=0, description="extra expert replicas (EPLB), memory only")

    @property
    def wide(self) -> bool:
        """A DeepEP-style wide expert-parallel engine (attention-DP, TP 1 or small)."""
        return self.moe_a2a == "deepep"

    def engine_gpus(self, spec: ModelSpec) -> int:
        """GPUs that run one batch together."""
        return self.tp * self.pp * (self.dp if spec.is_moe else 1)

    def attention_groups(self, spec: ModelSpec) -> int:
        return self.dp if spec.is_moe else 1

    def label(self) -> str:
        parts = [f"tp{self.tp}", f"pp{self.pp}", f"dp{self.dp}"]
        if self.ep > 1:
            parts.append(f"ep{self.ep}")
        if self.wide:
            parts.append("deepep" + ("+tbo" if self.overlap == "two_batch" else ""))
        return "-".join(parts) + f" w:{self.weight_precision} kv:{self.kv_precision}"


class MemoryFit(BaseModel):
    """Per-GPU memory of a layout: weights, reserve, and the KV cache that fits in the rest."""

    model_config = ConfigDict(frozen=True)

    weights_gb_per_gpu: float
    reserve_gb_per_gpu: float
    kv_gb_per_gpu: float
    kv_tokens_per_engine: float
    kv_bytes_per_token: float


def weights_bytes_per_gpu(spec: ModelSpec, layout: ServingLayout) -> float:
    """Dense part split over tp x pp (replicated over attention-DP groups); routed experts over
    every GPU of the engine (EP x PP)."""
    dense = dense_bytes_total(spec, layout.weight_precision) / (layout.tp * layout.pp)
    spread = 1.0 + layout.redundant_experts / float(spec.moe_experts or 1)
    experts = expert_bytes_total(spec, layout.weight_precision) * spread / layout.engine_gpus(spec)
    return dense + experts


def memory_fit(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, kv_fraction: float,
               reserve_gb: float) -> MemoryFit:
    """KV capacity: ``kv_fraction`` of the memory left after weights and a fixed reserve
    (TensorRT-LLM's ``free_gpu_memory_fraction``, vLLM's ``gpu_memory_utilization``)."""
    w_gb = weights_bytes_per_gpu(spec, layout) / 1e9
    free_gb = max(accel.hbm_gb - w_gb - reserve_gb, 0.0) * kv_fraction
    kvpt = kv_bytes_per_token(spec, layout.kv_precision)
    per_token_engine = kvpt * kv_replication(spec, layout.tp)
    tokens = free_gb * 1e9 * layout.engine_gpus(spec) / per_token_engine
    return MemoryFit(weights_gb_per_gpu=w_gb, reserve_gb_per_gpu=reserve_gb, kv_gb_per_gpu=free_gb,
                     kv_tokens_per_engine=tokens, kv_bytes_per_token=kvpt)


def check_fits(spec: ModelSpec, accel: Accelerator, layout: ServingLayout, fit: MemoryFit,
               request_tokens: float) -> None:
    """Raise unless the weights and at least one request's KV cache fit."""
    if fit.weights_gb_per_gpu + fit.reserve_gb_per_gpu >= accel.hbm_gb:
        raise GigaclusterError(
            "layout", f"{layout.label()}: weights need {fit.weights_gb_per_gpu:.1f} GB per GPU, "
            f"{accel.id} has {accel.hbm_gb:g} GB")
    if fit.kv_tokens_per_engine < request_tokens:
        raise GigaclusterError(
            "layout", f"{layout.label()}: KV cache holds {fit.kv_tokens_per_engine:.0f} tokens, "
            f"one request needs {request_tokens:.0f}")


def candidate_layouts(spec: ModelSpec, accel: Accelerator, num_gpus: int | None, weight_precision: str,
                      kv_precision: str, max_tp: int = 8) -> list[ServingLayout]:
    """Layouts a search considers: TP that divides the heads (within the scale-up domain), PP
    when a TP group cannot hold the weights, and for MoE attention-DP with EP over the engine."""
    out: list[ServingLayout] = []
    tps = [t for t in (1, 2, 4, 8, 16) if t <= min(max_tp, accel.scaleup_domain) and spec.heads % t == 0]
    for tp in tps:
        for pp in (1, 2, 4):
            dense_gpus = tp * pp
            if num_gpus and num_gpus % dense_gpus:
                continue
            dp = num_gpus // dense_gpus if num_gpus else 1
            ep = tp * dp if spec.is_moe else 1
            out.append(ServingLayout(tp=tp, pp=pp, dp=dp, ep=ep, weight_precision=weight_precision,
                                     kv_precision=kv_precision))
            if spec.is_moe and tp > 1 and (num_gpus is None or num_gpus % pp == 0):
                g = num_gpus // pp if num_gpus else tp
                out.append(ServingLayout(tp=1, pp=pp, dp=g, ep=g, weight_precision=weight_precision,
                                         kv_precision=kv_precision))
    if spec.is_moe:
        out += wide_ep_layouts(spec, num_gpus, weight_precision, kv_precision)
    uniq = {lay.label(): lay for lay in out}
    return list(uniq.values())


#: engine sizes a search tries for wide expert parallelism (2 to 40 8-GPU nodes; 1, 2, 4 NVL72 racks)
WIDE_EP_SIZES: tuple[int, ...] = (16, 32, 64, 72, 128, 144, 256, 320)


def wide_ep_layouts(spec: ModelSpec, num_gpus: int | None, weight_precision: str,
                    kv_precision: str) -> list[ServingLayout]:
    """Attention-DP x EP engines with DeepEP kernels and two-batch overlap (DeepSeek-V3 serving):
    every GPU one attention rank and ``E / ep`` experts."""
    sizes = (num_gpus,) if num_gpus else WIDE_EP_SIZES
    return [ServingLayout(tp=1, dp=n, ep=n, weight_precision=weight_precision, kv_precision=kv_precision,
                          moe_a2a="deepep", overlap="two_batch") for n in sizes if n >= 16]
