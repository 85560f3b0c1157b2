"""Serving benchmarks: event-core events per second (target >= 1e6 on one core) and simulated
requests per second of wall time (Llama-3-70B FP8 on one H200, 1024 in / 256 out, Poisson at
80% of capacity). Run: .venv/bin/python bench/serving.py"""

from __future__ import annotations

import time

from gigacluster.catalog import get_accelerator, get_model
from gigacluster.inference import EngineConfig, ServingLayout, Workload, make_step_fn, offline_throughput, simulate
from gigacluster.inference.step_cost import step_coefficients
from gigacluster.sim import EventLoop


def event_core(n_events: int = 2_000_000, pending: int = 1000) -> float:
    """Events per second: ``pending`` self-rescheduling timers (a heap of ``pending`` entries)."""
    loop = EventLoop()
    budget = [n_events]

    def tick(t: float, gap: float) -> None:
        if budget[0] > 0:
            budget[0] -= 1
            loop.schedule(t + gap, kind, gap)

    kind = loop.register(tick)
    for i in range(pending):
        loop.schedule(0.0, kind, 1.0 + i * 1e-3)
    start = time.perf_counter()
    loop.run()
    return loop.events_processed / (time.perf_counter() - start)


def serving(n_requests: int = 20_000) -> tuple[float, float, int]:
    spec, acc = get_model("llama3-70b"), get_accelerator("h200")
    lay = ServingLayout(tp=1, weight_precision="fp8", kv_precision="fp8")
    off = offline_throughput(spec, acc, lay, 1024, 256)
    cfg = EngineConfig(max_batch=2048, max_tokens=8192, kv_capacity_tokens=off.memory.kv_tokens_per_engine)
    w = Workload(rate_rps=0.8 * off.requests_per_s, input_len=1024, output_len=256, length_cv=0.5,
                 n_requests=n_requests, seed=0)
    start = time.perf_counter()
    r = simulate(make_step_fn(step_coefficients(spec, acc, lay)), cfg, w)
    wall = time.perf_counter() - start
    return r.completed / wall, r.duration_s / wall, r.events


def main() -> None:
    eps = max(event_core(1_000_000) for _ in range(5))  # best of 5: the machine's noise only slows runs
    rps, speedup, events = serving()
    print(f"event core: {eps:,.0f} events/s, best of 5 runs of 1e6 events (target >= 1,000,000)")
    print(f"serving simulator: {rps:,.0f} simulated requests/s of wall time, "
          f"{speedup:,.0f}x faster than real time, {events:,} events")


if __name__ == "__main__":
    main()
