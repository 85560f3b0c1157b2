"""Pareto frontiers of a sweep's rows: the points no other point beats on both of a pair of outputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gigacluster.errors import GigaclusterError
from gigacluster.sweeps.spec import Frontier, SweepSpec
from gigacluster.sweeps.stages import STAGES


def pareto_mask(x: NDArray[np.float64], y: NDArray[np.float64], x_min: bool = True,
                y_min: bool = True) -> NDArray[np.bool_]:
    """True where a point is on the frontier: sorted by x (best first, ties by y), a point is kept when its
    y beats the best y of every point before it (strictly; of equal points only the first is kept)."""
    xs = x if x_min else -x
    ys = y if y_min else -y
    order = np.lexsort((ys, xs))
    ys_sorted = ys[order]
    best_before = np.concatenate(([np.inf], np.minimum.accumulate(ys_sorted)[:-1]))
    mask = np.zeros(len(x), dtype=bool)
    mask[order[ys_sorted < best_before]] = True
    return mask


@dataclass(frozen=True)
class FrontierRows:
    """One pair's frontier: the pair and its rows (ok rows with both values, sorted by x)."""

    pair: Frontier
    candidates: pd.DataFrame
    rows: pd.DataFrame

    @property
    def name(self) -> str:
        return f"{self.pair.x} ({self.pair.x_goal}) vs {self.pair.y} ({self.pair.y_goal})"


def frontier_pairs(spec: SweepSpec) -> list[Frontier]:
    """The pairs the spec names, else the stage's default pairs; a column that is no output is an error."""
    stage = STAGES[spec.stage]
    pairs = list(spec.frontiers) or list(stage.frontiers)
    columns = list(stage.headline.model_fields)
    for i, p in enumerate(pairs):
        for name in (p.x, p.y):
            if name not in columns:
                raise GigaclusterError(f"frontiers.{i}", f"'{name}' is not an output of stage '{spec.stage}'; "
                                                         f"allowed: {', '.join(columns)}")
    return pairs


def frontier(frame: pd.DataFrame, pair: Frontier) -> FrontierRows:
    """The Pareto frontier of ``frame`` over ``pair`` (rows with an error or a missing value are left out)."""
    ok = frame[frame["error"].isna()] if "error" in frame else frame
    ok = ok[ok[pair.x].notna() & ok[pair.y].notna()]
    x = ok[pair.x].to_numpy(dtype=float)
    y = ok[pair.y].to_numpy(dtype=float)
    mask = pareto_mask(x, y, pair.x_goal == "min", pair.y_goal == "min")
    rows = ok[mask].sort_values(pair.x, ascending=pair.x_goal == "min")
    return FrontierRows(pair=pair, candidates=ok, rows=rows)


def frontier_table(fronts: list[FrontierRows]) -> pd.DataFrame:
    """Every frontier's rows, one table, with a ``frontier`` column naming the pair."""
    parts = [f.rows.assign(frontier=f.name) for f in fronts if len(f.rows)]
    if not parts:
        return pd.DataFrame(columns=["frontier"])
    table = pd.concat(parts, ignore_index=True)
    return table[["frontier", *[c for c in table.columns if c != "frontier"]]]
