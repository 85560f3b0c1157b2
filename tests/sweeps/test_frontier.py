"""Pareto frontiers: the vectorised mask equals the brute-force definition; pairs are checked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.errors import GigaclusterError
from gigacluster.sweeps import parse_spec
from gigacluster.sweeps.frontier import frontier, frontier_pairs, pareto_mask
from gigacluster.sweeps.spec import Frontier


def _brute(x: list[float], y: list[float], x_min: bool, y_min: bool) -> set[tuple[float, float]]:
    sx, sy = (1 if x_min else -1), (1 if y_min else -1)
    pts = [(sx * a, sy * b) for a, b in zip(x, y, strict=True)]
    keep = {p for p in pts if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in pts)}
    return {(sx * a, sy * b) for a, b in keep}


@settings(max_examples=200, deadline=None)
@given(pts=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=40),
       x_min=st.booleans(), y_min=st.booleans())
def test_mask_is_the_set_of_undominated_points(pts: list[tuple[int, int]], x_min: bool, y_min: bool) -> None:
    x = np.array([float(p[0]) for p in pts])
    y = np.array([float(p[1]) for p in pts])
    mask = pareto_mask(x, y, x_min, y_min)
    chosen = list(zip(x[mask].tolist(), y[mask].tolist(), strict=True))
    assert len(chosen) == len(set(chosen))  # of equal points only one is kept
    assert set(chosen) == _brute(x.tolist(), y.tolist(), x_min, y_min)


def test_frontier_skips_error_rows_and_sorts_by_x() -> None:
    frame = pd.DataFrame({"wall_days": [10.0, 5.0, 20.0, 1.0, None], "run_cost_usd": [5.0, 9.0, 1.0, 0.5, 1.0],
                          "error": [None, None, None, "bad", None]})
    f = frontier(frame, Frontier(x="wall_days", y="run_cost_usd"))
    assert f.rows["wall_days"].tolist() == [5.0, 10.0, 20.0]
    assert len(f.candidates) == 3


def test_default_and_named_pairs() -> None:
    spec = parse_spec({"stage": "serve", "axes": {"tpot_p99_ms": [20, 40]}})
    assert frontier_pairs(spec)[0].y == "tokens_per_s_per_user"
    bad = parse_spec({"stage": "serve", "axes": {"tpot_p99_ms": [20, 40]}, "frontiers": [{"x": "cost", "y": "mfu"}]})
    with pytest.raises(GigaclusterError, match="not an output"):
        frontier_pairs(bad)
