"""Accelerators, nodes, fabrics and clusters."""

from gigacluster.hardware.accelerator import Accelerator, Precision

__all__ = ["Accelerator", "Precision"]
