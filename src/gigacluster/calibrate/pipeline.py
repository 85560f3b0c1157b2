"""measure → fit → overlay in one call (what ``gigacluster calibrate`` runs)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.calibrate.backends import get_backend
from gigacluster.calibrate.build import build_overlay
from gigacluster.calibrate.fit import fit_all
from gigacluster.calibrate.grid import LayerShapes, check_layer, check_work, grid_for
from gigacluster.calibrate.overlay import CalibrationOverlay
from gigacluster.calibrate.run import Progress, describe, quiet, run_grid
from gigacluster.catalog import get_model
from gigacluster.errors import GigaclusterError, unknown
from gigacluster.training.calibration import shipped_raw


class CalibrateRequest(BaseModel):
    """What to measure and against which reference."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str = "numpy"
    device: str = "cpu"
    grid: str = "quick"
    model: str | None = None
    tokens: int | None = None
    tp: int | None = None
    accelerator: str | None = None
    family: str | None = None
    peak_tflops: float | None = None
    mem_tbps: float | None = None


def _layer(req: CalibrateRequest, default: LayerShapes | None) -> LayerShapes | None:
    if req.model is None and req.tokens is None and req.tp is None:
        return None
    base = default or LayerShapes(model="llama3-8b", tokens=512)
    layer = LayerShapes(model=req.model or base.model,
                        tokens=req.tokens or base.tokens, tp=req.tp or base.tp)
    check_layer(layer, get_model(layer.model))
    return layer


def calibrate(req: CalibrateRequest, say: Progress = quiet, command: str = "") -> CalibrationOverlay:
    """Run the grid on the device, fit every curve, and return the overlay (not yet written)."""
    for field, value in (("peak-tflops", req.peak_tflops), ("mem-tbps", req.mem_tbps)):
        if value is not None and not value > 0:
            raise GigaclusterError(field, f"must be > 0, got {value}")
    backend = get_backend(req.backend, req.device)
    grid = grid_for(backend.kind, req.grid)
    grid = grid_for(backend.kind, req.grid, _layer(req, grid.layer))
    if backend.kind == "cpu":  # a GPU runs even a 405B layer in milliseconds
        check_work(grid, get_model(grid.layer.model) if grid.layer is not None else None)
    dev = describe(backend, req.device, req.accelerator, req.peak_tflops, req.mem_tbps)
    if req.family is not None:
        families = shipped_raw()["gemm"]["efficiency_max"]
        if req.family not in families:
            raise unknown("family", req.family, families)
        dev = dev.model_copy(update={"family": req.family, "generation": req.family})
    meas = run_grid(backend, grid, say)
    return build_overlay(dev, grid.name, meas, fit_all(meas, dev, grid.training_min_m), command)
