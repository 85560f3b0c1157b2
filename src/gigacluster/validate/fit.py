"""Fit the training model's constants to case rows: families weighted equally, penalty toward
physical priors, coordinate descent in each constant's transform (log / logit).

Each row's job and candidate grid are built once (:func:`cache_rows`); the grid is pruned to the
layouts that fit memory (memory does not depend on fitted constants) and, of those, the ``keep``
fastest under the prior-center calibration, so a loss evaluation is one small vectorised
evaluation per row.
"""

from __future__ import annotations

import copy
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gigacluster.training.calibration import Calibration
from gigacluster.training.dims import Dims, dims_of
from gigacluster.training.job import TrainingJob
from gigacluster.training.layout import Candidates
from gigacluster.training.search import search
from gigacluster.training.step import step_time_s
from gigacluster.validate.cases import TrainingCase
from gigacluster.validate.priors import PriorSet, get_path, set_path
from gigacluster.validate.training import ROW_ERRORS, case_job, predict_metric

KEEP = 256


@dataclass(frozen=True)
class CachedRow:
    """One case with its job and pruned candidate grid (``job`` None: cannot be predicted)."""

    case: TrainingCase
    family: str
    job: TrainingJob | None
    dims: Dims | None
    cands: Candidates | None


def cache_rows(cases: Sequence[TrainingCase], cal: Calibration, keep: int = KEEP) -> list[CachedRow]:
    rows = []
    for case in cases:
        fam = str(case.get("family"))
        try:
            job = case_job(case, cal)
            out = search(job, cal)
        except ROW_ERRORS:
            rows.append(CachedRow(case, fam, None, None, None))
            continue
        ok = out.order.size > 0
        cands = out.candidates.take(out.order[:keep]) if ok else None
        rows.append(CachedRow(case, fam, job if ok else None, dims_of(job.model), cands))
    return rows


def row_error(row: CachedRow, cal: Calibration) -> float:
    """min(APE, 1) of the row's best layout under ``cal`` (1 when it cannot be predicted)."""
    if row.job is None or row.cands is None or row.dims is None:
        return 1.0
    step = step_time_s(row.job, row.cands, cal, row.dims)
    i = int(np.argmin(step))
    predicted = predict_metric(row.case, row.job, float(step[i]), row.cands.layout(i), cal)
    measured = float(row.case.get("value"))
    return min(abs(predicted - measured) / measured, 1.0)


def family_mean(rows: Sequence[CachedRow], errors: Sequence[float]) -> float:
    """Mean over families of each family's mean error (every family weighs the same)."""
    groups: dict[str, list[float]] = {}
    for row, err in zip(rows, errors, strict=True):
        groups.setdefault(row.family, []).append(err)
    return statistics.fmean(statistics.fmean(v) for v in groups.values())


_USES = {  # constants that only matter to rows whose candidates have the feature
    "overlap.zero3": lambda c, d: bool(np.any(c.shard == 5)),
    "overlap.fsdp": lambda c, d: bool(np.any((c.shard == 3) | (c.shard == 4))),
    "overlap.cp": lambda c, d: bool(np.any(c.cp > 1)),
    "overlap.pp": lambda c, d: bool(np.any(c.pp > 1)),
    "overlap.tp": lambda c, d: bool(np.any(c.tp > 1)),
    "overlap.dp": lambda c, d: bool(np.any(c.dp > 1)),
    "overlap.ep": lambda c, d: d.moe_layers > 0,
    "gemm.moe_half_tokens": lambda c, d: d.moe_layers > 0,
    "gemm.moe_half_width": lambda c, d: d.moe_layers > 0,
    "gemm.moe_layer_overhead_s": lambda c, d: d.moe_layers > 0,
}


def _depends(path: str, row: CachedRow) -> bool:
    """Whether the row's prediction can change with the constant at ``path``."""
    if row.job is None or row.cands is None or row.dims is None:
        return False
    parts = path.split(".")
    if parts[:2] in (["gemm", "efficiency_max"], ["attention", "relative_efficiency"]):
        return parts[2] == row.job.accelerator.generation
    if parts[:2] == ["gemm", "low_precision"]:
        return parts[2] == row.job.precision
    use = _USES.get(path)
    return use(row.cands, row.dims) if use else True


def active_paths(rows: Sequence[CachedRow], priors: PriorSet) -> list[str]:
    """Constants the rows constrain: per-generation tables only for generations present, low-precision
    factors only for formats present."""
    return [p for p in priors.priors if any(_depends(p, r) for r in rows)]


