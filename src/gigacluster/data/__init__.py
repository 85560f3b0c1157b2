"""Data shipped inside the package: job traces (``traces/``) and published validation cases
(``validation/``), each with its own README and license beside it. Read them with :func:`shipped`
(``importlib.resources``), so a plain ``pip install`` finds them; the checkout's ``data/traces`` and
``data/validation`` are links to these folders."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped(*parts: str) -> Path:
    """The path of a shipped data file, e.g. ``shipped("validation", "training.csv")``."""
    return Path(str(resources.files("gigacluster.data").joinpath(*parts)))
