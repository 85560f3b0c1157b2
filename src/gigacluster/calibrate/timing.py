"""Warm-up + repetitions timing harness shared by every backend.

A sample times ``inner`` back-to-back calls followed by one ``sync`` (a device barrier on GPUs), so
asynchronous launches are measured as a training step issues them; ``inner`` is chosen from the
warm-up so a sample lasts at least ``min_sample_s`` (short kernels are not drowned by the timer).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from gigacluster.calibrate.records import Timing


class Repetition(BaseModel):
    """How hard to measure: warm-up calls, timed samples, minimum sample length, call cap."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    warmup: int = 2
    reps: int = 7
    min_sample_s: float = 2e-3
    max_inner: int = 1000


def _no_sync() -> None:
    return None


def _timed(call: Callable[[], object], sync: Callable[[], None], inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        call()
    sync()
    return (time.perf_counter() - start) / inner


def measure(call: Callable[[], object], rep: Repetition, sync: Callable[[], None] = _no_sync) -> Timing:
    """Median and spread of seconds per call of ``call``."""
    one = 0.0
    for _ in range(max(rep.warmup, 1)):
        one = _timed(call, sync, 1)
    inner = int(min(rep.max_inner, max(1.0, rep.min_sample_s / max(one, 1e-9))))
    return Timing.of([_timed(call, sync, inner) for _ in range(rep.reps)])
