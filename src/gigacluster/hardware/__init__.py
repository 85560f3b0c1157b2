"""Accelerators, nodes, fabrics and clusters.

Cluster design lives in :mod:`gigacluster.hardware.design` (``design_cluster``); it is not imported here
because it reads the catalog, which itself imports :class:`Accelerator` from this package."""

from gigacluster.hardware.accelerator import Accelerator, Precision

__all__ = ["Accelerator", "Precision"]
