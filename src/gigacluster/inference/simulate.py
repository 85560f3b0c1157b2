"""Run the serving simulation (colocated or disaggregated) and summarise it: TTFT, TPOT and
end-to-end percentiles, throughput, goodput under SLOs."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from gigacluster.inference.router import make_router
from gigacluster.inference.simulator import Engine, EngineConfig, Limits, _Stats
from gigacluster.inference.step_cost import StepFn
from gigacluster.inference.workload import Requests, Workload, generate
from gigacluster.sim import EventLoop


class Percentiles(BaseModel):
    model_config = ConfigDict(frozen=True)

    p50: float
    p90: float
    p99: float
    mean: float


class SimResult(BaseModel):
    """Latency percentiles (ms), throughput and goodput of one simulated run."""

    model_config = ConfigDict(frozen=True)

    requests: int
    completed: int
    aborted: bool
    ttft_ms: Percentiles
    tpot_ms: Percentiles
    e2e_ms: Percentiles
    duration_s: float
    output_tokens_per_s: float
    output_tokens_per_s_per_gpu: float
    requests_per_s: float
    goodput_requests_per_s: float
    steps: int
    events: int


def _pct(values: NDArray[np.float64]) -> Percentiles:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return Percentiles(p50=float("inf"), p90=float("inf"), p99=float("inf"), mean=float("inf"))
    q = np.percentile(v, [50, 90, 99])
    return Percentiles(p50=float(q[0]), p90=float(q[1]), p99=float(q[2]), mean=float(v.mean()))


def summarise(req: Requests, stats: _Stats, gpus: int, limits: Limits | None, steps: int,
              events: int) -> SimResult:
    finish, first = np.asarray(stats.finish), np.asarray(stats.first)
    done = np.isfinite(finish)
    load = req.load_s if req.load_s is not None else 0.0  # host/SSD prefix loads delay the first token
    ttft = (first - req.arrival_s + load) * 1e3
    multi = done & (req.output_len > 1)
    tpot = np.full(len(done), np.nan)
    tpot[multi] = (finish[multi] - first[multi]) / (req.output_len[multi] - 1) * 1e3
    e2e = (finish - req.arrival_s + load) * 1e3
    duration = float(np.nanmax(finish) - req.arrival_s[0]) if done.any() else float("inf")
    out_tokens = float(req.output_len[done].sum())
    good = done.copy()
    if limits and limits.ttft_ms is not None:
        good &= ttft <= limits.ttft_ms
    if limits and limits.tpot_ms is not None:
        good &= ~(tpot > limits.tpot_ms)
    rate = out_tokens / duration if duration > 0 else 0.0
    return SimResult(
        requests=len(done), completed=int(done.sum()), aborted=stats.aborted, ttft_ms=_pct(ttft),
        tpot_ms=_pct(tpot), e2e_ms=_pct(e2e), duration_s=duration, output_tokens_per_s=rate,
        output_tokens_per_s_per_gpu=rate / gpus, requests_per_s=float(done.sum()) / duration if duration else 0.0,
        goodput_requests_per_s=float(good.sum()) / duration if duration else 0.0, steps=steps, events=events)


def _feed(loop: EventLoop, req: Requests, target: Engine | _Pool, stats: _Stats) -> None:
    """Arrivals scheduled one at a time (each schedules the next), so a stopped run drains."""
    n = len(req.arrival_s)

    def arrive(t: float, rid: int) -> None:
        if stats.aborted:
            return
        target.submit(t, rid)
        if rid + 1 < n:
            loop.schedule(float(req.arrival_s[rid + 1]), kind, rid + 1)

    kind = loop.register(arrive)
    loop.schedule(float(req.arrival_s[0]), kind, 0)


def simulate(step_fn: StepFn, cfg: EngineConfig, workload: Workload, gpus: int = 1,
             limits: Limits | None = None) -> SimResult:
    """One colocated engine (prefill and decode share its steps) serving ``workload``."""
    req = generate(workload)
    loop = EventLoop()
    stats = _Stats(req, limits)
    engine = Engine(loop, step_fn, cfg, req, stats)
    _feed(loop, req, engine, stats)
    loop.run()
    return summarise(req, stats, gpus, limits, engine.steps, loop.events_processed)


class _Pool:
    """Replicas of one engine kind behind a router (:mod:`.router`)."""

    def __init__(self, engines: list[Engine], routing: str) -> None:
        self.engines, self.route = engines, make_router(routing)

    def submit(self, t: float, rid: int) -> None:
        self.engines[self.route(self.engines, rid)].submit(t, rid)

    @property
    def steps(self) -> int:
        return sum(e.steps for e in self.engines)


def simulate_replicas(step_fn: StepFn, cfg: EngineConfig, workload: Workload, replicas: int,
                      gpus: int, limits: Limits | None = None, routing: str = "least_outstanding") -> SimResult:
    """``replicas`` colocated engines behind a router serving ``workload``."""
    req = generate(workload)
    loop = EventLoop()
    stats = _Stats(req, limits)
    pool = _Pool([Engine(loop, step_fn, cfg, req, stats) for _ in range(replicas)], routing)
    _feed(loop, req, pool, stats)
    loop.run()
    return summarise(req, stats, gpus, limits, pool.steps, loop.events_processed)


def simulate_disaggregated(prefill_fn: StepFn, prefill_cfg: EngineConfig, decode_fn: StepFn,
                           decode_cfg: EngineConfig, transfer_s_per_token: float, workload: Workload,
                           gpus: int, limits: Limits | None = None, prefill_replicas: int = 1,
                           decode_replicas: int = 1, routing: str = "least_outstanding") -> SimResult:
    """Prefill engines feeding decode engines (each pool behind a router); the KV cache moves
    between them as its own stage, ``transfer_s_per_token`` x the prompt (KV bytes / link rate)."""
    req = generate(workload)
    loop = EventLoop()
    stats = _Stats(req, limits)
    decode = _Pool([Engine(loop, decode_fn, decode_cfg, req, stats, mode="decode")
                    for _ in range(decode_replicas)], routing)
    handoff = loop.register(decode.submit)

    def prefilled(t: float, rid: int) -> None:
        loop.schedule(t + transfer_s_per_token * float(req.input_len[rid]), handoff, rid)

    prefill = _Pool([Engine(loop, prefill_fn, prefill_cfg, req, stats, mode="prefill", on_prefilled=prefilled)
                     for _ in range(prefill_replicas)], routing)
    _feed(loop, req, prefill, stats)
    loop.run()
    return summarise(req, stats, gpus, limits, prefill.steps + decode.steps, loop.events_processed)


def simulate_prefill(step_fn: StepFn, cfg: EngineConfig, workload: Workload, gpus: int,
                     limits: Limits | None = None) -> SimResult:
    """One prefill-only engine; a request finishes when its first token is out (TTFT study)."""
    req = generate(workload)
    loop = EventLoop()
    stats = _Stats(req, limits)

    def done(t: float, rid: int) -> None:
        stats.finish[rid] = t

    engine = Engine(loop, step_fn, cfg, req, stats, mode="prefill", on_prefilled=done)
    _feed(loop, req, engine, stats)
    loop.run()
    return summarise(req, stats, gpus, limits, engine.steps, loop.events_processed)
