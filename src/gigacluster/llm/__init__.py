"""Transformer architecture specs and their parameter, FLOP and byte counts."""

from gigacluster.llm.spec import MLASpec, ModelSpec

__all__ = ["MLASpec", "ModelSpec"]
