"""Render typed results: each field's label and unit come from its metadata (:func:`gigacluster.results.quantity`).

A scalar field becomes a labelled row; a breakdown (``dict[str, float]`` or a model of numbers) becomes a
table whose values carry the field's unit; a list of models becomes a data table."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from gigacluster.report.blocks import data_table, grid, kv_table
from gigacluster.report.fmt import Formatter, fmt_compact, fmt_count, fmt_num, fmt_pct, fmt_usd, humanize
from gigacluster.results import label_and_unit

MAX_ROWS = 50


def unit_formatter(unit: str) -> Formatter:
    """The formatter of a declared unit: USD amounts as $…, ratios as %, others as a number and the unit."""
    if unit == "ratio":
        return fmt_pct
    if unit.startswith("USD"):
        rest = unit[3:]
        return lambda x: fmt_usd(x) + rest.replace("/year", "/yr")
    if unit == ":1":
        return lambda x: f"{fmt_num(x)}:1"
    if unit in ("GPU-h", "tok/s"):
        return lambda x: f"{fmt_compact(x)} {unit}"
    if unit:
        return lambda x: f"{fmt_num(x)} {unit}"
    return lambda x: fmt_count(x) if float(x).is_integer() and abs(x) < 1e15 else fmt_num(x)


def fmt_scalar(value: object, unit: str) -> str:
    """One value under its unit: numbers formatted, booleans yes/no, None as a dash."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return unit_formatter(unit)(float(value)) if math.isfinite(value) else str(value)
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def is_numeric_model(value: object) -> bool:
    """A model whose fields are all numbers (a breakdown such as days lost by reason)."""
    return isinstance(value, BaseModel) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in dict(value).values())


def numbers_of(value: object) -> list[tuple[str, float]]:
    """The (label, value) parts of a breakdown dict or numeric model, without totals and subtotals."""
    items = dict(value).items() if isinstance(value, BaseModel) else value.items() if isinstance(value, Mapping) else []
    return [(humanize(str(k)), float(v)) for k, v in items if isinstance(v, int | float)
            and not isinstance(v, bool) and k != "total" and not str(k).endswith("_total")]


def scalar_rows(model: BaseModel, skip: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Label / formatted value rows for the scalar (and list-of-scalar) fields of ``model``."""
    rows = []
    for name, value in dict(model).items():
        if name in skip or isinstance(value, BaseModel | Mapping):
            continue
        if isinstance(value, list | tuple) and any(isinstance(v, BaseModel) for v in value):
            continue
        label, unit = label_and_unit(type(model), name)
        rows.append((label, fmt_scalar(value, unit)))
    return rows


def breakdown_table(title: str, value: object, unit: str) -> str:
    """A breakdown's parts (and its total, when it has one) as a small table in ``unit``."""
    fmt = unit_formatter(unit)
    items = dict(value).items() if isinstance(value, BaseModel) else value.items() if isinstance(value, Mapping) else []
    rows = [(humanize(str(k)), fmt(float(v)) if isinstance(v, int | float) and not isinstance(v, bool)
             else fmt_scalar(v, "")) for k, v in items]
    return kv_table(rows, title)


def records_table(title: str, records: Sequence[BaseModel]) -> str:
    """A list of models as a data table: one row each, columns labelled from the first model's metadata."""
    if not records:
        return ""
    cls = type(records[0])
    names = [n for n, v in dict(records[0]).items() if not isinstance(v, BaseModel | Mapping | list)]
    heads = [label_and_unit(cls, n) for n in names]
    rows = [[fmt_scalar(getattr(r, n), u) for n, (_, u) in zip(names, heads, strict=True)] for r in records[:MAX_ROWS]]
    more = f" (first {MAX_ROWS} of {len(records)})" if len(records) > MAX_ROWS else ""
    return data_table([label for label, _ in heads], rows, title + more)


def model_parts(model: BaseModel, skip: Sequence[str] = ()) -> list[str]:
    """A model rendered whole: its scalars as one table, then every nested part as its own table."""
    parts, tables = [kv_table(scalar_rows(model, skip))], []
    for name, value in dict(model).items():
        if name in skip:
            continue
        label, unit = label_and_unit(type(model), name)
        if isinstance(value, Mapping) or is_numeric_model(value):
            tables.append(breakdown_table(label, value, unit))
        elif isinstance(value, BaseModel):
            tables.append(kv_table(scalar_rows(value), label))
        elif isinstance(value, list | tuple) and value and isinstance(value[0], BaseModel):
            parts.append(records_table(label, list(value)))
    return [p for p in parts if p] + ([grid(tables)] if any(tables) else [])
