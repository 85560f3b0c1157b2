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
    prefix_window_s: float | None = Field(None, gt=0.0, le=30 * 86400.0, description="seconds a prompt's KV "
                                          "must stay cached to be reused (provider prompt caches: 300-600); "
                                          "None: every reused prefix stays in HBM (kv_tiers.py)")
    kv_host_gb_per_gpu: float = Field(0.0, ge=0.0, le=16_384.0, description="host-memory KV tier per GPU "
                                      "for cached prefixes (GB)")
    kv_ssd_gb_per_gpu: float = Field(0.0, ge=0.0, le=1e6, description="SSD KV tier per GPU for cached "
                                     "prefixes (GB)")
    kv_host_gbps: float = Field(50.0, gt=0.0, le=10_000.0, description="host-to-GPU bandwidth per GPU (GB/s); "
                                "default: PCIe 5.0 x16, 64 GB/s per direction, ~50 achieved; NVLink-C2C "
                                "(GH200/GB200) 450 GB/s per direction")
    kv_ssd_gbps: float = Field(5.0, gt=0.0, le=1000.0, description="SSD-to-GPU bandwidth per GPU (GB/s); "
                               "default: DeepSeek 3FS KVCache reads, up to 40 GiB/s per 8-GPU client node")
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
