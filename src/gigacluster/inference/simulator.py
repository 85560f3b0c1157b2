"""Request-level discrete-event serving simulation on the shared event core (:mod:`gigacluster.sim`).

An engine iterates continuous-batching steps (Orca, Yu et al. OSDI'22; vLLM, Kwon et al. SOSP'23):
each step decodes one token for every running request and spends the rest of its token budget on
chunked prefill of admitted requests, decode first (Sarathi-Serve, Agrawal et al. OSDI'24). Its
duration comes from the step-cost model. KV cache: ``reserve`` admits a request only when its
whole context fits (TensorRT-LLM GUARANTEED_NO_EVICT); ``on_demand`` grows the cache token by
token and preempts the newest request by recomputation when it is full (vLLM). Disaggregated
serving (DistServe, Zhong et al. OSDI'24) chains a prefill-only engine to a decode-only engine with
a KV transfer in between. Bookkeeping is O(log n) per step: decoding requests sit in a heap keyed
by the step at which they finish.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gigacluster.inference.step_cost import StepFn
from gigacluster.inference.workload import Requests
from gigacluster.sim import EventLoop

Mode = Literal["mixed", "prefill", "decode"]


class EngineConfig(BaseModel):
    """Scheduler knobs of one engine."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_batch: int = Field(256, ge=1)
    max_tokens: int = Field(8192, ge=1)
    kv_capacity_tokens: float = Field(1e6, gt=0)
    kv_policy: Literal["reserve", "on_demand"] = "reserve"
    tokens_per_step: float = Field(1.0, ge=1.0, description="output tokens per decode step (MTP)")


class Limits(BaseModel):
    """Optional p99 limits; a run stops early once they are certainly missed."""

    model_config = ConfigDict(frozen=True)

    ttft_ms: float | None = None
    tpot_ms: float | None = None
    quantile: float = 0.99


class _Stats:
    """Per-request first-token and finish times, and the requests' fields, as Python lists (element
    access on lists is several times faster than on NumPy arrays in the event handlers); shared by
    every engine of one simulation."""

    __slots__ = ("first", "finish", "violations", "budget", "aborted", "limits", "arrival", "inp", "out",
                 "cached")

    def __init__(self, req: Requests, limits: Limits | None) -> None:
        n = len(req.arrival_s)
        nan = float("nan")
        self.first: list[float] = [nan] * n
        self.finish: list[float] = [nan] * n
        self.arrival: list[float] = req.arrival_s.tolist()
        self.inp: list[int] = req.input_len.tolist()
        self.out: list[int] = req.output_len.tolist()
        self.cached: list[int] = req.cached_len.tolist() if req.cached_len is not None else [0] * n
        self.violations = 0
        self.limits = limits
        self.budget = int((1.0 - limits.quantile) * n) if limits else n + 1
        self.aborted = False

    def violate(self) -> None:
        self.violations += 1
        if self.violations > self.budget:
            self.aborted = True


