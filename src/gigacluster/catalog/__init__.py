"""Catalogs shipped as data: accelerators and models, each entry with its source."""

from gigacluster.catalog.loaders import (
    accelerator_ids,
    get_accelerator,
    get_model,
    load_accelerators,
    load_models,
    model_ids,
)

__all__ = [
    "accelerator_ids",
    "get_accelerator",
    "get_model",
    "load_accelerators",
    "load_models",
    "model_ids",
]
