"""The base of every typed result: checked numbers, labelled unit-carrying fields, flat rows.

* Checked: after construction every float in a result (also inside dicts, lists and tuples) is checked;
  NaN, an unexpected infinity or a negative figure becomes one ``GigaclusterError`` naming the field
  instead of being printed. ``signed`` names the fields that may be negative (differences, errors);
  ``unbounded`` the ones that may be +inf (an MTTF when nothing can fail).
* Labelled: a result field declares its human label and unit once, in its metadata (:func:`quantity`);
  reports, the CLI's tables, the HTTP API and the dashboard read them from there instead of guessing
  from names. A breakdown field (a ``dict[str, float]`` or a model of numbers) carries its parts' unit.
* Rows: ``flat_rows()`` for CSV, ``to_frame()`` for pandas.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gigacluster.errors import GigaclusterError

Scalar = str | int | float | bool | None


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


def quantity(label: str, unit: str = "", **kwargs: Any) -> Any:
    """A pydantic ``Field`` with a human ``label`` and ``unit`` in its metadata (``unit`` "" = a count or
    a name; "ratio" = a fraction shown as a percentage)."""
    return Field(description=f"{label} ({unit})" if unit else label,
                 json_schema_extra={"label": label, "unit": unit}, **kwargs)


def label_and_unit(model: type[BaseModel], name: str) -> tuple[str, str]:
    """The label and unit a model's field declares; the humanised name and no unit when it declares none."""
    info = model.model_fields.get(name)
    extra = info.json_schema_extra if info is not None else None
    if isinstance(extra, dict):
        return str(extra.get("label", name)), str(extra.get("unit", ""))
    return name.replace("_", " ").capitalize(), ""


def flatten(obj: Any, prefix: str = "") -> Iterator[tuple[str, Scalar]]:
    """Dotted-key scalars of a model or mapping; lists are left out (they become rows of their own)."""
    items = obj.model_dump(mode="json").items() if isinstance(obj, BaseModel) else obj.items()
    for key, value in items:
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten(value, name + ".")
        elif not isinstance(value, list):
            yield name, value


class Result(CheckedResult):
    """A frozen, checked, typed result: ``model_dump()`` at the edges, ``flat_rows()`` for CSV,
    ``to_frame()`` for pandas."""

    def flat_rows(self) -> list[dict[str, Scalar]]:
        """The result's natural flat rows (subclasses with a list at their heart override this)."""
        return [dict(flatten(self))]

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (pandas is the optional ``frame`` extra)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame() needs pandas: pip install 'gigacluster[frame]'") from exc
        return pd.DataFrame(self.flat_rows())


def model_rows(items: list[Any]) -> list[dict[str, Scalar]]:
    """Flat rows of a list of models (one row each)."""
    return [dict(flatten(item)) for item in items]
