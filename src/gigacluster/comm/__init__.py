"""Collectives on a tiered fabric: alpha-beta cost with message-size efficiency."""

from gigacluster.comm.collectives import (
    CommParams,
    Tier,
    TieredFabric,
    all_gather_s,
    all_reduce_s,
    all_to_all_s,
    default_fabric,
    latency_s,
    p2p_s,
    reduce_scatter_s,
)

__all__ = [
    "CommParams",
    "Tier",
    "TieredFabric",
    "all_gather_s",
    "default_fabric",
    "all_reduce_s",
    "all_to_all_s",
    "latency_s",
    "p2p_s",
    "reduce_scatter_s",
]
