"""The shared discrete-event core: a heap of (time, priority, sequence) events."""

from gigacluster.sim.core import EventLoop

__all__ = ["EventLoop"]
