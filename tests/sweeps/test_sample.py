"""Samplers: grid order and size, seeded random and Latin-hypercube draws, one stratum per point."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.sweeps.sample import grid_values, sample_points
from gigacluster.sweeps.spec import Range, parse_spec


def _spec(sample: str, n: int | None = None, seed: int = 0) -> dict[str, object]:
    return {"base": "meta-24k", "stage": "design", "sample": sample, "n": n, "seed": seed,
            "axes": {"design.accelerator": ["h100-sxm", "h200", "b200"],
                     "design.facility_mw": {"low": 10, "high": 1000, "scale": "log", "num": 3}}}


def test_grid_is_every_combination_last_axis_fastest() -> None:
    points = sample_points(parse_spec(_spec("grid")))
    assert len(points) == 9
    assert points[0] == {"design.accelerator": "h100-sxm", "design.facility_mw": 10.0}
    assert points[1]["design.facility_mw"] == 100.0 and points[3]["design.accelerator"] == "h200"


def test_integer_range_rounds_and_drops_repeats() -> None:
    assert grid_values(Range(low=1, high=3, integer=True, num=5)) == [1, 2, 3]


def test_random_and_lhs_are_seeded() -> None:
    for sample in ("random", "lhs"):
        a = sample_points(parse_spec(_spec(sample, 20, seed=3)))
        b = sample_points(parse_spec(_spec(sample, 20, seed=3)))
        c = sample_points(parse_spec(_spec(sample, 20, seed=4)))
        assert a == b and a != c
        assert all(10 <= p["design.facility_mw"] <= 1000 for p in a)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 10_000))
def test_lhs_puts_one_point_in_each_stratum(n: int, seed: int) -> None:
    spec = parse_spec({"stage": "design", "sample": "lhs", "n": n, "seed": seed,
                       "axes": {"it_mw": {"low": 0.5, "high": 1.5}, "pue": {"low": 1.0, "high": 2.0}}})
    points = sample_points(spec)
    assert len(points) == n
    for key, low in (("it_mw", 0.5), ("pue", 1.0)):
        strata = np.floor((np.array([p[key] for p in points]) - low) * n).astype(int)
        assert sorted(strata.tolist()) == list(range(n))


def test_repeated_draws_of_choices_are_kept_once() -> None:
    spec = parse_spec({"stage": "design", "sample": "random", "n": 50, "axes": {"accelerator": ["h100-sxm", "h200"]}})
    assert len(sample_points(spec)) == 2
