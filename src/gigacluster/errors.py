"""The one exception type of gigacluster: a field path and what is allowed there."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError


class GigaclusterError(Exception):
    """Invalid input. ``field`` names where it is; ``reason`` says what is allowed."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def closest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The closest names to ``name`` among ``choices`` (for 'did you mean' hints)."""
    pool = list(choices)
    hits = difflib.get_close_matches(name.lower(), pool, n=n, cutoff=0.4)
    if not hits:
        hits = [c for c in pool if name.lower()[:3] in c][:n]
    return hits


def unknown(field: str, name: str, choices: Iterable[str]) -> GigaclusterError:
    """An error for an unknown catalog name, with the closest names and the full list."""
    pool = sorted(choices)
    near = closest(name[:200], pool)
    hint = f"did you mean {', '.join(near)}? " if near else ""
    shown = name if len(name) <= 80 else name[:77] + "..."
    return GigaclusterError(field, f"unknown '{shown}'; {hint}allowed: {', '.join(pool)}")


def check_choice(field: str, value: str | None, allowed: tuple[str, ...]) -> None:
    """Refuse a value that is not None and not one of ``allowed``, naming the field and the choices."""
    if value is not None and value not in allowed:
        raise GigaclusterError(field, f"'{value}' not one of {', '.join(allowed)}")


def require_positive(field: str, value: float) -> float:
    if not value > 0:
        raise GigaclusterError(field, f"must be > 0, got {value}")
    return value


_BOUNDS = {"greater_than": ("gt", ">"), "greater_than_equal": ("ge", "≥"), "less_than": ("lt", "<"),
           "less_than_equal": ("le", "≤")}


_PLAIN = {"float_parsing": "expected a number", "float_type": "expected a number",
          "int_parsing": "expected a whole number", "int_type": "expected a whole number",
          "int_from_float": "expected a whole number", "int_parsing_size": "expected a whole number of a sane size",
          "finite_number": "must be a finite number", "bool_parsing": "expected true or false",
          "bool_type": "expected true or false", "string_type": "expected text", "extra_forbidden": "unknown field",
          "dict_type": "expected a mapping", "model_type": "expected a mapping", "list_type": "expected a list",
          "model_attributes_type": "expected a mapping"}
"""pydantic's error types in plain words (its own messages read 'Input should be ...')."""


def _bound_reason(error: Any) -> str | None:
    """'must be > 0' / 'must be ≤ 1e8' / 'not one of a, b' for pydantic's bound and choice errors."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in _BOUNDS and _BOUNDS[kind][0] in ctx:
        key, sign = _BOUNDS[kind]
        return f"must be {sign} {ctx[key]}"
    if kind == "literal_error":
        return f"not one of {ctx.get('expected', '')}"
    return _PLAIN.get(kind)


def error_reason(error: Any) -> str:
    """'must be ≤ 1e8, got 1e+400' for one pydantic error (a dict of ``ValidationError.errors()``):
    what is allowed and the value given, in one line."""
    if error.get("type") == "missing":
        return "required, not given"
    given = error.get("input")
    shown = repr(given) if isinstance(given, str | int | float | bool) or given is None else type(given).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    msg = _bound_reason(error) or str(error.get("msg", "invalid value")).replace("\n", " ")
    msg = msg.removeprefix("Value error, ").removesuffix(".")
    return msg if isinstance(given, str) and shown in msg else f"{msg}, got {shown}"


def option_line(exc: Exception) -> str | None:
    """One line for a command-line value the parser refused (a click ``BadParameter`` whose cause is
    pydantic's): the option, what is allowed and the value given; None for other usage errors."""
    param, cause = getattr(exc, "param", None), exc.__cause__
    if param is None or not isinstance(cause, ValidationError) or not cause.errors():
        return None
    opts = [o for o in getattr(param, "opts", ()) if o.startswith("--")]
    name = opts[0].removeprefix("--") if opts else str(getattr(param, "name", "value"))
    return f"{name}: {error_reason(cause.errors(include_url=False)[0])}"


def validation_line(exc: ValidationError) -> str:
    """One line for a pydantic ValidationError: the field path, the reason and the value given."""
    first = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in first.get("loc", ())) or exc.title
    extra = f" ({len(exc.errors())} errors, first shown)" if len(exc.errors()) > 1 else ""
    return f"{loc}: {error_reason(first)}{extra}"


def from_validation(exc: ValidationError) -> GigaclusterError:
    """The GigaclusterError of a pydantic ValidationError (same one-line text)."""
    first = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in first.get("loc", ())) or exc.title
    return GigaclusterError(loc, validation_line(exc)[len(loc) + 2:])


_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")


def as_request_fields(text: str) -> str:
    """A message written for the CLI, worded for an HTTP request: ``--facility-mw`` becomes the
    request field ``facility_mw`` (the application layer names options as flags)."""
    return _FLAG.sub(lambda m: m.group(1).replace("-", "_"), text)
