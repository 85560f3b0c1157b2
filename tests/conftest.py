"""Shared fixtures: real plans of the shipped scenarios, computed once per test session."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from gigacluster import api
from gigacluster.planning.model import Plan

SCENARIOS = ("meta-24k", "colossus", "stargate-abilene", "prometheus", "hyperion")


@functools.cache
def _plan(scenario: str) -> Plan:
    return api.plan(scenario)


@pytest.fixture(scope="session")
def real_plan() -> Callable[[str], Plan]:
    """``real_plan(id)``: the plan of a shipped scenario (cached for the session; plans are frozen)."""
    return _plan
