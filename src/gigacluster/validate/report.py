"""Result types shared by every `validate` command: predicted rows, skipped rows, APE by family."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict


class PredictedRow(BaseModel):
    """One predicted case: ape = |predicted − measured| / measured."""

    model_config = ConfigDict(frozen=True)

    id: str
    family: str
    metric: str
    measured: float
    predicted: float
    ape: float
    layout: str
    note: str = ""  # e.g. the stated rule behind an unpublished accelerator peak


class Skipped(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    reason: str


class FamilyError(BaseModel):
    model_config = ConfigDict(frozen=True)

    family: str
    rows: int
    median_ape: float
    mean_ape: float


def family_errors(rows: Sequence[PredictedRow]) -> list[FamilyError]:
    """Median and mean APE per source family, in the order families first appear."""
    groups: dict[str, list[float]] = {}
    for r in rows:
        groups.setdefault(r.family, []).append(r.ape)
    return [FamilyError(family=f, rows=len(a), median_ape=statistics.median(a), mean_ape=statistics.fmean(a))
            for f, a in groups.items()]
