from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gigacluster.validate.ranking import spearman
from gigacluster.validate.training import validate_training

DATA = Path(__file__).parents[2] / "data" / "validation"


@given(st.lists(st.integers(-10**6, 10**6), min_size=3, max_size=30, unique=True))
def test_spearman_is_one_for_an_increasing_map_and_minus_one_reversed(xs: list[int]) -> None:
    a = np.array(xs, dtype=float)
    assert np.isclose(spearman(a, 2.0 * a + 1.0), 1.0)
    assert np.isclose(spearman(a, -a), -1.0)


def test_vtrain_layout_ranking_is_scored_and_positive() -> None:
    report = validate_training(DATA / "training_vtrain_multi.csv")
    assert report.ranking is not None and report.ranking.groups == 4
    assert report.ranking.mean_spearman > 0.5
