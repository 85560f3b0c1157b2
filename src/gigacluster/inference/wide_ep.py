"""Wide expert parallelism: DeepEP-style all-to-all, two-batch overlap, expert load imbalance.

- Low-latency kernels (decode; DeepEP, github.com/deepseek-ai/DeepEP): every (token, expert) copy
  is sent on its own, FP8 dispatch + BF16 combine. The share of copies whose expert lives in the
  same scale-up domain moves over NVLink, the rest over the GPU's NIC; the two paths run in
  parallel, so one dispatch or combine takes latency + max(NIC bytes / NIC rate, NVLink bytes /
  NVLink rate).
- Normal kernels (prefill): hierarchical. A token crosses the network once per distinct remote
  node it is routed to (at most ``node_limit`` nodes, DeepSeek-V3 §2.1.2), then is forwarded to
  its experts over NVLink.
- Two-batch overlap (DeepSeek Day-6 overview; SGLang large-scale EP): the batch is split in two
  micro-batches and one's all-to-all runs while the other computes, so a step takes the smooth
  maximum of compute and communication instead of their sum.
- Load imbalance: routed rows per GPU are a sum of many routing draws; the busiest of ``ep`` GPUs
  carries about mean + sqrt(2 ln(ep) x mean) rows (Gaussian tail of the Poisson count, the
  expected maximum of ``ep`` draws). Redundant experts (EPLB) remove the popularity skew, which
  this model does not add, and cost memory (each GPU holds (E + R) / ep experts).
Constants: ``data/wide_ep.yaml`` (with their sources).
"""

from __future__ import annotations

import functools
import math
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from gigacluster.hardware.accelerator import Accelerator


class WideEpConstants(BaseModel):
    """Kernel constants of data/wide_ep.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ll_latency_us: float
    normal_latency_us: float
    ll_nic_efficiency: float
    normal_nic_efficiency: float
    nvlink_efficiency: float
    dispatch_bytes: float
    scale_bytes_per_128: float
    combine_bytes: float
    node_limit: int


class AllToAllTime(BaseModel):
    """One MoE layer's dispatch and combine, seconds, and the share of copies on the NIC."""

    model_config = ConfigDict(frozen=True)

    dispatch_s: float
    combine_s: float
    nic_share: float


@functools.cache
def load_constants() -> WideEpConstants:
    text = (resources.files("gigacluster.inference") / "data" / "wide_ep.yaml").read_text("utf-8")
    return WideEpConstants(**yaml.safe_load(text))


def nic_share(ep: int, domain: int) -> float:
    """Fraction of a token's expert copies that leave the scale-up domain (uniform routing)."""
    local = min(domain, ep)
    return 1.0 - local / ep


def _rates(accel: Accelerator, nic_eff: float, c: WideEpConstants) -> tuple[float, float]:
    nic = (accel.scaleout_gbps or 400.0) / 8.0 * 1e9 * nic_eff
    nvl = (accel.scaleup_gbps_per_dir or 450.0) * 1e9 * c.nvlink_efficiency
    return nic, nvl


def _two_path(bytes_: float, share: float, nic: float, nvl: float, latency_s: float) -> float:
    return latency_s + max(bytes_ * share / nic, bytes_ * (1.0 - share) / nvl)


def low_latency_all_to_all(tokens_per_gpu: float, ep: int, hidden: int, topk: int, accel: Accelerator,
                           c: WideEpConstants | None = None) -> AllToAllTime:
    """DeepEP low-latency dispatch + combine of ``tokens_per_gpu`` tokens over ``ep`` GPUs."""
    c = c or load_constants()
    share = nic_share(ep, accel.scaleup_domain)
    nic, nvl = _rates(accel, c.ll_nic_efficiency, c)
    copies = tokens_per_gpu * topk
    disp = copies * hidden * (c.dispatch_bytes + c.scale_bytes_per_128 / 128.0)
    comb = copies * hidden * c.combine_bytes
    lat = c.ll_latency_us * 1e-6
    return AllToAllTime(dispatch_s=_two_path(disp, share, nic, nvl, lat),
                        combine_s=_two_path(comb, share, nic, nvl, lat), nic_share=share)


def remote_nodes_per_token(ep: int, domain: int, topk: int, node_limit: int) -> float:
    """Expected distinct OTHER scale-up domains a token is routed to (uniform, node-limited)."""
    nodes = max(ep / min(domain, ep), 1.0)
    if nodes <= 1.0:
        return 0.0
    distinct = min(float(node_limit), nodes * (1.0 - (1.0 - 1.0 / nodes) ** topk))
    return distinct * (nodes - 1.0) / nodes


def normal_all_to_all(tokens_per_gpu: float, ep: int, hidden: int, topk: int, accel: Accelerator,
                      c: WideEpConstants | None = None) -> AllToAllTime:
    """DeepEP normal (hierarchical) dispatch + combine, the prefill kernels."""
    c = c or load_constants()
    nic, nvl = _rates(accel, c.normal_nic_efficiency, c)
    remote = remote_nodes_per_token(ep, accel.scaleup_domain, topk, c.node_limit)
    local = min(accel.scaleup_domain, ep)
    distinct_gpus = ep * (1.0 - (1.0 - 1.0 / ep) ** topk)  # copies are de-duplicated per GPU
    nvl_copies = tokens_per_gpu * distinct_gpus * (local - 1) / ep
    lat = c.normal_latency_us * 1e-6

    def one(width: float) -> float:
        wire = tokens_per_gpu * remote * hidden * width / nic
        return lat + max(wire, nvl_copies * hidden * width / nvl)

    disp_w = c.dispatch_bytes + c.scale_bytes_per_128 / 128.0
    share = remote / topk if topk else 0.0
    return AllToAllTime(dispatch_s=one(disp_w), combine_s=one(c.combine_bytes), nic_share=share)


def per_token_cost(kernel: str, ep: int, hidden: int, topk: int, accel: Accelerator) -> tuple[float, float]:
    """(fixed s, s per token per GPU) of one MoE layer's dispatch + combine. The kernels are affine
    in tokens; the line is read off at 128 and 256 tokens per GPU."""
    fn = low_latency_all_to_all if kernel == "low_latency" else normal_all_to_all
    a, b = fn(128.0, ep, hidden, topk, accel), fn(256.0, ep, hidden, topk, accel)
    ta, tb = a.dispatch_s + a.combine_s, b.dispatch_s + b.combine_s
    slope = (tb - ta) / 128.0
    return ta - 128.0 * slope, slope


def imbalance(rows_per_gpu: float, ep: int) -> float:
    """Busiest GPU's routed rows over the mean: 1 + sqrt(2 ln(ep) / mean) (expected maximum of
    ``ep`` near-Gaussian counts), 1 for a single GPU."""
    if ep <= 1 or rows_per_gpu <= 0:
        return 1.0
    return 1.0 + math.sqrt(2.0 * math.log(ep) / rows_per_gpu)
