"""Request workloads for the serving simulator: arrivals and token lengths, seeded.

- Poisson arrivals: exponential inter-arrival times (MLPerf Inference "Server" LoadGen).
- Bursty: gamma inter-arrival times with coefficient of variation ``burst_cv`` > 1 (same mean).
- Trace: given arrival times (seconds), replayed as they are.
Lengths: fixed (``length_cv`` = 0) or lognormal with the given mean and coefficient of variation,
clipped to [1, 8 x mean]. ``prefix_hit_rate``: that share of each prompt is already in the prefix
cache (no prefill compute; the last token is always computed); ``prefix_load_s_per_token``: seconds
to load each cached token from a host/SSD tier before prefill, added to the request's TTFT (kv_tiers.py).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from gigacluster.errors import GigaclusterError

Arrival = Literal["poisson", "bursty", "trace", "batch"]


class Workload(BaseModel):
    """What arrives at a serving system: rate, arrival process, token lengths, seed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate_rps: float = Field(1.0, ge=0.0)
    arrival: Arrival = "poisson"
    burst_cv: float = Field(3.0, gt=0.0)
    trace_s: tuple[float, ...] | None = None
    input_len: float = Field(1024.0, gt=0.0)
    output_len: float = Field(256.0, gt=0.0)
    length_cv: float = Field(0.0, ge=0.0)
    n_requests: int = Field(2000, ge=1)
    seed: int = 0
    prefix_hit_rate: float = Field(0.0, ge=0.0, lt=1.0)
    prefix_load_s_per_token: float = Field(0.0, ge=0.0)

    @model_validator(mode="after")
    def _check(self) -> Workload:
        if self.arrival == "trace" and not self.trace_s:
            raise GigaclusterError("workload.trace_s", "required when arrival is 'trace'")
        if self.arrival in ("poisson", "bursty") and self.rate_rps <= 0:
            raise GigaclusterError("workload.rate_rps", f"must be > 0, got {self.rate_rps}")
        return self


class Requests(BaseModel):
    """Generated requests as arrays (arrival seconds, input and output tokens)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    arrival_s: NDArray[np.float64]
    input_len: NDArray[np.int64]
    output_len: NDArray[np.int64]
    cached_len: NDArray[np.int64] | None = None
    load_s: NDArray[np.float64] | None = None  # loading cached KV from host/SSD before prefill


def _lengths(rng: np.random.Generator, mean: float, cv: float, n: int) -> NDArray[np.int64]:
    if cv <= 0:
        return np.full(n, max(int(round(mean)), 1), dtype=np.int64)
    sigma2 = np.log1p(cv * cv)
    draw = rng.lognormal(np.log(mean) - sigma2 / 2.0, np.sqrt(sigma2), n)
    return np.clip(np.rint(draw), 1, 8 * mean).astype(np.int64)


def _arrivals(w: Workload, rng: np.random.Generator) -> NDArray[np.float64]:
    n = w.n_requests
    if w.arrival == "trace":
        assert w.trace_s is not None
        times = np.sort(np.asarray(w.trace_s, dtype=np.float64))[:n]
        return times - times[0]
    if w.arrival == "batch":
        return np.zeros(n)
    if w.arrival == "poisson":
        gaps = rng.exponential(1.0 / w.rate_rps, n)
    else:
        shape = 1.0 / (w.burst_cv * w.burst_cv)
        gaps = rng.gamma(shape, 1.0 / (w.rate_rps * shape), n)
    gaps[0] = 0.0
    return np.cumsum(gaps)


def generate(w: Workload) -> Requests:
    """The workload's requests; the same workload (seed included) always gives the same arrays."""
    rng = np.random.default_rng(w.seed)
    arrivals = _arrivals(w, rng)
    n = len(arrivals)
    inp = _lengths(rng, w.input_len, w.length_cv, n)
    cached = np.minimum(np.floor(inp * w.prefix_hit_rate), inp - 1).astype(np.int64)
    load = cached * w.prefix_load_s_per_token if w.prefix_load_s_per_token > 0 else None
    return Requests(arrival_s=arrivals, input_len=inp, output_len=_lengths(rng, w.output_len, w.length_cv, n),
                    cached_len=cached, load_s=load)
