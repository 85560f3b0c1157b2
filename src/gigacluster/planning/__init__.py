"""`planning`: the composition of every stage for one scenario (design → train → fail → serve → share → pay)."""

from gigacluster.planning.compose import plan_scenario
from gigacluster.planning.model import Plan

__all__ = ["Plan", "plan_scenario"]
