"""Checked results: a typed result never carries NaN, an unexpected infinity or a negative figure.

Result models derive from ``CheckedResult``; after construction every float in them (also inside
dicts, lists and tuples) is checked. A bad number becomes one ``GigaclusterError`` naming the
result field, instead of being printed as a figure. ``signed`` names the fields that may be
negative (differences, errors); ``unbounded`` the ones that may be +inf (an MTTF when nothing can
fail).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from gigacluster.errors import GigaclusterError


def bad_numbers(value: Any, path: str, signed: bool = False, unbounded: bool = False) -> Iterator[tuple[str, float]]:
    """(path, number) of each NaN, inf or negative float inside ``value`` (not inside sub-models)."""
    if isinstance(value, bool) or isinstance(value, BaseModel):
        return
    if isinstance(value, int | float):
        x = float(value)
        if math.isnan(x) or (math.isinf(x) and not (unbounded and x > 0)) or (x < 0 and not signed):
            yield path, x
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from bad_numbers(v, f"{path}.{k}", signed, unbounded)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from bad_numbers(v, f"{path}[{i}]", signed, unbounded)


def first_non_finite(value: Any, path: str = "") -> tuple[str, float] | None:
    """The first NaN or inf anywhere in a JSON-like document (dicts, lists, numbers), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        hit = first_non_finite(v, f"{path}.{k}" if path else str(k))
        if hit is not None:
            return hit
    return None


class CheckedResult(BaseModel):
    """Base of result models: refuses NaN, inf (unless ``unbounded``) and negatives (unless ``signed``)."""

    model_config = ConfigDict(frozen=True)

    signed: ClassVar[frozenset[str]] = frozenset()
    unbounded: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_bad_numbers(self) -> CheckedResult:
        for name in type(self).model_fields:
            for path, x in bad_numbers(getattr(self, name), name, name in self.signed, name in self.unbounded):
                raise GigaclusterError(
                    f"{type(self).__name__}.{path}",
                    f"came out as {x} for these inputs (outside the model's range); refusing to report it")
        return self
