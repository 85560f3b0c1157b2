"""Where the shipped published-case files are (``data/validation/`` of the checkout)."""

from __future__ import annotations

from pathlib import Path


def default_cases(name: str) -> Path:
    """The shipped case file ``name`` (e.g. training.csv): the nearest ``data/validation/`` above this file."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "data" / "validation" / name
        if candidate.exists():
            return candidate
    return Path("data/validation") / name
