"""The calibration overlay: measured values under the shipped calibration's own (dotted) keys, each
with where it came from, plus the device, the grid and every raw measurement.

``training`` keys are leaves of ``training/data/calibration.yaml`` (``gemm.efficiency_max.hopper``),
``inference`` keys leaves of ``inference/data/calibration.yaml`` (``families.hopper.gemm_eff``). A
value may be a bare number (hand-written overlays) or a :class:`CalibratedValue`. Keys are checked
against the shipped files when the overlay is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from gigacluster.calibrate.device import DeviceInfo
from gigacluster.calibrate.fit import FitQuality
from gigacluster.calibrate.records import Measurements
from gigacluster.errors import GigaclusterError
from gigacluster.inference.calibration import ServingCalibration
from gigacluster.inference.calibration import calibration_with_overlay as serving_with
from gigacluster.training.calibration import Calibration
from gigacluster.training.calibration import calibration_with_overlay as training_with


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CalibratedValue(_Frozen):
    """One constant: its value, the shipped value it replaces, how it was obtained and from what."""

    value: float
    shipped: float | None = None
    method: str = "given"
    measurements: list[str] = []
    fit: FitQuality | None = None


class Provenance(_Frozen):
    device: DeviceInfo
    grid: str
    command: str = ""
    not_fitted: list[str] = []


class CalibrationOverlay(_Frozen):
    """A measured (or hand-written) overlay on the shipped calibration files."""

    format: Literal[1] = 1
    provenance: Provenance | None = None
    training: dict[str, CalibratedValue] = {}
    inference: dict[str, CalibratedValue] = {}
    measurements: Measurements = Measurements()

    @field_validator("training", "inference", mode="before")
    @classmethod
    def _bare_numbers(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        return {k: {"value": x} if isinstance(x, int | float) and not isinstance(x, bool) else x for k, x in v.items()}

    @model_validator(mode="after")
    def _known_keys(self) -> CalibrationOverlay:
        self.training_calibration()
        self.serving_calibration()
        return self

    def training_values(self) -> dict[str, float]:
        return {k: v.value for k, v in self.training.items()}

    def inference_values(self) -> dict[str, float]:
        return {k: v.value for k, v in self.inference.items()}

    def training_calibration(self) -> Calibration:
        """The shipped training calibration with this overlay's values on top."""
        return training_with(self.training_values())

    def serving_calibration(self) -> ServingCalibration:
        """The shipped serving calibration with this overlay's values on top."""
        return serving_with(self.inference_values())


def _first_error(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    return ".".join(str(p) for p in first.get("loc", ())) or "overlay", str(first.get("msg", "invalid value"))


def load_overlay(path: str | Path) -> CalibrationOverlay:
    """Read and check an overlay file; any problem is one :class:`GigaclusterError` naming the key."""
    p = Path(path)
    if not p.is_file():
        raise GigaclusterError("calibration", f"no such file '{p}'")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GigaclusterError("calibration", f"'{p}' is not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(raw, dict):
        raise GigaclusterError("calibration", f"'{p}' must be a mapping with training: / inference: keys")
    try:
        return CalibrationOverlay.model_validate(raw)
    except ValidationError as exc:
        loc, msg = _first_error(exc)
        raise GigaclusterError(f"calibration.{loc}", f"{msg} (in {p})") from exc


def dump_overlay(overlay: CalibrationOverlay) -> str:
    """YAML text that :func:`load_overlay` reads back to an equal overlay."""
    return yaml.safe_dump(overlay.model_dump(mode="json"), sort_keys=False, width=110, allow_unicode=True)


def save_overlay(overlay: CalibrationOverlay, path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("# gigacluster calibration overlay (gigacluster calibrate); values replace the shipped\n"
                 "# calibration's keys of the same name; see docs/calibrate.md\n" + dump_overlay(overlay),
                 encoding="utf-8")
    return p


def overlay_calibrations(path: str | Path | None) -> tuple[Calibration | None, ServingCalibration | None]:
    """(training, serving) calibrations with the overlay at ``path`` on top; (None, None) without one,
    meaning the shipped calibration."""
    if path is None:
        return None, None
    overlay = load_overlay(path)
    return overlay.training_calibration(), overlay.serving_calibration()
