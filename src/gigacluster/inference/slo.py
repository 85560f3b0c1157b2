"""Maximum throughput that meets p99 TTFT / TPOT limits, found with the serving simulator.

The search is over a FIXED set of arrival rates (a geometric ladder of fractions of the analytic
offline request rate) and a fixed set of scheduler knobs (token budget per step); the highest
feasible (rate, knob) is then refined by bisection towards the next ladder rate (to 0.8%). Because
neither set depends on the limits and a run that meets tight limits also meets looser ones, relaxing
a limit can never lower the answer (the property tests check this). Runs use common random numbers
(one seed for all rates).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.inference.simulate import SimResult, simulate
from gigacluster.inference.simulator import EngineConfig, Limits
from gigacluster.inference.step_cost import StepFn
from gigacluster.inference.workload import Workload

RATE_LADDER: tuple[float, ...] = tuple(0.94**k for k in range(48))
TOKEN_BUDGETS: tuple[int, ...] = (8192, 4096, 2048, 1024, 512, 256)
REFINE_TOL = 0.008


class SloThroughput(BaseModel):
    """The best feasible operating point: arrival rate, throughput, scheduler knob, its run."""

    model_config = ConfigDict(frozen=True)

    feasible: bool
    rate_rps: float
    output_tokens_per_s: float
    output_tokens_per_s_per_gpu: float
    max_tokens: int
    runs: int
    result: SimResult | None


def meets(result: SimResult, limits: Limits) -> bool:
    if result.aborted or result.completed < result.requests:
        return False
    if limits.ttft_ms is not None and result.ttft_ms.p99 > limits.ttft_ms:
        return False
    return not (limits.tpot_ms is not None and result.tpot_ms.p99 > limits.tpot_ms)


def _refine(step_fn: StepFn, cfg: EngineConfig, workload: Workload, gpus: int, capacity_rps: float,
            limits: Limits, level: int, run: SimResult) -> tuple[float, SimResult, int]:
    """Bisect between the feasible ladder rate and the next (infeasible) one down to REFINE_TOL, so the
    answer does not jump by a whole 6% ladder step when the sample changes. Monotone in the limits:
    each probe is the same run for tighter and looser limits."""
    if level == 0:
        return RATE_LADDER[0], run, 0
    lo, hi, runs = RATE_LADDER[level], RATE_LADDER[level - 1], 0
    while hi / lo - 1.0 > REFINE_TOL:
        mid = (lo * hi) ** 0.5
        trial = simulate(step_fn, cfg, workload.model_copy(update={"rate_rps": capacity_rps * mid}), gpus, limits)
        runs += 1
        if meets(trial, limits):
            lo, run = mid, trial
        else:
            hi = mid
    return lo, run, runs


def max_throughput_under_slo(step_fn: StepFn, base: EngineConfig, workload: Workload, gpus: int,
                             capacity_rps: float, limits: Limits, ranks: int = 1) -> SloThroughput:
    """Highest ladder rate (x ``capacity_rps``) at which some token budget (per attention-DP rank,
    ``ranks`` per engine) meets ``limits``."""
    best_level, best_budget, best_run, runs = -1, base.max_tokens, None, 0
    for budget in TOKEN_BUDGETS:
        cfg = base.model_copy(update={"max_tokens": min(budget * ranks, base.max_tokens)})
        top = len(RATE_LADDER) if best_level < 0 else best_level
        for level in range(top):
            w = workload.model_copy(update={"rate_rps": capacity_rps * RATE_LADDER[level]})
            run = simulate(step_fn, cfg, w, gpus, limits)
            runs += 1
            if meets(run, limits):
                best_level, best_budget, best_run = level, cfg.max_tokens, run
                break
        if best_level == 0:
            break
    if best_run is None:
        return SloThroughput(feasible=False, rate_rps=0.0, output_tokens_per_s=0.0,
                             output_tokens_per_s_per_gpu=0.0, max_tokens=base.max_tokens, runs=runs, result=None)
    frac, best_run, extra = _refine(step_fn, base.model_copy(update={"max_tokens": best_budget}), workload, gpus,
                                    capacity_rps, limits, best_level, best_run)
    rate, runs = capacity_rps * frac, runs + extra
    out = rate * workload.output_len
    return SloThroughput(feasible=True, rate_rps=rate, output_tokens_per_s=out,
                         output_tokens_per_s_per_gpu=out / gpus, max_tokens=best_budget, runs=runs,
                         result=best_run)
