"""Points of a sweep: named samplers (grid, random, Latin hypercube) over the spec's axes, seeded.

A point is a mapping of axis key -> value, in the spec's axis order. Sampling is deterministic: the same
spec gives the same points in the same order (NumPy ``default_rng(seed)``)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from gigacluster.sweeps.spec import Axis, Range, Scalar, SweepSpec

Point = dict[str, Scalar]
Sampler = Callable[[SweepSpec], list[Point]]


def grid_values(axis: Axis) -> list[Scalar]:
    """The values of an axis on a grid (a range gives ``num`` values, evenly or log-spaced)."""
    if not isinstance(axis, Range):
        return list(axis)
    num = axis.num or 1
    if axis.scale == "log":
        raw = np.geomspace(axis.low, axis.high, num)
    else:
        raw = np.linspace(axis.low, axis.high, num)
    return _unique(_cast(axis, raw))


def _cast(axis: Range, u_values: NDArray[np.float64]) -> list[Scalar]:
    if axis.integer:
        return [int(v) for v in np.rint(u_values)]
    return [float(v) for v in u_values]


def _unique(values: list[Scalar]) -> list[Scalar]:
    seen: dict[str, Scalar] = {}
    for v in values:
        seen.setdefault(json.dumps(v), v)
    return list(seen.values())


def _from_unit(axis: Axis, u: NDArray[np.float64]) -> list[Scalar]:
    """Map unit-interval draws onto an axis: a range (linear or log) or a list of choices (equal shares)."""
    if isinstance(axis, Range):
        if axis.scale == "log":
            lo, hi = np.log(axis.low), np.log(axis.high)
            return _cast(axis, np.exp(lo + u * (hi - lo)))
        return _cast(axis, axis.low + u * (axis.high - axis.low))
    idx = np.minimum((u * len(axis)).astype(np.int64), len(axis) - 1)
    return [axis[i] for i in idx]


def grid(spec: SweepSpec) -> list[Point]:
    """Every combination of the axes' values, the last axis varying fastest."""
    keys = list(spec.axes)
    values = [grid_values(spec.axes[k]) for k in keys]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]


def _unit_random(rng: np.random.Generator, n: int, dims: int) -> NDArray[np.float64]:
    return rng.random((n, dims))


def _unit_lhs(rng: np.random.Generator, n: int, dims: int) -> NDArray[np.float64]:
    """Latin hypercube (McKay, Beckman & Conover 1979): each axis cut into n equal strata, one draw in each,
    strata shuffled independently per axis."""
    strata = np.stack([rng.permutation(n) for _ in range(dims)], axis=1)
    return (strata + rng.random((n, dims))) / n


def _unit_sampler(unit: Callable[[np.random.Generator, int, int], NDArray[np.float64]]) -> Sampler:
    def sample(spec: SweepSpec) -> list[Point]:
        keys = list(spec.axes)
        u = unit(np.random.default_rng(spec.seed), spec.n or 1, len(keys))
        columns = [_from_unit(spec.axes[k], u[:, j]) for j, k in enumerate(keys)]
        return _distinct([dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)])
    return sample


def _distinct(points: list[Point]) -> list[Point]:
    """Points without repeats (first occurrence kept): a point's id is the hash of its inputs."""
    seen: dict[str, Point] = {}
    for p in points:
        seen.setdefault(json.dumps(p, sort_keys=True), p)
    return list(seen.values())


SAMPLERS: dict[str, Sampler] = {"grid": grid, "random": _unit_sampler(_unit_random), "lhs": _unit_sampler(_unit_lhs)}


def sample_points(spec: SweepSpec) -> list[Point]:
    """The spec's points, by its named sampler."""
    return SAMPLERS[spec.sample](spec)
