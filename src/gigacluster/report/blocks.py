"""HTML building blocks for the report: sections, figures, tables, and a generic dict renderer.

Every function takes plain data and returns an HTML fragment with all text escaped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from gigacluster.report.fmt import fmt_value, humanize

JsonDict = Mapping[str, Any]
MAX_TABLE_ROWS = 50


def is_scalar(value: object) -> bool:
    """Whether a JSON value is a scalar (string, number, bool or null)."""
    return value is None or isinstance(value, str | int | float | bool)


def is_number(value: object) -> bool:
    """Whether a JSON value is a finite number (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def number(d: JsonDict, key: str) -> float | None:
    """``d[key]`` as a float, or None when it is missing or not a number."""
    value = d.get(key)
    return float(value) if isinstance(value, int | float) and is_number(value) else None


def subdict(d: JsonDict, key: str) -> JsonDict | None:
    """``d[key]`` when it is a non-empty dict, else None."""
    value = d.get(key)
    return value if isinstance(value, Mapping) and value else None


def numeric_parts(d: JsonDict, skip: Iterable[str] = ("total",)) -> list[tuple[str, float]]:
    """The (label, value) numeric entries of a breakdown dict, leaving out ``skip`` keys and subtotals
    (``*_total``, e.g. ``it_total`` inside a facility power breakdown)."""
    skipped = set(skip)
    return [(humanize(k), float(v)) for k, v in d.items()
            if k not in skipped and not k.endswith("_total") and is_number(v)]


def section(anchor: str, title: str, parts: Sequence[str]) -> str:
    """A titled report section."""
    body = "\n".join(p for p in parts if p)
    return f'<section id="{escape(anchor)}">\n<h2>{escape(title)}</h2>\n{body}\n</section>'


def figure(title: str, chart: str, caption: str = "") -> str:
    """A chart with its heading and an optional caption."""
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><h3>{escape(title)}</h3>{chart}{cap}</figure>'


def grid(parts: Sequence[str]) -> str:
    """Lay fragments out side by side (two columns on a wide page)."""
    cells = "".join(f"<div>{p}</div>" for p in parts if p)
    return f'<div class="grid">{cells}</div>' if cells else ""


def kv_table(rows: Sequence[tuple[str, str]], title: str = "") -> str:
    """A two-column label / value table; values are already formatted text."""
    if not rows:
        return ""
    head = f"<caption>{escape(title)}</caption>" if title else ""
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="kv">{head}{body}</table>'


def data_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str = "") -> str:
    """A table with a header row; cells are already formatted text."""
    if not rows:
        return ""
    head = f"<caption>{escape(title)}</caption>" if title else ""
    ths = "".join(f"<th>{escape(h)}</th>" for h in headers)
    trs = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="data">{head}<thead><tr>{ths}</tr></thead><tbody>{trs}</tbody></table>'


def inline_value(key: str, value: object, parent: str = "") -> str:
    """Any JSON value as one line of text: dicts as ``a: x · b: y``, lists comma-joined."""
    if isinstance(value, Mapping):
        return " · ".join(f"{k}: {inline_value(str(k), v, key)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(inline_value(key, v, parent) for v in value)
    return fmt_value(key, value, parent)


def scalar_rows(d: JsonDict, skip: Iterable[str] = (), parent: str = "") -> list[tuple[str, str]]:
    """Label / value rows for the scalar entries of ``d`` (and lists of scalars)."""
    skipped = set(skip)
    rows = []
    for k, v in d.items():
        if k in skipped or isinstance(v, Mapping) or (isinstance(v, list) and not all(map(is_scalar, v))):
            continue
        rows.append((humanize(k), inline_value(k, v, parent)))
    return rows


def dict_table(key: str, d: JsonDict) -> str:
    """A small table of one nested dict; deeper values are inlined."""
    return kv_table([(humanize(str(k)), inline_value(str(k), v, key)) for k, v in d.items()], humanize(key))


def records_table(key: str, records: Sequence[JsonDict]) -> str:
    """A list of dicts as a table whose columns are the union of their keys."""
    columns: list[str] = []
    for rec in records:
        columns += [str(k) for k in rec if str(k) not in columns]
    rows = [[inline_value(c, rec.get(c), key) if c in rec else "" for c in columns] for rec in records[:MAX_TABLE_ROWS]]
    extra = f" (first {MAX_TABLE_ROWS} of {len(records)})" if len(records) > MAX_TABLE_ROWS else ""
    return data_table([humanize(c) for c in columns], rows, humanize(key) + extra)


def generic_parts(d: JsonDict, skip: Iterable[str] = ()) -> list[str]:
    """Render a dict generically: its scalars as one table, then each nested dict or list of dicts as its own."""
    skipped = set(skip)
    parts = [kv_table(scalar_rows(d, skipped))]
    tables = []
    for k, v in d.items():
        if k in skipped:
            continue
        if isinstance(v, Mapping) and v:
            tables.append(dict_table(k, v))
        elif isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v):
            parts.append(records_table(k, v))
        elif isinstance(v, list) and v and not all(map(is_scalar, v)):
            tables.append(kv_table([(humanize(k), inline_value(k, v))]))
    return [p for p in parts if p] + ([grid(tables)] if tables else [])
