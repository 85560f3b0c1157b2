"""Alpha-beta collective costs on a tiered fabric, vectorised over NumPy arrays.

Cost of a collective over ``n`` ranks moving ``S`` bytes (Thakur, Rabenseifner & Gropp 2005;
NCCL's bus-bandwidth convention, nccl-tests doc/PERFORMANCE.md):

    t = α(n)  +  β_bytes / (B_tier · η(m))

with β_bytes = 2(n−1)/n · S for all-reduce, (n−1)/n · S for all-gather / reduce-scatter /
all-to-all (S = the full buffer per rank), S for point-to-point. ``B_tier`` is the per-GPU,
per-direction bandwidth of the slowest tier the group spans; η(m) = m / (m + m½) is the
message-size efficiency (small messages do not reach link rate).

The fixed cost α(n) of one collective is a named latency model (``CommParams.latency_model``):

- ``log_tree``: α = latency · 2·log2(n) (one latency per step of a tree-like schedule; the serving
  model's custom all-reduce uses it);
- ``nccl``: NCCL's own tuning model (NVIDIA/nccl ``src/graph/tuning.cc``, ``ncclTopoTuneModel``):
  α = base + s_in·hop_up + s_out·hop_out, a ring inside the scale-up domain (s_in = k·(m−1) steps
  over the m ranks per domain, k = 2 for all-reduce, 1 for all-gather / reduce-scatter /
  all-to-all) and a tree across domains (s_out = k·log2(n/m)). It grows with the group size.

All functions take arrays (or scalars) and return float64 arrays: the layout search calls them
on every candidate at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict

FloatArray = NDArray[np.float64]


class Tier(BaseModel):
    """One fabric tier: groups spanning up to ``span_gpus`` GPUs get ``gbytes_per_s`` per GPU per
    direction (already divided by any oversubscription)."""

    model_config = ConfigDict(frozen=True)

    name: str
    span_gpus: float
    gbytes_per_s: float


class TieredFabric(BaseModel):
    """Tiers from the innermost (scale-up domain) outwards; the last tier spans everything."""

    model_config = ConfigDict(frozen=True)

    tiers: tuple[Tier, ...]

    def bandwidth_gbps(self, span_gpus: ArrayLike, members_per_domain: ArrayLike = 1.0) -> FloatArray:
        """Per-GPU bus GB/s of the slowest tier a group covering ``span_gpus`` GPUs crosses.

        ``members_per_domain`` (k): how many of the group's ranks share one scale-up domain. Rings
        and trees of a rail-optimised fabric run one channel per NIC, so a group with k ranks per
        domain moves k NICs' worth of traffic across it, capped by the scale-up link
        (NCCL multi-rail rings; e.g. FSDP over whole 8-GPU nodes reaches ~8 NICs of bus bandwidth,
        a data-parallel group with TP=8 only one)."""
        span = np.asarray(span_gpus, dtype=np.float64)
        k = np.maximum(np.asarray(members_per_domain, dtype=np.float64), 1.0)
        inner = self.tiers[0].gbytes_per_s
        bw = np.minimum(self.tiers[-1].gbytes_per_s * k, inner)
        for tier in reversed(self.tiers[1:-1]):
            bw = np.where(span <= tier.span_gpus, np.minimum(tier.gbytes_per_s * k, inner), bw)
        return np.where(span <= self.tiers[0].span_gpus, inner, bw)

    def tier_name(self, span_gpus: float) -> str:
        for tier in self.tiers:
            if span_gpus <= tier.span_gpus:
                return tier.name
        return self.tiers[-1].name


class CommParams(BaseModel):
    """Calibrated collective constants (see data/calibration.yaml)."""

    model_config = ConfigDict(frozen=True)

    latency_us: float = 10.0  # log_tree: per step; nccl: the base latency of one collective
    half_efficiency_mb: float = 4.0
    scaleup_efficiency: float = 0.8
    scaleout_efficiency: float = 0.8
    latency_model: Literal["log_tree", "nccl"] = "log_tree"
    hop_latency_us: float = 3.4  # nccl: per ring step inside the scale-up domain (NVLink)
    scaleout_hop_latency_us: float = 9.6  # nccl: per step across domains (network)


def _log_tree_s(n: FloatArray, k: float, m: FloatArray | None, p: CommParams) -> FloatArray:
    return 2.0 * np.log2(np.maximum(n, 1.0)) * p.latency_us * 1e-6


def _nccl_s(n: FloatArray, k: float, m: FloatArray | None, p: CommParams) -> FloatArray:
    hop = k * p.hop_latency_us * 1e-6
    if m is None:  # every rank in one scale-up domain: a ring only
        return (p.latency_us * 1e-6 - hop) + hop * np.maximum(n, 1.0)
    nn = np.maximum(n, 1.0)
    inner = np.minimum(np.maximum(m, 1.0), nn)
    outer = np.log2(nn / inner)  # tree steps across domains (in place below: the search's hot path)
    outer *= k * p.scaleout_hop_latency_us * 1e-6
    inner *= hop
    outer += inner
    outer += p.latency_us * 1e-6 - hop
    return outer


# α(n, k, m): n ranks, k passes over the ring (2 all-reduce, 1 otherwise), m ranks per scale-up
# domain (None: all of them)
LATENCY_MODELS: dict[str, Callable[[FloatArray, float, FloatArray | None, CommParams], FloatArray]] = {
    "log_tree": _log_tree_s,
    "nccl": _nccl_s,
}


def _alpha(n: FloatArray, p: CommParams, passes: float, per_domain: ArrayLike | None) -> FloatArray:
    m = None if per_domain is None else np.asarray(per_domain, dtype=np.float64)
    return LATENCY_MODELS[p.latency_model](n, passes, m, p)


def latency_s(n: ArrayLike, p: CommParams, passes: float = 1.0, per_domain: ArrayLike | None = None) -> FloatArray:
    """Fixed cost α of one collective over ``n`` ranks, ``per_domain`` of them in each scale-up
    domain (default: all of them), ``passes`` = 2 for all-reduce (reduce-scatter + all-gather)."""
    k = np.asarray(n, dtype=np.float64)
    return np.where(k > 1, _alpha(k, p, passes, per_domain), 0.0)


def _eta(msg_bytes: FloatArray, p: CommParams) -> FloatArray:
    half = p.half_efficiency_mb * 1e6
    return msg_bytes / (msg_bytes + half)


def _cost(bus_bytes: FloatArray, msg: FloatArray, n: FloatArray, bw_gbps: FloatArray,
          p: CommParams, passes: float, per_domain: ArrayLike | None) -> FloatArray:
    t = _alpha(n, p, passes, per_domain) + bus_bytes / (bw_gbps * 1e9 * np.maximum(_eta(msg, p), 1e-9))
    return np.where(n > 1, t, 0.0)


def _arrays(size: ArrayLike, n: ArrayLike, bw: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    return (np.asarray(size, dtype=np.float64), np.asarray(n, dtype=np.float64),
            np.asarray(bw, dtype=np.float64))


def all_reduce_s(size_bytes: ArrayLike, n: ArrayLike, bw_gbps: ArrayLike, p: CommParams,
                 per_domain: ArrayLike | None = None) -> FloatArray:
    """Ring all-reduce of ``size_bytes`` per rank over ``n`` ranks."""
    s, k, b = _arrays(size_bytes, n, bw_gbps)
    return _cost(2.0 * (k - 1) / np.maximum(k, 1) * s, s, k, b, p, 2.0, per_domain)


def all_gather_s(size_bytes: ArrayLike, n: ArrayLike, bw_gbps: ArrayLike, p: CommParams,
                 per_domain: ArrayLike | None = None) -> FloatArray:
    """All-gather whose gathered (full) buffer is ``size_bytes`` per rank."""
    s, k, b = _arrays(size_bytes, n, bw_gbps)
    return _cost((k - 1) / np.maximum(k, 1) * s, s / np.maximum(k, 1), k, b, p, 1.0, per_domain)


def reduce_scatter_s(size_bytes: ArrayLike, n: ArrayLike, bw_gbps: ArrayLike, p: CommParams,
                     per_domain: ArrayLike | None = None) -> FloatArray:
    """Reduce-scatter of a full buffer of ``size_bytes`` per rank (same cost as all-gather)."""
    return all_gather_s(size_bytes, n, bw_gbps, p, per_domain)


def all_to_all_s(size_bytes: ArrayLike, n: ArrayLike, bw_gbps: ArrayLike, p: CommParams) -> FloatArray:
    """All-to-all where each rank sends ``size_bytes`` in total, spread over the others."""
    s, k, b = _arrays(size_bytes, n, bw_gbps)
    return _cost((k - 1) / np.maximum(k, 1) * s, s / np.maximum(k, 1), k, b, p, 1.0, None)


def p2p_s(size_bytes: ArrayLike, bw_gbps: ArrayLike, p: CommParams) -> FloatArray:
    """One point-to-point send of ``size_bytes``."""
    s, _, b = _arrays(size_bytes, 2.0, bw_gbps)
    return p.latency_us * 1e-6 + s / (b * 1e9 * np.maximum(_eta(s, p), 1e-9))


def default_fabric(
    scaleup_domain: int,
    scaleup_gbytes_per_s: float | None,
    scaleout_gbits_per_s: float | None,
    p: CommParams,
    pod_gpus: float | None = None,
    oversubscription: float = 1.0,
) -> TieredFabric:
    """Scale-up domain (NVLink/ICI), then the scale-out NIC per GPU (rail-optimised fat tree, full
    bisection within a pod), then above the pod divided by ``oversubscription``."""
    up = (scaleup_gbytes_per_s or 0.0) * p.scaleup_efficiency
    out = (scaleout_gbits_per_s or 100.0) / 8.0 * p.scaleout_efficiency
    tiers = [Tier(name="scale-up", span_gpus=scaleup_domain, gbytes_per_s=max(up, out))]
    if pod_gpus and oversubscription > 1.0:
        tiers.append(Tier(name="pod", span_gpus=pod_gpus, gbytes_per_s=out))
        tiers.append(Tier(name="above-pod", span_gpus=float("inf"), gbytes_per_s=out / oversubscription))
    else:
        tiers.append(Tier(name="scale-out", span_gpus=float("inf"), gbytes_per_s=out))
    return TieredFabric(tiers=tuple(tiers))
