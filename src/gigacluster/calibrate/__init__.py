"""Measure a real device and refit the model's efficiency constants: microbenchmarks (numpy, torch),
fits in the model's own functional forms, and the calibration overlay with provenance."""

from gigacluster.calibrate.overlay import (
    CalibratedValue,
    CalibrationOverlay,
    load_overlay,
    overlay_calibrations,
    save_overlay,
)

__all__ = ["CalibratedValue", "CalibrationOverlay", "load_overlay", "overlay_calibrations", "save_overlay"]
