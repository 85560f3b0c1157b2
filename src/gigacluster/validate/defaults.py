"""Defaults for a training case's blank global batch and GPU count, by model size and year.

Published rows often give only the end-to-end figure (GPU-hours for a model and a token count). The
batch then follows the practice of the row's era (``data/case_defaults.yaml``: GPT-3's table, the
Llama 4M-token batch, the 16M-token batches of 2024-era frontier runs), and the GPU count sizes the run
to train its tokens in about a month at a typical MFU, capped by the largest published cluster of its
year. Never fitted; the sources are beside the numbers in the data file.
"""

from __future__ import annotations

import functools
import math
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

SECONDS_PER_DAY = 86_400.0


class BatchEra(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    from_year: int
    source: str
    anchors: tuple[tuple[float, float], ...] = Field(min_length=1)  # (params_b, global batch tokens)


class CaseDefaults(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    batch_eras: tuple[BatchEra, ...] = Field(min_length=1)
    run_days: float = Field(gt=0)
    run_mfu: float = Field(gt=0, le=1)
    min_gpus: int = Field(ge=1)
    max_gpus_by_year: dict[int, int]
    fallback_gpus: int = Field(ge=1)


@functools.cache
def case_defaults() -> CaseDefaults:
    text = (resources.files("gigacluster.validate") / "data" / "case_defaults.yaml").read_text(encoding="utf-8")
    return CaseDefaults.model_validate(yaml.safe_load(text))


def _era(year: int | None, d: CaseDefaults) -> BatchEra:
    eras = sorted(d.batch_eras, key=lambda e: e.from_year)
    return eras[-1] if year is None else [e for e in eras if e.from_year <= year][-1]


def default_batch_tokens(params_b: float, year: int | None) -> float:
    """Global batch (tokens) of a model of ``params_b`` billion parameters in ``year``'s practice."""
    anchors = sorted(_era(year, case_defaults()).anchors)
    x = [math.log(p) for p, _ in anchors]
    y = [math.log(t) for _, t in anchors]
    at = min(max(math.log(params_b), x[0]), x[-1])
    for i in range(1, len(x)):
        if at <= x[i]:
            w = (at - x[i - 1]) / (x[i] - x[i - 1]) if x[i] > x[i - 1] else 1.0
            return math.exp(y[i - 1] + w * (y[i] - y[i - 1]))
    return math.exp(y[-1])


def default_batch_seqs(params_b: float, year: int | None, seq_len: int) -> int:
    """The era's batch in sequences of ``seq_len``, a power of two (as published batches are)."""
    return int(2 ** max(0, round(math.log2(default_batch_tokens(params_b, year) / seq_len))))


def max_gpus(year: int | None) -> int:
    """The largest published single training cluster up to ``year`` (the last known for a blank year)."""
    table = case_defaults().max_gpus_by_year
    known = [y for y in table if year is None or y <= year]
    return table[max(known)] if known else table[min(table)]


def default_gpus(active_params_b: float, total_tokens: float | None, peak_bf16_tflops: float,
                 year: int | None) -> int:
    """GPUs that train ``total_tokens`` in ``run_days`` at ``run_mfu`` (6·N·D FLOPs), a power of two."""
    d = case_defaults()
    if not total_tokens or peak_bf16_tflops <= 0:
        return d.fallback_gpus
    flops = 6.0 * active_params_b * 1e9 * total_tokens
    gpus = flops / (d.run_mfu * peak_bf16_tflops * 1e12 * d.run_days * SECONDS_PER_DAY)
    power_of_two = 2 ** round(math.log2(max(gpus, 1.0)))
    return int(min(max(power_of_two, d.min_gpus), max_gpus(year)))
