"""Mixture-of-experts layer costs, vectorised over candidate layouts.

One MoE layer per micro-batch on one GPU, forward (the step model doubles GEMM and elementwise
parts for the backward):

- **Routed experts** as grouped GEMMs: each of the E/ep local experts runs fc1 (h→F, ×2 gated) and
  fc2 (F→h) on ``rows`` tokens. A GEMM takes max(FLOPs / (rate·η_w), floor): η_w = f/(f + f½) for
  an expert slice of width f (skinny GEMMs underfeed the 128×256 tensor-core tiles, CUTLASS), and
  ``expert_gemm_floor_s`` is the per-expert launch and quantisation floor (Transformer Engine's
  GroupedLinear quantises and launches per expert; MegaBlocks, Gale et al. 2023, §5). A small
  model at a small micro-batch is launch-bound; a DeepSeek-V3-class expert is not.
- **Load imbalance** (:func:`load_imbalance`): the most loaded GPU of the EP group gates the layer's
  grouped GEMM and receives the most all-to-all bytes. Routing is a balls-into-bins draw of
  m = t·k·etp/tp token-expert rows over the ep GPUs, whose fullest bin holds m + √(2m·ln ep)
  (Raab & Steger 1998, m ≫ n·ln n); an auxiliary-loss router adds a systematic expert skew
  (``aux_loss_excess``) that DeepSeek-V3's auxiliary-loss-free balancing removes (report §2.1.2).
- **Token dispatcher**: router GEMM (counted with the dense GEMMs), permute and unpermute as
  memory-bound passes over T·k·h, the expert activation function over T·k·F, and a fixed
  ``dispatch_sync_s`` per layer and pass: the all-to-all dispatcher's device-to-host sync of the
  token counts (Megatron-Core MoE, ``MoEAlltoAllTokenDispatcher``; DeepEP's normal kernels wait for
  the same counts on the CPU) after which the GPU idles until the CPU relaunches the layer.
- **Hierarchical all-to-all** (DeepEP normal kernels): the share of an EP group inside one scale-up
  domain moves over NVLink/ICI; tokens bound for another domain cross the NIC once per distinct
  remote domain and are forwarded inside it (a token's k experts hit (n−1)(1 − (1 − 1/n)^k) of
  the n−1 other domains under uniform routing); NVLink and NIC traffic run concurrently.
  **Node-limited routing** (DeepSeek-V3 §2.1.2, M = 4 nodes; DeepSeek-V2 §2.2.2, M = 3 devices):
  each token's experts lie in ``topk_groups`` of ``groups`` contiguous expert groups, and EP places
  contiguous experts on contiguous ranks, so a token reaches at most the domains of its groups.
- **Low precision**: dispatch in fp8 (1 byte per element), combine in bf16 (DeepSeek-V3 report,
  §3.3.2: "quantize the activation before MoE up-projections into FP8 ... combine in BF16").
"""

from __future__ import annotations

import numpy as np

from gigacluster.comm import TieredFabric, all_to_all_s
from gigacluster.training.calibration import Calibration
from gigacluster.training.costs import GEMMS_PER_LAYER, LayerCost, Rates, _common, _cp_comm, _tp_comm, tokens
from gigacluster.training.dims import DTYPE_BYTES, Dims
from gigacluster.training.job import TrainingJob
from gigacluster.training.layout import Candidates
from gigacluster.training.precision import dispatch_bytes, quantise_s

F = np.ndarray


def local_experts(d: Dims, c: Candidates) -> F:
    """Experts hosted by one GPU (each sliced 1/etp)."""
    return np.maximum(d.experts / c.ep, 1.0)


def expert_rows(d: Dims, c: Candidates, t: F) -> F:
    """Token rows each local expert processes per micro-batch: a TP group's t·k token-expert
    pairs spread evenly over its tp GPUs' E/ep experts, each sliced 1/etp (work conserved)."""
    return t * d.topk * c.ep * c.etp / (max(d.experts, 1) * c.tp)


def grouped_gemm_s(d: Dims, c: Candidates, t: F, rate: float, cal: Calibration, imbalance: F) -> F:
    """Forward seconds of the routed experts on the most loaded GPU (``imbalance``: its rows over
    the mean, :func:`load_imbalance`; launch floor per expert GEMM)."""
    m = cal.moe
    width = d.moe_ffn / c.etp
    eff = width / (width + m.half_width)
    rows = expert_rows(d, c, t) * imbalance
    fc1 = 2.0 * rows * d.hidden * width * (2.0 if d.gated else 1.0) / (rate * eff)
    fc2 = 2.0 * rows * width * d.hidden / (rate * eff)
    floor = m.expert_gemm_floor_s
    return local_experts(d, c) * (np.maximum(fc1, floor) + np.maximum(fc2, floor))


def load_imbalance(d: Dims, c: Candidates, t: F, cal: Calibration) -> F:
    """Expected max/mean routed rows over the ep GPUs of an EP group (≥ 1): the balls-into-bins
    maximum of m = t·k·etp/tp rows over ep bins, 1 + √(2·ln(ep)/m) (Raab & Steger 1998), times
    1 + the systematic excess of an auxiliary-loss router averaged over a GPU's E/ep experts
    (independent expert skews: excess/√(E/ep))."""
    rows = np.maximum(t * max(d.topk, 1) * c.etp / c.tp, 1.0)
    chance = 1.0 + np.sqrt(2.0 * np.log(np.maximum(c.ep, 1.0)) / rows)
    excess = cal.moe.aux_loss_excess if d.aux_loss else 0.0
    return chance * (1.0 + excess / np.sqrt(local_experts(d, c)))


