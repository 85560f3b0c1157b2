"""Pipeline schedules as named strategies: bubble, activations in flight, parameter copies, overlap.

Times per micro-batch on the most loaded stage (all its layers and virtual chunks): F forward,
B input-gradient backward, W weight-gradient backward (W = the forward GEMM time, B = the rest of
the backward). ``p`` pipeline ranks, ``v`` chunks per rank, ``m`` micro-batches.

| schedule     | bubble (s)                  | activations in flight      | source                              |
|--------------|-----------------------------|----------------------------|-------------------------------------|
| 1f1b         | (p−1)(F+B+W)                | min(m,p)                   | Narayanan et al. 2021, §2.2         |
| interleaved  | (p−1)(F+B+W)/v              | min(m,p)(1+(p−1)/(p·v))    | Narayanan et al. 2021, §2.2.2       |
| zb-h1        | (p−1)(F+B−W)                | min(m,p)                   | Qi et al. 2024 (ICLR), Table 1      |
| zb-v         | (p−1)·max(F+B−2W, 0)/2      | min(m,p)                   | Qi et al. 2024, ZB-V (2 chunks)     |
| dualpipe     | (p/2−1)·max(F+2B−2W, 0)     | p+1, parameters ×2         | DeepSeek-V3 report 2024, Table 2    |
| dualpipev    | (p/2−1)·max(F+2B−2W, 0)/2   | p+1                        | DeepSeek DualPipe repo (V variant)  |

DualPipe's F&B (a forward and a backward chunk run overlapped) is taken as F+B+W, its cost when
compute-bound; its gain is hiding the expert all-to-all behind the paired chunk (``ep_hidden``).
Two-chunk schedules (zb-v, dualpipev) run chunks of half a stage, hence the /2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gigacluster.errors import GigaclusterError

F = np.ndarray


@dataclass(frozen=True)
class Schedule:
    """One pipeline schedule; ``chunks``: "one" (v = 1), "many" (v > 1) or "two" (v = 2)."""

    name: str
    code: int
    chunks: str
    year: int  # first public release: runs measured earlier could not use it
    frameworks: tuple[str, ...]  # framework keywords that ship it ("*": every framework)
    excludes: tuple[str, ...] = ()  # framework keywords that do not (checked first)
    param_copies: float = 1.0
    ep_hidden: float = 0.0  # extra fraction of exposed EP all-to-all hidden (DeepSeek-V3 §3.2.1)
    even_p: bool = False


SCHEDULES: dict[str, Schedule] = {s.name: s for s in (
    Schedule("1f1b", 0, "one", 2019, ("*",)),
    # DeepSpeed's pipeline engine (also under Megatron-DeepSpeed) runs only non-interleaved 1F1B
    Schedule("interleaved", 1, "many", 2021, ("*",), excludes=("deepspeed",)),
    Schedule("zb-h1", 2, "one", 2024, ("zero-bubble", "torchtitan")),
    Schedule("zb-v", 3, "two", 2024, ("zero-bubble", "torchtitan")),
    Schedule("dualpipe", 4, "one", 2025, ("dualpipe", "deepseek"), param_copies=2.0, ep_hidden=0.9,
             even_p=True),
    Schedule("dualpipev", 5, "two", 2025, ("dualpipe", "deepseek", "torchtitan"), ep_hidden=0.9),
)}
BY_CODE = {s.code: s for s in SCHEDULES.values()}


def schedule(name: str) -> Schedule:
    if name not in SCHEDULES:
        raise GigaclusterError("pipeline-schedule", f"unknown '{name}'; allowed: {', '.join(SCHEDULES)}")
    return SCHEDULES[name]


def available(year: int | None, framework: str | None) -> tuple[str, ...]:
    """Schedules a run of ``year`` on ``framework`` could use (blank: no restriction)."""
    fw = (framework or "").lower()
    return tuple(s.name for s in SCHEDULES.values()
                 if (year is None or s.year <= year)
                 and not any(k in fw for k in s.excludes)
                 and (not fw or "*" in s.frameworks or any(k in fw for k in s.frameworks)))


def valid_for(s: Schedule, pp: F, vpp: F, m: F) -> F:
    """Which (pp, vpp, micro-batches) combinations schedule ``s`` can run."""
    shape = vpp == 1 if s.chunks == "one" else vpp == 2 if s.chunks == "two" else vpp > 1
    need = shape & ((pp > 1) | (s.code == 0))
    if s.code == 1:
        need &= m % pp == 0  # Megatron's interleaved schedule needs m divisible by p
    if s.even_p:
        need &= (pp % 2 == 0) & (m >= 2 * pp)
    if s.chunks == "two":
        need &= m >= pp
    return need


def valid(code: F, pp: F, vpp: F, m: F) -> F:
    """Which (schedule, pp, vpp, micro-batches) combinations each candidate's schedule can run."""
    ok = np.zeros(code.shape, dtype=bool)
    for s in SCHEDULES.values():
        ok |= (code == s.code) & valid_for(s, pp, vpp, m)
    return ok


_COPIES = np.array([BY_CODE[i].param_copies for i in range(len(BY_CODE))])
_EP_HIDDEN = np.array([BY_CODE[i].ep_hidden for i in range(len(BY_CODE))])


def param_copies(code: F) -> F:
    return _COPIES[code]


def ep_hidden(code: F) -> F:
    return _EP_HIDDEN[code]


def bubble_s(code: F, pp: F, vpp: F, f: F, b: F, w: F) -> F:
    """Pipeline bubble per step (seconds) of each candidate's schedule (formulas in the module doc)."""
    p = pp.astype(np.float64)
    full = f + b + w
    dual = np.maximum(p / 2 - 1, 0.0) * np.maximum(f + 2 * b - 2 * w, 0.0)  # per chunk pair
    return np.select(
        [code == 0, code == 1, code == 2, code == 3, code == 4, code == 5],
        [(p - 1) * full, (p - 1) * full / vpp, (p - 1) * (f + b - w),
         (p - 1) * np.maximum(f + b - 2 * w, 0.0) / 2, dual, dual / 2], 0.0)


def inflight(code: F, pp: F, vpp: F, m: F) -> F:
    """Micro-batches of one stage's activations held at the peak (first stage)."""
    base = np.minimum(m, pp).astype(np.float64)
    inter = base * (1 + (pp - 1) / (pp * vpp))
    return np.select([code == 1, code >= 4], [inter, pp + 1.0], base)
