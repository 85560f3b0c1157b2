"""Run a sweep's chunks on Dask distributed (a LocalCluster of processes, or an existing scheduler), or in
this process (``workers=0``), writing each finished chunk as a Parquet shard.

Chunks have deterministic task keys (the spec hash and the chunk number), so a restarted client asks an
existing scheduler for the same tasks. At most a few chunks per worker are in flight at once, so a sweep of
millions of points never holds them all in the scheduler."""

from __future__ import annotations

import importlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from gigacluster.errors import GigaclusterError
from gigacluster.limits import MAX_LOCAL_WORKERS
from gigacluster.sweeps.evaluate import check_keys, evaluate_chunk
from gigacluster.sweeps.sample import Point, sample_points
from gigacluster.sweeps.spec import SweepSpec
from gigacluster.sweeps.stages import STAGES, base_scenario
from gigacluster.sweeps.store import Store, open_store

Progress = Callable[[int, int], None]
"""A progress callback: (points done, points in all)."""
TARGET_CHUNKS = 400
MIN_CHUNKS = 32
MAX_CHUNK = 500


@dataclass(frozen=True)
class Chunk:
    number: int
    start: int
    points: list[Point]


@dataclass(frozen=True)
class RunStats:
    """What one run of a sweep did (a resumed run counts only the chunks it computed)."""

    out: Path
    points: int
    chunks: int
    chunks_resumed: int
    points_run: int
    seconds: float
    startup_s: float
    workers: int
    engine: str

    @property
    def points_per_s(self) -> float:
        """Points per second of this run, engine start-up included."""
        return self.points_run / self.seconds if self.seconds > 0 else 0.0

    @property
    def compute_points_per_s(self) -> float:
        """Points per second once the engine was up (workers started)."""
        busy = self.seconds - self.startup_s
        return self.points_run / busy if busy > 0 else 0.0


def chunk_size(spec: SweepSpec, points: int) -> int:
    """The spec's chunk size, or by default (from the spec only, so a resume cuts the same chunks): about a
    second of the stage's work or 1/TARGET_CHUNKS of the points, whichever is more, but at least MIN_CHUNKS
    chunks when there are enough points, and at most MAX_CHUNK points."""
    if spec.chunk_size:
        return spec.chunk_size
    wanted = max(STAGES[spec.stage].points_per_s, -(-points // TARGET_CHUNKS))
    return max(1, min(wanted, -(-points // MIN_CHUNKS), MAX_CHUNK))


def make_chunks(points: list[Point], size: int) -> list[Chunk]:
    return [Chunk(i, i * size, points[i * size:(i + 1) * size]) for i in range(-(-len(points) // size))]


@contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A client of the given scheduler, or of a LocalCluster of ``workers`` single-threaded processes."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise GigaclusterError("scheduler", f"cannot reach '{scheduler}': {exc}") from None
        with client:
            _warm(client, scheduler)
            yield client
        return
    n = workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        _warm(client, "LocalCluster")
        yield client


def _warm(client: Any, where: str) -> None:
    """Wait for a worker and import the sweep's modules on every worker (so start-up is not counted as work;
    a worker without gigacluster is one clear error)."""
    try:
        client.wait_for_workers(1, timeout=120)
        client.run(importlib.import_module, "gigacluster.sweeps.evaluate")
    except (TimeoutError, ImportError) as exc:
        raise GigaclusterError("scheduler", f"the workers of {where} cannot run sweeps ({exc}); install "
                                            "'gigacluster[sweep]' on every worker") from None


def _run_inline(spec: SweepSpec, store: Store, todo: list[Chunk], tick: Callable[[Chunk], None]) -> int:
    for c in todo:
        store.write(c.number, evaluate_chunk(spec, c.start, c.points))
        tick(c)
    return 1


def _run_dask(spec: SweepSpec, store: Store, todo: list[Chunk], tick: Callable[[Chunk], None],
              client: Any, key_prefix: str) -> int:
    """Submit chunks with at most 4 per worker in flight; write each shard as its chunk finishes."""
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    pending = iter(todo)
    by_key: dict[str, Chunk] = {}

    def submit() -> Any:
        c = next(pending, None)
        if c is None:
            return None
        key = f"{key_prefix}-{c.number:06d}"
        by_key[key] = c
        return client.submit(evaluate_chunk, spec, c.start, c.points, key=key, pure=False)

    first = [f for f in (submit() for _ in range(4 * workers)) if f is not None]
    flow = as_completed(first)
    for future in flow:
        c = by_key.pop(future.key)
        table: pa.Table = future.result()
        store.write(c.number, table)
        future.release()
        tick(c)
        nxt = submit()
        if nxt is not None:
            flow.add(nxt)
    return workers


def run_sweep(spec: SweepSpec, out: str | Path, workers: int | None = None, scheduler: str | None = None,
              resume: bool = False, progress: Progress | None = None) -> RunStats:
    """Run (or continue) a sweep into ``out``; ``workers=0`` runs in this process without Dask."""
    if workers is not None and not 0 <= workers <= MAX_LOCAL_WORKERS:
        raise GigaclusterError("workers", f"must be in [0, {MAX_LOCAL_WORKERS}] local worker processes, got "
                                          f"{workers} (a larger cluster: --scheduler)")
    check_keys(spec)
    points = sample_points(spec)
    size = chunk_size(spec, len(points))
    base = base_scenario(spec.base)
    store = open_store(out, spec, base.model_dump(mode="json") if base else None, len(points), size, resume)
    chunks = make_chunks(points, store.chunk_size)
    finished = store.done()
    todo = [c for c in chunks if c.number not in finished]
    done = [len(points) - sum(len(c.points) for c in todo)]

    def tick(c: Chunk) -> None:
        done[0] += len(c.points)
        if progress is not None:
            progress(done[0], len(points))

    if progress is not None:
        progress(done[0], len(points))
    start = time.perf_counter()
    startup = 0.0
    if workers == 0 and scheduler is None:
        engine, used = "in-process", _run_inline(spec, store, todo, tick)
    else:
        with dask_client(workers, scheduler) as client:
            startup = time.perf_counter() - start
            engine = "dask " + (scheduler or "LocalCluster")
            used = _run_dask(spec, store, todo, tick, client, f"gigacluster-sweep-{store.spec_hash}")
    return RunStats(out=Path(out), points=len(points), chunks=len(chunks), chunks_resumed=len(finished),
                    points_run=sum(len(c.points) for c in todo), seconds=time.perf_counter() - start,
                    startup_s=startup, workers=used, engine=engine)
