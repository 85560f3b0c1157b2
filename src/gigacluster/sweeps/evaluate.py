"""One point → one flat row; one chunk of points → one Arrow table with the sweep's fixed schema.

A row holds ``point_id`` (a hash of the point's inputs), ``index`` (its position in the sweep), the inputs
(``in.<axis>``), the stage's typed headline outputs, ``error`` (empty when the point ran) and ``seconds``.
An invalid point (a bad value, a model that does not fit) becomes a row with its error, never a crash."""

from __future__ import annotations

import functools
import time
import types
import typing
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from gigacluster.catalog.scenarios import Scenario
from gigacluster.errors import GigaclusterError
from gigacluster.sweeps.sample import Point
from gigacluster.sweeps.spec import Range, SweepSpec, digest, value_kind
from gigacluster.sweeps.stages import STAGES, Stage, apply_overrides, axis_kind, base_scenario

_ARROW = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string()}
_KINDS = {"bool": pa.bool_(), "number": pa.float64(), "text": pa.string()}


def check_keys(spec: SweepSpec) -> dict[str, str]:
    """The kind of every axis and request key ('phase', 'scenario', 'request'); bad keys raise before any point runs."""
    stage, has_base = STAGES[spec.stage], spec.base is not None
    kinds = {key: axis_kind(stage, key, has_base) for key in spec.axes}
    for key in spec.request:
        if axis_kind(stage, key, has_base) != "request":
            raise GigaclusterError(f"request.{key}", f"not a field of the {spec.stage} request")
    return kinds


def point_id(spec: SweepSpec, point: Point) -> str:
    """A stable id: the hash of everything the point's result depends on in the spec, and its inputs."""
    return digest({"base": spec.base, "phase": spec.phase, "stage": spec.stage, "request": spec.request,
                   "point": point})


def _axis_type(spec: SweepSpec, key: str) -> pa.DataType:
    axis = spec.axes[key]
    if isinstance(axis, Range):
        return pa.int64() if axis.integer else pa.float64()
    kind = value_kind(axis[0])
    if kind == "number" and all(isinstance(v, int) for v in axis):
        return pa.int64()
    return _KINDS[kind]


def _field_type(annotation: Any) -> pa.DataType:
    args = [a for a in typing.get_args(annotation) if a is not type(None)] if isinstance(
        annotation, types.UnionType) else [annotation]
    return _ARROW[args[0]]


def row_schema(spec: SweepSpec) -> pa.Schema:
    """The one schema every shard of a sweep has (so the shards read back as one table)."""
    stage = STAGES[spec.stage]
    inputs = [pa.field(f"in.{k}", _axis_type(spec, k)) for k in spec.axes]
    outputs = [pa.field(name, _field_type(f.annotation)) for name, f in stage.headline.model_fields.items()]
    fixed = [pa.field("point_id", pa.string()), pa.field("index", pa.int64())]
    return pa.schema(fixed + inputs + outputs + [pa.field("error", pa.string()), pa.field("seconds", pa.float64())])


@functools.cache
def _base(base: str | None) -> Scenario | None:
    return base_scenario(base)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        return f"{loc}: {first.get('msg', 'invalid')}"
    if isinstance(exc, GigaclusterError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_point(stage: Stage, spec: SweepSpec, kinds: dict[str, str], point: Point) -> dict[str, Any]:
    """The stage's headline outputs for one point (raises on an invalid point)."""
    scn = _base(spec.base)
    phase = str(point["phase"]) if "phase" in point else spec.phase
    if scn is not None:
        scn = apply_overrides(scn, {k: v for k, v in point.items() if kinds[k] == "scenario"})
    request = spec.request | {k: v for k, v in point.items() if kinds[k] == "request"}
    return stage.run(scn, phase, request).model_dump()


def evaluate_point(spec: SweepSpec, kinds: dict[str, str], index: int, point: Point) -> dict[str, Any]:
    """One flat row: id, inputs, outputs or the error, and the seconds it took."""
    stage = STAGES[spec.stage]
    start = time.perf_counter()
    row: dict[str, Any] = {"point_id": point_id(spec, point), "index": index}
    row |= {f"in.{k}": v for k, v in point.items()}
    try:
        row |= run_point(stage, spec, kinds, point)
        row["error"] = None
    except Exception as exc:  # noqa: BLE001 - an invalid point is a row with its error, never a crashed sweep
        row["error"] = _error_text(exc)
    row["seconds"] = time.perf_counter() - start
    return row


def evaluate_chunk(spec: SweepSpec, start: int, points: list[Point]) -> pa.Table:
    """The rows of a chunk of points (``start`` = the first point's index) as one Arrow table."""
    kinds = check_keys(spec)
    rows = [evaluate_point(spec, kinds, start + i, p) for i, p in enumerate(points)]
    return pa.Table.from_pylist(rows, schema=row_schema(spec))
