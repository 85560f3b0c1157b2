"""The sweep spec: a base scenario, the stage to run, and axes sampled as a grid, at random or by Latin
hypercube. A typed, frozen pydantic model; unknown keys are errors with a 'did you mean'."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gigacluster.errors import GigaclusterError, closest

Scalar = str | int | float | bool
Goal = Literal["min", "max"]
SAMPLERS: tuple[str, ...] = ("grid", "random", "lhs")
STAGES: tuple[str, ...] = ("plan", "design", "train", "serve", "schedule", "reliability")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Range(Frozen):
    """A numeric axis: ``low``..``high`` (``scale`` linear or log; ``integer`` rounds); ``num`` values on a grid."""

    low: float
    high: float
    scale: Literal["linear", "log"] = "linear"
    integer: bool = False
    num: int | None = Field(None, ge=1, description="grid points (grid sampling only)")

    @model_validator(mode="after")
    def _check(self) -> Range:
        if not self.high >= self.low:
            raise GigaclusterError("axes.high", f"must be ≥ low ({self.low}), got {self.high}")
        if self.scale == "log" and not self.low > 0:
            raise GigaclusterError("axes.low", f"a log axis needs low > 0, got {self.low}")
        return self


Axis = list[Scalar] | Range


class Frontier(Frozen):
    """A pair of output columns and which way is better for each (a Pareto frontier)."""

    x: str
    y: str
    x_goal: Goal = "min"
    y_goal: Goal = "min"


class SweepSpec(Frozen):
    """What to sweep. ``axes`` keys are dotted scenario-file paths (``design.accelerator``,
    ``training.precision``, ``serving.daily_active_users``, ``costs.usd_per_mwh``, ``researchers``),
    ``phase``, or fields of the stage's request (``gpus``, ``tp``, ``tpot_p99_ms`` …)."""

    base: str | None = Field(None, description="scenario id or scenario YAML path")
    phase: str | None = None
    stage: Literal["plan", "design", "train", "serve", "schedule", "reliability"] = "plan"
    sample: Literal["grid", "random", "lhs"] = "grid"
    n: int | None = Field(None, ge=1, description="points to draw (random and lhs)")
    seed: int = Field(0, ge=0)
    chunk_size: int | None = Field(None, ge=1, le=100_000, description="points per chunk (default: ~400 chunks)")
    request: dict[str, Any] = Field(default_factory=dict, description="fixed fields of the stage's request")
    axes: dict[str, Axis]
    frontiers: list[Frontier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        if not self.axes:
            raise GigaclusterError("axes", "give at least one axis")
        if self.sample != "grid" and self.n is None:
            raise GigaclusterError("n", f"sample '{self.sample}' needs n (the number of points)")
        for key, axis in self.axes.items():
            _check_axis(key, axis, self.sample)
        if self.stage == "plan" and self.base is None:
            raise GigaclusterError("base", "stage 'plan' needs a base scenario")
        return self

    def spec_hash(self) -> str:
        """A stable hash of the normalised spec (what an output directory was made for)."""
        return digest(self.model_dump(mode="json"))


def _check_axis(key: str, axis: Axis, sample: str) -> None:
    if isinstance(axis, Range):
        if sample == "grid" and axis.num is None:
            raise GigaclusterError(f"axes.{key}.num", "a range on a grid needs num (how many values)")
        return
    if not axis:
        raise GigaclusterError(f"axes.{key}", "give at least one value")
    texts = [json.dumps(v) for v in axis]
    if len(set(texts)) != len(texts):
        raise GigaclusterError(f"axes.{key}", f"values repeat: {axis}")
    kinds = {value_kind(v) for v in axis}
    if len(kinds) > 1:
        raise GigaclusterError(f"axes.{key}", f"mixes {' and '.join(sorted(kinds))} values: {axis}")


def value_kind(value: Scalar) -> str:
    """'bool', 'number' or 'text' (ints and floats share a column)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "text"


def digest(data: object, length: int = 16) -> str:
    """A short sha256 of canonical JSON."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _did_you_mean(exc: ValidationError) -> GigaclusterError:
    """One error: an unknown key first (with the closest names), else the first problem."""
    errors = exc.errors()
    first = next((e for e in errors if e.get("type") == "extra_forbidden"), errors[0])
    loc = ".".join(str(p) for p in first.get("loc", ()))
    if first.get("type") == "extra_forbidden":
        name = str(first["loc"][-1])
        owner: type[BaseModel] = Frontier if "frontiers" in loc else SweepSpec
        near = closest(name, owner.model_fields)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        return GigaclusterError(f"sweep.{loc}", f"unknown key{hint} allowed: {', '.join(owner.model_fields)}")
    return GigaclusterError(f"sweep.{loc}" if loc else "sweep", str(first.get("msg", "invalid")))


def parse_spec(data: object) -> SweepSpec:
    """A SweepSpec from a mapping (YAML / JSON data); every problem is one GigaclusterError."""
    if isinstance(data, SweepSpec):
        return data
    if not isinstance(data, dict):
        raise GigaclusterError("sweep", "a sweep spec must be a mapping of fields")
    try:
        return SweepSpec(**data)
    except ValidationError as exc:
        raise _did_you_mean(exc) from None


def load_spec(path: str | Path) -> SweepSpec:
    """A SweepSpec from a YAML file."""
    p = Path(path)
    if not p.is_file():
        raise GigaclusterError("spec", f"no such file '{path}'")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GigaclusterError("spec", f"'{path}' is not valid YAML: {exc}") from None
    return parse_spec(data)
