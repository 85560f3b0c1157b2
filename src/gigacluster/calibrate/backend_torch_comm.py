"""Collectives over every GPU of this node with torch.distributed (NCCL; gloo on CPU for tests):
one process per device, each op over each message size, rank 0's timings reported. Sizes follow
:mod:`gigacluster.comm`: the per-rank buffer for all-reduce and send/recv, the full (gathered)
buffer for all-gather / reduce-scatter / all-to-all. Send/recv is a ring: every rank sends to the
next one at the same time (as pipeline stages do)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from typing import Any

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from gigacluster.calibrate.records import CollectiveOp, CollectivePoint, Timing
from gigacluster.calibrate.timing import Repetition

OPS: tuple[CollectiveOp, ...] = ("all_reduce", "all_gather", "reduce_scatter", "all_to_all", "send_recv")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _op_call(op: CollectiveOp, size_bytes: float, world: int, rank: int, dev: torch.device) -> Callable[[], object]:
    n = max(world, int(size_bytes // 2) // world * world)  # bf16 elements, divisible by the world size
    full = torch.ones(n, device=dev, dtype=torch.bfloat16)
    shard = torch.ones(n // world, device=dev, dtype=torch.bfloat16)
    out = torch.empty_like(full)
    if op == "all_reduce":
        return lambda: dist.all_reduce(full)
    if op == "all_gather":
        return lambda: dist.all_gather_into_tensor(full, shard)
    if op == "reduce_scatter":
        return lambda: dist.reduce_scatter_tensor(shard, full)
    if op == "all_to_all":
        return lambda: dist.all_to_all_single(out, full)
    nxt, prv = (rank + 1) % world, (rank - 1) % world
    return lambda: [r.wait() for r in dist.batch_isend_irecv([dist.P2POp(dist.isend, full, nxt),
                                                              dist.P2POp(dist.irecv, out, prv)])]


def _sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def _sample(call: Callable[[], object], inner: int, dev: torch.device) -> float:
    dist.barrier()
    start = time.perf_counter()
    for _ in range(inner):
        call()
    _sync(dev)
    return (time.perf_counter() - start) / inner


def _time(call: Callable[[], object], rep: Repetition, dev: torch.device) -> Timing:
    """Like :func:`gigacluster.calibrate.timing.measure`, with the call count agreed by all ranks
    (the largest any rank wants), so every rank issues the same collectives."""
    one = 0.0
    for _ in range(max(rep.warmup, 1)):
        one = _sample(call, 1, dev)
    want = torch.tensor([min(rep.max_inner, max(1, int(rep.min_sample_s / max(one, 1e-9))))], device=dev)
    dist.all_reduce(want, op=dist.ReduceOp.MAX)
    inner = int(want.item())
    return Timing.of([_sample(call, inner, dev) for _ in range(rep.reps)])


def _worker(rank: int, world: int, port: int, backend: str, sizes_mb: tuple[float, ...], rep: Repetition,
            queue: Any) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dev = torch.device("cuda", rank) if backend == "nccl" else torch.device("cpu")
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    dist.init_process_group(backend, rank=rank, world_size=world)
    rows: list[dict[str, Any]] = []
    for op in OPS:
        for mb in sizes_mb:
            try:
                t = _time(_op_call(op, mb * 1e6, world, rank, dev), rep, dev)
            except (RuntimeError, ValueError) as exc:  # an op this backend lacks (gloo: reduce-scatter)
                rows.append({"op": op, "error": str(exc).splitlines()[0]})
                continue
            rows.append({"op": op, "size_bytes": mb * 1e6, "timing": t.model_dump()})
    if rank == 0:
        queue.put(rows)
    dist.destroy_process_group()


def measure_collectives(world: int, sizes_mb: tuple[float, ...], rep: Repetition, backend: str = "nccl",
                        tier: str = "scale-up") -> list[CollectivePoint]:
    """Every op of :data:`OPS` over ``sizes_mb`` on ``world`` local ranks (one tier: this node)."""
    ctx = mp.get_context("spawn")
    queue = ctx.SimpleQueue()
    mp.start_processes(_worker, args=(world, _free_port(), backend, sizes_mb, rep, queue), nprocs=world,
                       join=True, start_method="spawn")
    rows: list[dict[str, Any]] = queue.get()
    return [CollectivePoint(op=r["op"], ranks=world, tier=tier, size_bytes=r["size_bytes"],
                            timing=Timing.model_validate(r["timing"])) for r in rows if "error" not in r]
