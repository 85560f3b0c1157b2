"""`plan`: the composition of every stage for one scenario (design → train → fail → serve → share → pay)."""

from gigacluster.plan.compose import plan_scenario

__all__ = ["plan_scenario"]