@dataclass
class Objective:
    """Loss of a raw calibration dict on cached rows, with the prior penalty. Row errors of the
    current point are cached; a trial move of one constant re-evaluates only the rows it affects."""

    rows: Sequence[CachedRow]
    priors: PriorSet
    active: list[str]
    evaluations: int = 0

    def __post_init__(self) -> None:
        self.affected = {p: [i for i, r in enumerate(self.rows) if _depends(p, r)] for p in self.active}

    def group_center(self, raw: dict[str, Any], path: str) -> float | None:
        prior = self.priors.priors[path]
        peers = [self.priors.priors[p].to_t(float(get_path(raw, p))) for p in self.active
                 if p != path and self.priors.priors[p].group == prior.group]
        return statistics.fmean(peers) if peers else None

    def penalty(self, raw: dict[str, Any]) -> float:
        total = 0.0
        for path in self.active:
            prior, value = self.priors.priors[path], float(get_path(raw, path))
            total += prior.z(value) ** 2
            center = self.group_center(raw, path) if prior.group else None
            if center is not None:
                total += ((prior.to_t(value) - center) / self.priors.group_sigma) ** 2
        return self.priors.weight * total

    def errors(self, raw: dict[str, Any], only: Sequence[int] | None = None,
               base: Sequence[float] | None = None) -> list[float]:
        """Row errors under ``raw``; with ``only``, just those rows, the rest taken from ``base``."""
        self.evaluations += 1
        cal = Calibration.model_validate(raw)
        if only is None or base is None:
            return [row_error(r, cal) for r in self.rows]
        out = list(base)
        for i in only:
            out[i] = row_error(self.rows[i], cal)
        return out

    def loss(self, raw: dict[str, Any], errors: Sequence[float]) -> float:
        return family_mean(self.rows, errors) + self.penalty(raw)


def start_point(raw: dict[str, Any], priors: PriorSet) -> dict[str, Any]:
    """Every prior-carrying constant at its prior center (the fit's starting point)."""
    out = Calibration.model_validate(raw).model_dump()
    for path, prior in priors.priors.items():
        set_path(out, path, prior.center)
    return out


def fill_inactive(raw: dict[str, Any], obj: Objective) -> None:
    """Constants no row constrains: a group member takes the precision-weighted mix of its prior
    and the group's fitted members; anything else stays at its prior center."""
    g2 = obj.priors.group_sigma ** 2
    for path, prior in obj.priors.priors.items():
        if path in obj.active:
            continue
        center = obj.group_center(raw, path) if prior.group else None
        if center is None:
            set_path(raw, path, prior.center)
            continue
        s2 = prior.sigma ** 2
        t = (prior.to_t(prior.center) / s2 + center / g2) / (1 / s2 + 1 / g2)
        set_path(raw, path, prior.from_t(t))


def fit(raw: dict[str, Any], obj: Objective, passes: int = 6,
        log: Callable[[str], None] | None = None) -> tuple[dict[str, Any], float]:
    """Adaptive pattern search in transform space: each constant keeps its own step (half a prior
    sigma at first); a move that lowers the loss is kept and its step grows ×1.6 in that direction,
    a constant that improves neither way halves its step. Stops when a pass gains < 2e-4."""
    errs = obj.errors(raw)
    best = obj.loss(raw, errs)
    steps = {p: 0.5 * obj.priors.priors[p].sigma for p in obj.active}
    for n in range(passes):
        before = best
        for path in obj.active:
            prior = obj.priors.priors[path]
            t0, step = prior.to_t(float(get_path(raw, path))), steps[path]
            if abs(step) < 0.03 * prior.sigma:  # converged
                continue
            for s in (step, -step):
                trial = with_value(raw, path, prior.from_t(t0 + s))
                trial_errs = obj.errors(trial, obj.affected[path], errs)
                score = obj.loss(trial, trial_errs)
                if score < best - 1e-6:
                    raw, best, errs = trial, score, trial_errs
                    steps[path] = 1.6 * s
                    break
            else:
                steps[path] = 0.5 * step
        if log:
            log(f"pass {n}: loss {best:.4f} ({obj.evaluations} evaluations)")
        if before - best < 2e-4:
            break
    fill_inactive(raw, obj)
    return raw, best


def with_value(raw: dict[str, Any], path: str, value: float) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    set_path(out, path, value)
    return out
