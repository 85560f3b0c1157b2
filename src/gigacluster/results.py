"""The base of every typed result: labelled, unit-carrying fields and flat rows for CSV / pandas.

A result field declares its human label and unit once, in its metadata (:func:`quantity`); reports,
the CLI's tables, the HTTP API and the dashboard read them from there instead of guessing from names.
A breakdown field (a ``dict[str, float]`` or a nested model of numbers) carries the unit of its parts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool | None


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


class Result(BaseModel):
    """A frozen, typed result: ``model_dump()`` at the edges, ``flat_rows()`` for CSV, ``to_frame()`` for pandas."""

    model_config = ConfigDict(frozen=True)

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
