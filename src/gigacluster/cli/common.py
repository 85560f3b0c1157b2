"""Shared CLI helpers: the error guard, output format, number parsing."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from gigacluster.errors import GigaclusterError, check_choice, option_line, validation_line
from gigacluster.results import Result, Scalar, first_non_finite

CALIBRATION_HELP = "calibration overlay YAML from gigacluster calibrate (default: the shipped calibration)"

console = Console()
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FORMAT_HELP = "table (rich, for people) | json (the typed result) | csv (its natural flat rows)"


_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9, "b": 1e9, "t": 1e12, "p": 1e15}


def parse_count(field: str, text: str, binary: bool = False) -> float:
    """Parse '16M', '15.6T', '2e6', '4096' into a number; errors name the field.

    ``binary`` reads k/M/G as powers of 1024 (batch sizes: Llama 3's "16M tokens" is 16·2²⁰)."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKmMgGbBtTpP]?)\s*", text)
    if not m:
        raise GigaclusterError(field, f"expected a number like 4096, 16M or 15.6T, got '{text}'")
    suffix = m.group(2).lower()
    scale = 1024.0 ** ("kmgt".index(suffix) + 1) if binary and suffix in "kmgt" and suffix else _SUFFIX[suffix]
    value = float(m.group(1)) * scale
    if value <= 0:
        raise GigaclusterError(field, f"must be > 0, got '{text}'")
    return value


T = TypeVar("T", str, str | None)


def choice(field: str, value: T, allowed: tuple[str, ...]) -> T:
    """``value`` when it is one of ``allowed`` (or None); else an error naming the field and the choices."""
    check_choice(field, value, allowed)
    return value


def emit_json(obj: Any) -> None:
    """Print a JSON document (pydantic models dumped) to stdout."""
    if isinstance(obj, BaseModel):
        obj = obj.model_dump(mode="json")
    bad = first_non_finite(obj)
    if bad is not None:
        raise GigaclusterError(bad[0] or "result", f"came out as {bad[1]}; refusing to print a non-finite figure")
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False) + "\n")


def emit_csv(rows: list[dict[str, Scalar]]) -> None:
    """Print flat rows as CSV to stdout (columns: the union of the rows' keys, in first-seen order)."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def emit(result: Result, fmt: Format, table: Callable[[], None]) -> None:
    """Print ``result`` as JSON, CSV (its ``flat_rows()``) or, for ``table``, by calling ``table()``."""
    if fmt is Format.json:
        emit_json(result)
    elif fmt is Format.csv:
        emit_csv(result.flat_rows())
    else:
        table()


@contextmanager
def progress(description: str) -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar on stderr while the block runs (silent when stderr is not a terminal); yields
    the callback ``(done, total, label)`` that long work reports to."""
    if not err_console.is_terminal:
        yield lambda done, total, label: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total, label: bar.update(task, completed=done, total=total or None,
                                                    description=f"{description} {label}".strip())


@contextmanager
def spinner(description: str) -> Iterator[None]:
    """A spinner with elapsed time on stderr for work that cannot report its progress."""
    if not err_console.is_terminal:
        yield
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        bar.add_task(description, total=None)
        yield


def _validation_line(exc: ValidationError) -> str:
    return validation_line(exc)


def run_guarded(app: typer.Typer) -> int:
    """Run the app; a GigaclusterError or validation error is one line on stderr and exit 2."""
    try:
        code = app(standalone_mode=False)  # a typer.Exit(n) comes back as n here (click's non-standalone mode)
    except GigaclusterError as exc:
        err_console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
        return 2
    except ValidationError as exc:
        err_console.print(f"[red]error[/red] {_validation_line(exc)}", highlight=False, soft_wrap=True)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        return 130
    except Exception as exc:  # click usage errors carry their own exit code
        code = getattr(exc, "exit_code", None)
        if code is not None and hasattr(exc, "format_message"):
            line = option_line(exc) or exc.format_message()
            err_console.print(f"[red]error[/red] {line}", highlight=False, soft_wrap=True)
            return int(code)
        raise
    return code if isinstance(code, int) and not isinstance(code, bool) else 0
