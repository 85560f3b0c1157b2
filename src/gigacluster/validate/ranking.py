"""Does the planner rank parallel layouts as measured? (vTrain-style case files)

Rows that share a model, GPU count, global batch and metric differ only in their layout; within
each such group we compare the predicted order with the measured one: Spearman's rank
correlation ρ = Pearson correlation of the ranks (ties averaged), and whether the predicted
fastest layout is the measured fastest (top-1).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from pydantic import BaseModel, ConfigDict

from gigacluster.validate.cases import TrainingCase

HIGHER_IS_BETTER = ("tflops_per_gpu", "mfu", "hfu", "tokens_per_s_per_gpu")


class RankingReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    groups: int
    rows: int
    mean_spearman: float
    top1_match: float


def _ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x), dtype=float)
    for value in np.unique(x):  # average ties
        tie = x == value
        ranks[tie] = ranks[tie].mean()
    return ranks


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def _key(case: TrainingCase) -> tuple[object, ...]:
    return (case.get("model_name"), case.get("layers"), case.get("hidden"), case.get("num_gpus"),
            case.get("global_batch_seqs"), case.get("seq_len"), case.get("metric"))


def rank_layouts(cases: list[TrainingCase], predicted: dict[str, float], min_rows: int = 3) -> RankingReport | None:
    """Spearman ρ and top-1 match over groups of ≥ ``min_rows`` predicted rows; None if no group."""
    groups: dict[tuple[object, ...], list[TrainingCase]] = defaultdict(list)
    for case in cases:
        if case.id in predicted:
            groups[_key(case)].append(case)
    rhos, hits, rows = [], [], 0
    for members in groups.values():
        if len(members) < min_rows:
            continue
        sign = -1.0 if members[0].get("metric") in HIGHER_IS_BETTER else 1.0
        meas = sign * np.array([float(c.get("value")) for c in members])
        pred = sign * np.array([predicted[c.id] for c in members])
        rhos.append(spearman(meas, pred))
        hits.append(float(np.argmin(pred) == np.argmin(meas)))
        rows += len(members)
    if not rhos:
        return None
    return RankingReport(groups=len(rhos), rows=rows, mean_spearman=float(np.mean(rhos)),
                         top1_match=float(np.mean(hits)))
