"""Physical priors of the fitted training constants (``training/data/priors.yaml``) and the
transforms the fit works in: log for rates and sizes, logit for fractions."""

from __future__ import annotations

import functools
import math
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

PRIORS_PATH = Path(str(resources.files("gigacluster.training") / "data" / "priors.yaml"))


class Prior(BaseModel):
    """Center and spread of one constant in its transform; ``low``/``high`` are physical limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    center: float
    sigma: float
    transform: Literal["log", "logit"]
    low: float
    high: float
    group: str | None = None
    source: str

    def to_t(self, value: float) -> float:
        v = min(max(value, self.low, 1e-12), self.high)
        if self.transform == "log":
            return math.log(v)
        v = min(max(v, 1e-4), 1 - 1e-4)
        return math.log(v / (1 - v))

    def from_t(self, t: float) -> float:
        v = math.exp(t) if self.transform == "log" else 1.0 / (1.0 + math.exp(-t))
        return min(max(v, self.low), self.high)

    def z(self, value: float, center_t: float | None = None) -> float:
        c = self.to_t(self.center) if center_t is None else center_t
        return (self.to_t(value) - c) / self.sigma

    def at_limit(self, value: float) -> bool:
        return value <= self.low * 1.01 or value >= self.high * 0.99


class PriorSet(BaseModel):
    """Every fitted constant (dotted path into the calibration) with its prior."""

    model_config = ConfigDict(frozen=True)

    weight: float
    group_sigma: float
    priors: dict[str, Prior]


def _expand(pattern: str, raw: dict[str, Any]) -> list[str]:
    """Dotted paths of the calibration matching a pattern with ``*`` segments."""
    paths = [""]
    for key in pattern.split("."):
        nxt = []
        for path in paths:
            node = get_path(raw, path) if path else raw
            keys = list(node) if key == "*" else [key]
            nxt += [f"{path}.{k}" if path else k for k in keys if isinstance(node, dict) and k in node]
        paths = nxt
    return paths


@functools.cache
def load_priors(path: Path = PRIORS_PATH) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def prior_set(raw_cal: dict[str, Any], path: Path = PRIORS_PATH) -> PriorSet:
    """The priors expanded over the calibration's keys (one entry per generation / format)."""
    data = load_priors(path=path)
    table = {p: Prior(**spec) for pattern, spec in data["priors"].items() for p in _expand(pattern, raw_cal)}
    return PriorSet(weight=float(data["weight"]), group_sigma=float(data["group_sigma"]), priors=table)


def get_path(raw: dict[str, Any], path: str) -> Any:
    node: Any = raw
    for key in path.split("."):
        node = node[key]
    return node


def set_path(raw: dict[str, Any], path: str, value: float) -> None:
    keys = path.split(".")
    node = raw
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
