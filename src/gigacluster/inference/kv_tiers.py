"""The prefix cache across KV tiers: HBM, host memory, SSD.

A reused prefix is a hit only if its KV is still cached when the next request needs it. With a reuse
window of ``W`` seconds (``prefix_window_s``; provider prompt caches keep a prefix ~5-10 minutes), an
LRU cache must hold the KV of the last ``W`` seconds of prompts (the working set, Denning 1968):

    footprint per GPU F = input tokens/s per GPU x W x KV bytes per token per GPU

The tiers fill in LRU-stack order (HBM, then host, then SSD; the engine's whole KV capacity counts as
HBM cache, an upper bound since running requests also use it). The hit rate achieved is the
workload's reusable share (``prefix_hit_rate``) x min(1, cache capacity / F); each tier serves the
hits of its slice of the stack. A hit from host or SSD is loaded before its request's prefill:

    load time per cached token = KV bytes of the token on one GPU / the tier's bandwidth per GPU

(the GPUs of a TP x PP group each load their part in parallel), added to the request's TTFT; it occupies
DMA engines, not the GPU's compute (LMCache and Mooncake overlap the load with other requests' steps).
Without a window the cache is assumed to hold every reused prefix in HBM (``prefix_hit_rate`` is
achieved at no load cost), as before the tiers existed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError
from gigacluster.inference.kv import kv_replication
from gigacluster.inference.layout import MemoryFit, ServingLayout
from gigacluster.inference.options import ServingOptions
from gigacluster.llm.spec import ModelSpec


class PrefixCache(BaseModel):
    """The prefix cache a workload gets from the tiers: hit rate, where the hits live, their load cost."""

    model_config = ConfigDict(frozen=True)

    hit_rate: float
    footprint_gb_per_gpu: float | None
    hbm_share: float
    host_share: float
    ssd_share: float
    load_s_per_cached_token: float


def _stack_shares(footprint_gb: float, tiers_gb: tuple[float, ...]) -> tuple[float, list[float]]:
    """(share of the footprint cached, each tier's share of the cached part) in LRU-stack order."""
    shares: list[float] = []
    top = 0.0
    for cap in tiers_gb:
        nxt = min(top + cap, footprint_gb)
        shares.append(nxt - top)
        top = nxt
    if top <= 0.0:
        return 0.0, [0.0] * len(tiers_gb)
    return top / footprint_gb, [s / top for s in shares]


def prefix_cache(opts: ServingOptions, kv_bytes_per_token: float, group_gpus: int, hbm_kv_gb_per_gpu: float,
                 input_tokens_per_s_per_gpu: float) -> PrefixCache:
    """The prefix cache of ``opts`` for an engine whose GPUs each hold ``hbm_kv_gb_per_gpu`` of KV and see
    ``input_tokens_per_s_per_gpu`` prompt tokens; a token's KV is ``kv_bytes_per_token`` (replicas
    included) spread over the ``group_gpus`` (TP x PP) that hold one request, which load it in parallel."""
    tiered = opts.kv_host_gb_per_gpu > 0 or opts.kv_ssd_gb_per_gpu > 0
    if opts.prefix_window_s is None:
        if tiered and opts.prefix_hit_rate > 0:
            raise GigaclusterError("prefix_window_s", "required with a host or SSD KV tier (seconds a prefix "
                                   "must stay cached to be reused, e.g. 300)")
        return PrefixCache(hit_rate=opts.prefix_hit_rate, footprint_gb_per_gpu=None, hbm_share=1.0,
                           host_share=0.0, ssd_share=0.0, load_s_per_cached_token=0.0)
    footprint = input_tokens_per_s_per_gpu * opts.prefix_window_s * kv_bytes_per_token / 1e9
    held, (hbm, host, ssd) = _stack_shares(max(footprint, 1e-12), (hbm_kv_gb_per_gpu, opts.kv_host_gb_per_gpu,
                                                                  opts.kv_ssd_gb_per_gpu))
    per_gpu = kv_bytes_per_token / group_gpus
    load = per_gpu * (host / (opts.kv_host_gbps * 1e9) + ssd / (opts.kv_ssd_gbps * 1e9))
    return PrefixCache(hit_rate=opts.prefix_hit_rate * held, footprint_gb_per_gpu=footprint, hbm_share=hbm,
                       host_share=host, ssd_share=ssd, load_s_per_cached_token=load)


def engine_prefix_cache(spec: ModelSpec, layout: ServingLayout, memory: MemoryFit,
                        input_tokens_per_s_per_gpu: float, opts: ServingOptions) -> PrefixCache:
    """The prefix cache of one engine of ``layout`` (its HBM KV capacity ``memory``) across the KV tiers."""
    return prefix_cache(opts, memory.kv_bytes_per_token * kv_replication(spec, layout.tp), layout.tp * layout.pp,
                        memory.kv_gb_per_gpu, input_tokens_per_s_per_gpu)
