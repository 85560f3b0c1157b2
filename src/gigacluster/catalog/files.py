"""Safe reading of every file kind the user can hand us (scenario / model YAML, HF config.json,
case and trace CSV, calibration overlays): each failure is one ``GigaclusterError`` line.

Covered: missing paths, directories, empty or oversized files, non-UTF-8 bytes (with the offset),
YAML / JSON parse errors (with line and column), NaN / Infinity in JSON, top-level values that
are not a mapping, non-string keys, unknown keys (with a did-you-mean), and pydantic errors.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from gigacluster.errors import GigaclusterError, closest, validation_line

MAX_FILE_BYTES = 200_000_000
"""Largest input file read (200 MB): the biggest packaged trace is ~10 MB."""


def read_text(path: Path | str, field: str) -> str:
    """The UTF-8 text of a user file; one-line errors for every way it can fail."""
    p = Path(path)
    if str(path).strip() == "":
        raise GigaclusterError(field, "expected a file path, got ''")
    try:
        if not p.exists():
            raise GigaclusterError(field, f"no such file '{p}'")
        if p.is_dir():
            raise GigaclusterError(field, f"'{p}' is a directory, expected a file")
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise GigaclusterError(field, f"'{p}' is {size / 1e6:.0f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit")
        data = p.read_bytes()
    except OSError as exc:
        raise GigaclusterError(field, f"cannot read '{str(p)[:120]}': {exc.strerror or exc}") from None
    return decode(data, p, field)


def decode(data: bytes, path: Path | str, field: str) -> str:
    """UTF-8 text of ``data`` (a leading BOM is dropped); names the first bad byte's offset."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GigaclusterError(field, f"'{path}' is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, "
                                      f"offset {exc.start})") from None
    if not text.strip():
        raise GigaclusterError(field, f"'{path}' is empty")
    return text


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(text: str, path: Path | str, field: str) -> Any:
    """JSON with line and column on errors; NaN / Infinity refused."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise GigaclusterError(field, f"'{path}' is not valid JSON at line {exc.lineno}, column {exc.colno}: "
                                      f"{exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise GigaclusterError(field, f"'{path}' is not valid JSON: {exc}") from None


def parse_yaml(text: str, path: Path | str, field: str) -> Any:
    """YAML (safe loader) with line and column on errors."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise GigaclusterError(field, f"'{path}' is not valid YAML{where}: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise GigaclusterError(field, f"'{path}' is not valid YAML: {str(exc).splitlines()[0]}") from None


def as_mapping(data: Any, path: Path | str, field: str) -> dict[str, Any]:
    """``data`` as a mapping with string keys (nested mappings are checked too)."""
    if not isinstance(data, dict):
        raise GigaclusterError(field, f"'{path}' must be a mapping of fields, got {type(data).__name__}")
    _string_keys(data, path, field)
    return data


def _string_keys(data: Any, path: Path | str, field: str, depth: int = 0) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            if not isinstance(k, str):
                raise GigaclusterError(field, f"'{path}' has a non-string key {k!r}; keys must be names")
            _string_keys(v, path, f"{field}.{k}" if depth < 8 else field, depth + 1)
    elif isinstance(data, list):
        for v in data:
            _string_keys(v, path, field, depth + 1)


def read_mapping(path: Path | str, field: str) -> dict[str, Any]:
    """A YAML or JSON file (by suffix; YAML otherwise) as a mapping with string keys."""
    text = read_text(path, field)
    data = parse_json(text, path, field) if str(path).lower().endswith(".json") else parse_yaml(text, path, field)
    return as_mapping(data, path, field)


def check_keys(data: dict[str, Any], allowed: Iterable[str], field: str) -> None:
    """Unknown keys are an error that suggests the closest allowed key."""
    pool = sorted(allowed)
    for key in data:
        if key not in pool:
            near = closest(key, pool, n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            raise GigaclusterError(f"{field}.{key}", f"unknown key; {hint}allowed: {', '.join(pool)}")


def model_error(exc: ValidationError, model: type[BaseModel], field: str) -> GigaclusterError:
    """One-line error for a pydantic failure while loading a file; unknown keys get a did-you-mean."""
    first = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    if first.get("type") == "extra_forbidden" and len(first.get("loc", ())) == 1:
        near = closest(str(first["loc"][0]), model.model_fields, n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        return GigaclusterError(f"{field}.{loc}", f"unknown key; {hint}allowed: {', '.join(model.model_fields)}")
    return GigaclusterError(f"{field}.{loc}" if loc else field, validation_line(exc)[len(loc) + 2 if loc else 0:])


def read_csv(path: Path | str, field: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(line number, row)]) of a CSV file; an unreadable file is one error."""
    text = read_text(path, field)
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = list(reader.fieldnames or [])
        rows = [(reader.line_num, {k: v for k, v in row.items() if isinstance(k, str)}) for row in reader]
    except csv.Error as exc:
        raise GigaclusterError(field, f"'{path}' is not valid CSV: {exc}") from None
    if not header:
        raise GigaclusterError(field, f"'{path}' has no header row")
    return header, rows


def check_writable(path: Path | str, field: str) -> Path:
    """Refuse up front an output file that cannot be written (a directory, a parent that is a file or
    read-only), so that long work is not done for nothing."""
    p = Path(path)
    shown = str(p)[:120]
    if p.is_dir():
        raise GigaclusterError(field, f"'{shown}' is a directory; give a file name")
    parent = next((q for q in (p.parent, *p.parent.parents) if q.exists()), Path("."))
    if not parent.is_dir():
        raise GigaclusterError(field, f"cannot write '{shown}': '{str(parent)[:120]}' is not a directory")
    if not os.access(parent, os.W_OK):
        raise GigaclusterError(field, f"cannot write '{shown}': '{str(parent)[:120]}' is not writable")
    return p
