"""Typed, validated serving options: deployment, MTP, prefix caching, KV tiers, traffic profile, routing.

Every bound lives in the pydantic field, so bad input (a negative hit rate, an acceptance rate above
1) is one :class:`GigaclusterError` naming the field (see :func:`parse_options`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gigacluster.errors import from_validation

Deployment = Literal["agg", "disagg", "auto"]
Routing = Literal["round_robin", "least_outstanding", "kv_aware"]


class MtpSpec(BaseModel):
    """Multi-token prediction / speculative decoding: ``depth`` draft tokens per step, each accepted
    with probability ``accept`` given the previous one was (DeepSeek-V3 report §5.4.3: depth 1,
    85-90% acceptance, ~1.8x decode speed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    depth: int = Field(0, ge=0, le=8)
    accept: float = Field(0.85, ge=0.0, le=1.0)

    def tokens_per_step(self) -> float:
        """Expected tokens emitted per decode step: 1 + a + a^2 + ... + a^depth (chain acceptance)."""
        return sum(self.accept**i for i in range(self.depth + 1))


class ServingOptions(BaseModel):
    """Options of a serving plan beyond the model, accelerator, traffic and SLOs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deployment: Deployment = Field("agg", description="agg: colocated engines; disagg: prefill and decode "
                                   "pools; auto: whichever needs fewer GPUs at the peak")
    mtp: MtpSpec = MtpSpec()
    prefix_hit_rate: float = Field(0.0, ge=0.0, lt=1.0, description="share of input tokens served from a "
                                   "prefix cache (no prefill compute; their KV still occupies memory)")
    kv_offload_gb_per_gpu: float = Field(0.0, ge=0.0, description="host/SSD KV tier per GPU that holds "
                                         "cached prefixes (does not add decode batch capacity)")
    kv_link: Literal["rdma", "nvlink"] = "rdma"
    routing: Routing = "least_outstanding"
    n_plus: int = Field(1, ge=0, le=8, description="spare deployment units per pool (N+1 = 1)")
    regional_headroom: float = Field(0.0, ge=0.0, le=1.0, description="extra capacity share per region")
    scale_up_delay_h: float = Field(0.0, ge=0.0, le=24.0, description="hours a pool needs to grow")
    traffic_profile: str | None = Field(None, description="flat | diurnal | FILE of 24 hourly weights; "
                                        "None sizes every hour for the traffic's peak (no autoscaling)")
    prefill_gpus: int | None = Field(None, ge=1, le=4096, description="fix the prefill engine size (wide EP)")
    decode_gpus: int | None = Field(None, ge=1, le=4096, description="fix the decode engine size (wide EP)")
    price_input_usd_per_mtok: float | None = Field(None, ge=0.0, description="price of uncached input tokens")
    price_cached_input_usd_per_mtok: float | None = Field(None, ge=0.0, description="price of cache-hit input")
    price_output_usd_per_mtok: float | None = Field(None, ge=0.0)
    sim_requests: int = Field(5000, ge=200, le=1_000_000)
    adaptive_samples: bool = Field(True, description="double the simulated requests (up to 4x) until two "
                                   "sample sizes agree within 2%")
    seed: int = Field(0, ge=0)


def parse_options(**values: Any) -> ServingOptions:
    """Build options; a bad value becomes one GigaclusterError naming the field."""
    try:
        return ServingOptions(**values)
    except ValidationError as exc:
        raise from_validation(exc) from None
