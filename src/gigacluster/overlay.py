"""Deep-merge a calibration overlay (dotted keys → numbers) onto a shipped calibration mapping.

Generic on purpose: it knows nothing about which constants exist. Every overlay key must name a
leaf that the shipped file already has (so a renamed or misspelt key is refused with the nearest
existing key), and every value must be a number. The training and inference calibration loaders
call it; :mod:`gigacluster.calibrate` writes the overlays.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from gigacluster.errors import GigaclusterError, closest


def leaf_keys(tree: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Dotted paths of every leaf of a nested mapping, e.g. ``gemm.efficiency_max.hopper``."""
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from leaf_keys(value, path + ".")
        else:
            yield path


def _check_key(path: str, allowed: set[str], where: str) -> None:
    if path in allowed:
        return
    near = closest(path, sorted(allowed), n=1)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    raise GigaclusterError(f"{where}.{path}", f"not a key of the shipped calibration{hint}")


def _check_value(path: str, value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GigaclusterError(f"{where}.{path}", f"must be a number, got {value!r}")
    return float(value)


def merge_overlay(base: Mapping[str, Any], overlay: Mapping[str, object], where: str) -> dict[str, Any]:
    """A deep copy of ``base`` with each dotted ``overlay`` key replaced by its number.

    ``where`` prefixes the field in errors (e.g. ``training``). Integer leaves stay integers."""
    allowed = set(leaf_keys(base))
    merged: dict[str, Any] = copy.deepcopy(dict(base))
    for path, value in overlay.items():
        _check_key(path, allowed, where)
        number = _check_value(path, value, where)
        *parents, leaf = path.split(".")
        node = merged
        for part in parents:
            node = node[part]
        node[leaf] = int(number) if isinstance(node[leaf], int) and number.is_integer() else number
    return merged
