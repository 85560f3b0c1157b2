"""The one exception type of gigacluster: a field path and what is allowed there."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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
    near = closest(name, pool)
    hint = f"did you mean {', '.join(near)}? " if near else ""
    return GigaclusterError(field, f"unknown '{name}'; {hint}allowed: {', '.join(pool)}")


def require_positive(field: str, value: float) -> float:
    if not value > 0:
        raise GigaclusterError(field, f"must be > 0, got {value}")
    return value
