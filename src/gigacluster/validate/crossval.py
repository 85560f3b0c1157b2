"""Leave-one-family-out cross-validation of the training model (the honest accuracy measure).

For each source family: fit every constant on the other families (from the prior centers, the
same procedure as the shipped fit), then predict the held-out family's rows with a full layout
search. Pooled median/mean APE are over all held-out predictions.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from gigacluster.training.calibration import Calibration
from gigacluster.validate.cases import TrainingCase
from gigacluster.validate.fit import Objective, active_paths, cache_rows, family_mean, fit, start_point, with_value
from gigacluster.validate.priors import PriorSet, get_path, prior_set
from gigacluster.validate.training import ROW_ERRORS, predict_case


class FamilyCV(BaseModel):
    model_config = ConfigDict(frozen=True)

    rows: int
    predicted: int
    median_ape: float | None
    mean_ape: float | None


Constraint = Literal["no: prior only", "one side", "both sides"]
CONSTRAINTS: tuple[Constraint, ...] = ("no: prior only", "one side", "both sides")  # by sides constrained


class FittedConstant(BaseModel):
    """A fitted constant beside its prior; ``gap`` names why it signals a missing mechanism;
    ``constrained`` says whether the cases pin it (``identification``)."""

    model_config = ConfigDict(frozen=True)

    path: str
    value: float
    prior: float
    z: float
    gap: str | None
    data_rise: tuple[float, float] | None = None  # data-loss rise one prior sigma below / above the fit
    constrained: Constraint | Literal[""] = ""  # empty: a report from before the column existed


class CVReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    median_ape: float | None
    mean_ape: float | None
    families: dict[str, FamilyCV]
    in_sample_median_ape: float | None
    in_sample_mean_ape: float | None
    constants: list[FittedConstant]
    seconds: float


def _apes(cases: Sequence[TrainingCase], cal: Calibration) -> list[float | None]:
    out: list[float | None] = []
    for case in cases:
        try:
            out.append(predict_case(case, cal).ape)
        except ROW_ERRORS:
            out.append(None)
    return out


def _summary(apes: Sequence[float | None]) -> FamilyCV:
    got = [a for a in apes if a is not None]
    return FamilyCV(rows=len(apes), predicted=len(got), median_ape=statistics.median(got) if got else None,
                    mean_ape=statistics.fmean(got) if got else None)


def fit_rows(cases: Sequence[TrainingCase], raw: dict[str, Any], priors: PriorSet, passes: int,
             log: Callable[[str], None] | None = None) -> tuple[dict[str, Any], Objective]:
    """Fit on ``cases`` from the prior centers; returns the fitted raw calibration."""
    start = start_point(raw, priors)
    rows = cache_rows(cases, Calibration.model_validate(start))
    obj = Objective(rows, priors, active_paths(rows, priors))
    fitted, _ = fit(start, obj, passes, log)
    return fitted, obj


def identification(raw: dict[str, Any], obj: Objective, path: str, base: Sequence[float]) -> tuple[float, float]:
    """How much the data part of the loss (family-weighted capped APE) rises when the constant moves
    one prior sigma down and up from the fit, the others held: a profile of what the cases say."""
    prior, here = obj.priors.priors[path], family_mean(obj.rows, base)
    t = prior.to_t(float(get_path(raw, path)))
    rise = [family_mean(obj.rows, obj.errors(with_value(raw, path, prior.from_t(t + s)), obj.affected[path], base))
            - here for s in (-prior.sigma, prior.sigma)]
    return rise[0], rise[1]


def constraint_label(rise: tuple[float, float], weight: float) -> Constraint:
    """A side is constrained when leaving the fit by one sigma costs the data more than the prior
    charges for that sigma (``weight``); otherwise the prior alone sets the value there."""
    return CONSTRAINTS[sum(r >= weight for r in rise)]


def constants_report(raw: dict[str, Any], obj: Objective) -> list[FittedConstant]:
    out = []
    base = obj.errors(raw)
    for path in obj.active:
        prior, value = obj.priors.priors[path], float(get_path(raw, path))
        z = prior.z(value)
        gap = ("at a physical limit" if prior.at_limit(value)
               else f"{abs(z):.1f} sigma from its prior" if abs(z) > 2.0 else None)
        rise = identification(raw, obj, path, base)
        out.append(FittedConstant(path=path, value=value, prior=prior.center, z=z, gap=gap, data_rise=rise,
                                  constrained=constraint_label(rise, obj.priors.weight)))
    return out


def _fold(args: tuple[Sequence[TrainingCase], dict[str, Any], int, str]) -> list[float | None]:
    """Held-out APEs of one family after fitting on the others."""
    cases, raw, passes, fam = args
    train = [c for c in cases if str(c.get("family")) != fam]
    held = [c for c in cases if str(c.get("family")) == fam]
    fitted, _ = fit_rows(train, raw, prior_set(raw), passes)
    return _apes(held, Calibration.model_validate(fitted))


def cross_validate(cases: Sequence[TrainingCase], raw: dict[str, Any], passes: int = 6,
                   log: Callable[[str], None] | None = None, jobs: int = 1) -> tuple[CVReport, dict[str, Any]]:
    """Leave-one-family-out CV plus the in-sample fit on everything (returned for --write);
    ``jobs`` > 1 runs the folds in that many processes."""
    t0 = time.perf_counter()
    families = list(dict.fromkeys(str(c.get("family")) for c in cases))
    tasks = [(cases, raw, passes, fam) for fam in families]
    per_family: dict[str, FamilyCV] = {}
    pooled: list[float | None] = []
    with multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else _Serial() as pool:
        for fam, apes in zip(families, pool.imap(_fold, tasks), strict=True):
            per_family[fam], pooled = _summary(apes), pooled + apes
            if log:
                s = per_family[fam]
                log(f"{fam:16s} rows {s.rows:3d}  median {_pct(s.median_ape)}  mean {_pct(s.mean_ape)}")
    full, obj = fit_rows(cases, raw, prior_set(raw), passes)
    ins = _summary(_apes(cases, Calibration.model_validate(full)))
    cv = _summary(pooled)
    report = CVReport(median_ape=cv.median_ape, mean_ape=cv.mean_ape, families=per_family,
                      in_sample_median_ape=ins.median_ape, in_sample_mean_ape=ins.mean_ape,
                      constants=constants_report(full, obj), seconds=time.perf_counter() - t0)
    return report, full


class _Serial:
    """A one-process stand-in for a multiprocessing pool."""

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        return map(fn, items)


def in_sample(cases: Sequence[TrainingCase], raw: dict[str, Any], passes: int = 6,
              log: Callable[[str], None] | None = None) -> tuple[CVReport, dict[str, Any]]:
    """The fit on every family, with its in-sample error (no cross-validation)."""
    t0 = time.perf_counter()
    full, obj = fit_rows(cases, raw, prior_set(raw), passes, log)
    ins = _summary(_apes(cases, Calibration.model_validate(full)))
    report = CVReport(median_ape=None, mean_ape=None, families={}, in_sample_median_ape=ins.median_ape,
                      in_sample_mean_ape=ins.mean_ape, constants=constants_report(full, obj),
                      seconds=time.perf_counter() - t0)
    return report, full


def _pct(x: float | None) -> str:
    return "   n/a" if x is None else f"{x:6.1%}"