def remote_domains(ep_domains: F, topk: int, groups: int = 0, topk_groups: int = 0) -> F:
    """Distinct other scale-up domains one token's top-k experts hit under uniform routing;
    with node-limited routing (``topk_groups`` of ``groups``) never more than its groups reach."""
    n = np.maximum(ep_domains, 1.0)
    free = (n - 1.0) * (1.0 - (1.0 - 1.0 / n) ** topk)
    if not groups or topk_groups >= groups:
        return free
    return np.minimum(free, limited_domains(n, topk, groups, topk_groups) * (n - 1.0) / n)


def limited_domains(n: F, topk: int, groups: int, topk_groups: int) -> F:
    """Distinct domains (its own included) a token's experts hit when they lie in ``topk_groups``
    uniformly chosen groups of ``groups`` contiguous ones spread over ``n`` domains."""
    per = groups / n  # groups per domain (n ≤ groups): M groups hit n·(1 − C(G − G/n, M)/C(G, M)) domains
    miss = np.ones_like(n)
    for i in range(topk_groups):
        miss = miss * np.clip((groups - per - i) / (groups - i), 0.0, 1.0)
    few = np.minimum(n * (1.0 - miss), float(max(topk, 1)))
    span = np.maximum(topk_groups * n / groups, 1.0)  # n > groups: k experts over the M·n/G domains
    many = span * (1.0 - (1.0 - 1.0 / span) ** topk)
    return np.where(n <= groups, few, many)


def all_to_all_pass_s(job: TrainingJob, d: Dims, c: Candidates, t: F, fab: TieredFabric,
                      cal: Calibration, bytes_per: tuple[float, ...], imbalance: F) -> F:
    """Sum over passes (one per entry of ``bytes_per``: dispatch, combine) of one hierarchical
    all-to-all of the micro-batch's tokens at that many bytes per element, as the most loaded GPU
    (``imbalance`` × the mean copies, :func:`load_imbalance`) receives them."""
    # this GPU's token copies (sequence-parallel share; every MoE stack here is sequence parallel,
    # a TP group without it would dispatch the same copies from each rank)
    copies = t * d.topk * d.hidden / c.tp
    span = c.tp * c.cp * c.ep
    per_domain = np.clip(job.system.scaleup_domain // (c.tp * c.cp), 1, c.ep).astype(np.float64)
    inside = np.where(span <= job.system.scaleup_domain, c.ep.astype(np.float64), per_domain)
    domains = c.ep / inside
    up, nic = fab.bandwidth_gbps(1), fab.bandwidth_gbps(span)
    remote = remote_domains(domains, d.topk, d.groups, d.topk_groups)
    crossing = remote / max(d.topk, 1) * domains / np.maximum(domains - 1.0, 1.0)
    copies = copies * imbalance
    total = np.zeros_like(copies)
    for b in bytes_per:
        intra = all_to_all_s(copies * b * inside / c.ep, inside, up, cal.comm)
        inter = all_to_all_s(copies * b * crossing, domains, nic, cal.comm)  # deduplicated per domain
        total = total + np.maximum(intra, np.where(domains > 1, inter, 0.0))
    return total


def dispatcher_s(d: Dims, t: F, c: Candidates, hbm_bytes: float, cal: Calibration) -> F:
    """Permute/unpermute and the expert activation (memory-bound) plus the host sync, forward."""
    moved = 4.0 * t * d.topk * d.hidden + t * d.topk * (3.0 if d.gated else 2.0) * d.moe_ffn
    return moved * DTYPE_BYTES / c.tp / hbm_bytes + cal.moe.dispatch_sync_s


def moe_layer(job: TrainingJob, d: Dims, c: Candidates, r: Rates, fab: TieredFabric,
              cal: Calibration) -> LayerCost:
    """Forward cost of one MoE layer (attention, shared experts and router as dense GEMMs)."""
    t = tokens(job, c)
    attn, elem = _common(d, t, c, job, r, cal)
    dense = 2.0 * t * (d.attn_params + d.shared * d.expert_params + d.hidden * d.experts) / c.tp
    imbalance = load_imbalance(d, c, t, cal)
    gemm = grouped_gemm_s(d, c, t, r.gemm_flops, cal, imbalance) + dense / r.gemm_flops \
        + (GEMMS_PER_LAYER - 2.0) * cal.gemm.overhead_s
    inputs = t * (d.moe_gemm_input_bytes / DTYPE_BYTES) / c.tp  # GEMM input elements quantised
    a2a = all_to_all_pass_s(job, d, c, t, fab, cal, (dispatch_bytes(job, cal), DTYPE_BYTES), imbalance)
    return LayerCost(
        gemm=gemm, attn=attn,
        elem=elem + dispatcher_s(d, t, c, r.hbm_bytes, cal) + quantise_s(job, cal, inputs, r.hbm_bytes),
        tp_comm=_tp_comm(d, t, c, fab, cal, dispatch_bytes(job, cal)), cp_comm=_cp_comm(d, t, c, fab, cal),
        ep_comm=a2a,
    )


def expert_grad_bandwidth_gbps(job: TrainingJob, c: Candidates, fab: TieredFabric) -> F:
    """Per-GPU bus GB/s of the expert-data-parallel gradient reduction: an expert's replicas sit
    ``tp·cp·ep`` GPUs apart, so only the replicas sharing one scale-up domain pool their NICs."""
    stride = c.tp * c.cp * c.ep
    edp = np.maximum(c.dp * c.cp * c.tp // (c.ep * c.etp), 1)
    per_domain = np.clip(job.system.scaleup_domain // stride, 1, edp)
    return fab.bandwidth_gbps(stride * edp, per_domain)
