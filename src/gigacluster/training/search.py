"""Vectorised layout search: enumerate candidates as arrays, evaluate all, keep the best.

No per-candidate Python objects: the grid is built with NumPy, filtered with boolean masks,
evaluated in chunks, and only the winners become :class:`Layout` objects.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from gigacluster.errors import GigaclusterError
from gigacluster.training import recompute
from gigacluster.training.calibration import Calibration, load_calibration
from gigacluster.training.dims import Dims, dims_of
from gigacluster.training.job import TrainingJob
from gigacluster.training.layout import SHARD_STAGE, Candidates
from gigacluster.training.memory import Memory
from gigacluster.training.schedules import BY_CODE, SCHEDULES, schedule, valid_for
from gigacluster.training.step import Evaluation, evaluate

POW2 = (1, 2, 4, 8, 16, 32, 64)
VPP = (1, 2, 3, 4, 6, 8)
MB = (1, 2, 4, 8)
CHUNK = 200_000


@dataclass(frozen=True)
class SearchOutcome:
    candidates: Candidates
    evaluation: Evaluation
    order: np.ndarray  # feasible candidates, fastest first
    enumerated: int
    seconds: float


def _options(job: TrainingJob, d: Dims) -> list[tuple[int, ...]]:
    """Per-dimension options: the fixed value, or what the model and system allow."""
    f, g = job.fixed, job.gpus
    heads = job.model.heads
    tp = (f.tp,) if f.tp else tuple(t for t in POW2 if heads % t == 0 and t <= job.system.scaleup_domain
                                    and g % t == 0)
    pp = (f.pp,) if f.pp else tuple(p for p in range(1, d.layers + 1) if g % p == 0)
    vpp = (f.vpp,) if f.vpp else VPP
    cp = (f.cp,) if f.cp else tuple(c for c in POW2[:5] if job.seq_len % (2 * c) == 0 or c == 1)
    ep = (f.ep,) if f.ep else ((1,) if not d.experts else tuple(e for e in POW2 + (128, 256)
                                                                  if d.experts % e == 0))
    mb = (f.micro_batch,) if f.micro_batch else MB
    shard = (SHARD_STAGE[f.sharding],) if f.sharding else (0, 1, 2, 3)
    # searched: none, partial (the fewest fully recomputed layers that fit) and the model's
    # output-discarding modules, as far as the run's stack had them (training.recompute.searched)
    rc = (recompute.code_of(f.recompute),) if f.recompute else \
        recompute.searched(d, job.sequence_parallel, job.stack_year, job.materialised_attention)
    names = (f.pipeline_schedule,) if f.pipeline_schedule else (job.schedules or tuple(SCHEDULES))
    sched = tuple(schedule(n).code for n in names)
    return [tp, pp, vpp, cp, ep, mb, shard, rc, sched]


def enumerate_candidates(job: TrainingJob, d: Dims, uneven_batch: bool = False) -> Candidates:
    """The grid of structurally valid layouts (degrees multiply to the GPU count, etc.). With
    ``uneven_batch`` the global batch need not split evenly over dp·mb: ranks run ⌈B/(dp·mb)⌉
    micro-batches (the last partly filled), the fallback for GPU counts such as 11,616.

    The parallel degrees are filtered first; pipeline schedules, shardings and recompute
    policies are then crossed with the survivors only (most of the grid never reaches them)."""
    opts = _options(job, d)
    mesh = np.meshgrid(*[np.asarray(o, dtype=np.int64) for o in opts[:6]], indexing="ij")
    tp, pp, vpp, cp, ep, mb = (m.ravel() for m in mesh)
    dp = np.maximum(job.gpus // (tp * pp * cp), 1)
    ok = (tp * pp * cp * dp == job.gpus) & (d.layers >= pp * vpp) & ((vpp == 1) | (pp > 1))
    ok &= (ep == 1) | ((d.experts > 0) & (d.experts % ep == 0))
    ok &= (tp * dp * cp) % ep == 0
    ok &= (job.global_batch_seqs % (dp * mb) == 0) | uneven_batch
    if job.fixed.dp:
        ok &= dp == job.fixed.dp
    idx = np.flatnonzero(ok)
    tp, pp, vpp, cp, ep, mb, dp = (a[idx] for a in (tp, pp, vpp, cp, ep, mb, dp))
    m = -(-job.global_batch_seqs // np.maximum(dp * mb, 1))
    rows, codes = [], []
    for code in opts[8]:
        fits = valid_for(BY_CODE[code], pp, vpp, m) | ((job.fixed.vpp is not None) & (code == 1) & (vpp > 1))
        rows.append(np.flatnonzero(fits))
        codes.append(np.full(rows[-1].shape, code, dtype=np.int64))
    keep, sched = np.concatenate(rows), np.concatenate(codes)
    shard, rc = (g.ravel() for g in np.meshgrid(np.asarray(opts[6]), np.asarray(opts[7]), indexing="ij"))
    k = shard.size
    def cross(a: np.ndarray) -> np.ndarray:
        return np.repeat(a, k)

    return Candidates(tp=cross(tp[keep]), pp=cross(pp[keep]), vpp=cross(vpp[keep]), dp=cross(dp[keep]),
                      cp=cross(cp[keep]), ep=cross(ep[keep]), mb=cross(mb[keep]),
                      shard=np.tile(shard, keep.size).astype(np.int64), rc=np.tile(rc, keep.size).astype(np.int64),
                      sched=cross(sched))


def _concat(parts: list[Evaluation]) -> Evaluation:
    first = parts[0]
    mem = Memory(**{k: np.concatenate([getattr(p.memory, k) for p in parts])
                    for k in first.memory.__dataclass_fields__})
    return Evaluation(
        parts={k: np.concatenate([p.parts[k] for p in parts]) for k in first.parts},
        memory=mem, micro_batches=np.concatenate([p.micro_batches for p in parts]),
        recompute_layers=np.concatenate([p.recompute_layers for p in parts]),
    )


def search(job: TrainingJob, cal: Calibration | None = None) -> SearchOutcome:
    """Evaluate every candidate layout; order the ones that fit memory by step time."""
    cal = cal or load_calibration()
    start = time.perf_counter()
    d = dims_of(job.model)
    cands = enumerate_candidates(job, d)
    if len(cands) == 0:
        cands = enumerate_candidates(job, d, uneven_batch=True)
    if len(cands) == 0:
        raise GigaclusterError("layout", explain_no_candidate(job))
    chunks = [evaluate(job, cands.take(np.arange(i, min(i + CHUNK, len(cands)))), cal, d)
              for i in range(0, len(cands), CHUNK)]
    ev = _concat(chunks) if len(chunks) > 1 else chunks[0]
    fits = ev.memory.total <= job.accelerator.hbm_gb * cal.memory.usable_fraction
    idx = np.flatnonzero(fits)
    order = idx[np.argsort(ev.step_time_s[idx], kind="stable")]
    return SearchOutcome(cands, ev, order, len(cands), time.perf_counter() - start)


def explain_no_candidate(job: TrainingJob) -> str:
    """Why no layout is structurally valid, naming the first field that breaks."""
    f, g, model = job.fixed, job.gpus, job.model
    if f.tp and model.heads % f.tp:
        return f"tp={f.tp} must divide the model's {model.heads} attention heads"
    if f.tp and g % f.tp:
        return f"tp={f.tp} must divide the GPU count {g}"
    if f.pp and f.pp > model.layers:
        return f"pp={f.pp} exceeds the model's {model.layers} layers"
    if f.ep and (not model.moe_experts or model.moe_experts % f.ep):
        return f"ep={f.ep} must divide the model's {model.moe_experts or 0} experts (dense models: ep=1)"
    if f.ep and f.tp and f.dp and (f.tp * f.dp * (f.cp or 1)) % f.ep:
        return f"ep={f.ep} must divide tp·dp·cp = {f.tp * f.dp * (f.cp or 1)} (experts are spread over them)"
    prod = (f.tp or 1) * (f.pp or 1) * (f.cp or 1) * (f.dp or 1)
    if g % prod:
        return f"tp·pp·cp·dp = {prod} must divide the GPU count {g}"
    return (f"no layout of tp·pp·cp·dp = {g} GPUs splits the global batch of {job.global_batch_seqs} "
            "sequences into whole micro-batches with the given fields; "
            "change --gpus, the batch or the layout")
