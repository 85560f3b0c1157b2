"""Where the shipped published-case files are (package data ``gigacluster/data/validation/``)."""

from __future__ import annotations

from pathlib import Path

from gigacluster.data import shipped


def default_cases(name: str) -> Path:
    """The shipped case file ``name`` (e.g. training.csv), read from the installed package."""
    return shipped("validation", name)