class Engine:
    """One serving engine: a waiting queue, chunked prefill, a decode batch, a KV cache."""

    def __init__(self, loop: EventLoop, step_fn: StepFn, cfg: EngineConfig, req: Requests, stats: _Stats,
                 mode: Mode = "mixed", on_prefilled: Callable[[float, int], None] | None = None) -> None:
        self.loop, self.step_fn, self.cfg, self.stats, self.mode = loop, step_fn, cfg, stats, mode
        self.arrival, self.inp, self.out, self.cached = stats.arrival, stats.inp, stats.out, stats.cached
        self.tps = cfg.tokens_per_step
        self.on_prefilled = on_prefilled
        self.waiting: deque[int] = deque()
        self.prefilling: deque[list[int]] = deque()  # [rid, tokens done, tokens to prefill]
        self.running: list[tuple[int, int]] = []  # heap of (finish step, rid)
        self.order: list[int] = []  # running rids, admission order (preemption victims from the end)
        self.state: dict[int, tuple[int, int]] = {}  # rid -> (start step, context at start)
        self.n_running = 0
        self.decode_ctx = 0.0
        self.kv_used = 0.0
        self.step_index = 0
        self.busy = False
        self.steps = 0
        self.kind_step = loop.register(self._on_step_end)

    # --- admission ------------------------------------------------------------------------------
    def submit(self, t: float, rid: int) -> None:
        self.waiting.append(rid)
        if not self.busy:
            self._start(t)

    def _need(self, rid: int) -> float:
        return float(self.inp[rid] + self.out[rid]) if self.cfg.kv_policy == "reserve" else float(self.inp[rid])

    def _admit(self) -> None:
        cfg = self.cfg
        while self.waiting and self.n_running + len(self.prefilling) < cfg.max_batch:
            rid = self.waiting[0]
            need = self._need(rid)
            if self.kv_used + need > cfg.kv_capacity_tokens and (self.n_running or self.prefilling):
                break
            self.waiting.popleft()
            self.kv_used += need
            if self.mode == "decode":
                self._enter_decode(rid)
            else:
                self.prefilling.append([rid, int(self.cached[rid]), int(self.inp[rid])])

    # --- one step -------------------------------------------------------------------------------
    def _start(self, t: float) -> None:
        if self.stats.aborted:
            self.busy = False
            return
        self._admit()
        budget = self.cfg.max_tokens - self.n_running
        if self.n_running == 0:
            budget = self.cfg.max_tokens
        chunks: list[tuple[list[int], int]] = []
        n_pf, ctx_pf = 0, 0.0
        for item in self.prefilling:
            if budget <= 0:
                break
            take = min(item[2] - item[1], budget)
            chunks.append((item, take))
            ctx_pf += take * (item[1] + take / 2.0)
            n_pf += take
            budget -= take
        if n_pf == 0 and self.n_running == 0:
            self.busy = False
            return
        self.busy = True
        dt = self.step_fn(float(n_pf), ctx_pf, float(self.n_running), self.decode_ctx)
        self.loop.schedule(t + dt, self.kind_step, chunks)

    def _on_step_end(self, t: float, chunks: list[tuple[list[int], int]]) -> None:
        self.step_index += 1
        self.steps += 1
        self.decode_ctx += self.n_running * self.tps
        if self.cfg.kv_policy == "on_demand":
            self.kv_used += self.n_running
        self._complete(t)
        for item, take in chunks:
            item[1] += take
            if item[1] >= item[2]:
                if self.prefilling and self.prefilling[0] is item:
                    self.prefilling.popleft()  # chunks are taken from the front: O(1) in the common case
                else:
                    self.prefilling.remove(item)
                self._prefilled(t, item[0])
        if self.cfg.kv_policy == "on_demand":
            self._preempt()
        self._check_waiting(t)
        self._start(t)

    def _complete(self, t: float) -> None:
        heap, out, inp, stats = self.running, self.out, self.inp, self.stats
        while heap and heap[0][0] <= self.step_index:
            _, rid = heapq.heappop(heap)
            if rid not in self.state:
                continue  # preempted earlier
            start, ctx0 = self.state.pop(rid)
            self.n_running -= 1
            self.decode_ctx -= ctx0 + 1.0 + (self.step_index - start) * self.tps
            self.kv_used -= float(inp[rid] + out[rid]) - (self.cfg.kv_policy == "on_demand")
            stats.finish[rid] = t
            lim = stats.limits
            if lim and lim.tpot_ms is not None and out[rid] > 1:
                if (t - stats.first[rid]) / (out[rid] - 1) * 1e3 > lim.tpot_ms:
                    stats.violate()

    def _prefilled(self, t: float, rid: int) -> None:
        stats = self.stats
        if stats.first[rid] != stats.first[rid]:  # NaN: first time this request is prefilled
            stats.first[rid] = t
            lim = stats.limits
            if lim and lim.ttft_ms is not None and (t - self.arrival[rid]) * 1e3 > lim.ttft_ms:
                stats.violate()
        if self.mode == "prefill" and self.on_prefilled is not None:
            self.kv_used -= self._need(rid)
            self.on_prefilled(t, rid)
        else:
            self._enter_decode(rid)

    def _enter_decode(self, rid: int) -> None:
        if self.out[rid] <= 1:
            self.kv_used -= self._need(rid)
            self.stats.finish[rid] = self.stats.first[rid]
            return
        self.state[rid] = (self.step_index, int(self.inp[rid]))
        steps = int(self.out[rid]) - 1 if self.tps == 1.0 else math.ceil((self.out[rid] - 1) / self.tps)
        heapq.heappush(self.running, (self.step_index + steps, rid))
        self.order.append(rid)
        self.n_running += 1
        self.decode_ctx += float(self.inp[rid]) + 1.0

    def _preempt(self) -> None:
        """Evict the newest running requests until the cache fits; they restart (recompute)."""
        while self.kv_used > self.cfg.kv_capacity_tokens and self.order:
            rid = self.order.pop()
            if rid not in self.state:
                continue
            start, ctx0 = self.state.pop(rid)
            ctx = ctx0 + 1.0 + (self.step_index - start)
            self.n_running -= 1
            self.decode_ctx -= ctx
            self.kv_used -= ctx - 1.0
            self.waiting.appendleft(rid)

    def _check_waiting(self, t: float) -> None:
        """Requests still queued past the TTFT limit are certain misses: stop early when too many."""
        lim = self.stats.limits
        if not lim or lim.ttft_ms is None or not self.waiting:
            return
        late = 0
        horizon = t - lim.ttft_ms * 1e-3
        for rid in self.waiting:
            if self.arrival[rid] >= horizon or late > self.stats.budget:
                break
            late += 1
        if self.stats.violations + late > self.stats.budget:
            self.stats.aborted = True
