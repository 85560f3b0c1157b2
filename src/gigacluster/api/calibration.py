"""The application layer of ``gigacluster calibrate``: measure → fit → overlay, and predicted vs measured."""

from __future__ import annotations

from pathlib import Path

from gigacluster.calibrate import CalibrationOverlay, load_overlay
from gigacluster.calibrate.compare import CompareRow, compare
from gigacluster.calibrate.pipeline import CalibrateRequest
from gigacluster.calibrate.pipeline import calibrate as _calibrate
from gigacluster.calibrate.run import Progress, quiet


def calibrate(req: CalibrateRequest, progress: Progress = quiet, command: str = "") -> CalibrationOverlay:
    """Run the request's microbenchmark grid on its device and fit the overlay (not written)."""
    return _calibrate(req, progress, command)


def compare_calibration(overlay: str | Path | CalibrationOverlay) -> list[CompareRow]:
    """Per microbenchmark of an overlay: measured time and the models' predictions (shipped, overlay)."""
    return compare(overlay if isinstance(overlay, CalibrationOverlay) else load_overlay(overlay))
