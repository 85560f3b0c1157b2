"""Serving calibration: efficiency constants per accelerator family, loaded from data/calibration.yaml."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from gigacluster.comm import CommParams
from gigacluster.overlay import merge_overlay


class FamilyEfficiency(BaseModel):
    """Achieved fractions of peak for one accelerator family (see calibration.yaml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gemm_eff: float
    attn_eff: float
    hbm_eff: float
    step_overhead_ms: float


class GlobalCalibration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kv_fraction: float
    reserve_gb: float
    roofline_p: float
    gemm_half_tokens: float
    overhead_us_per_layer: float
    overhead_us_per_seq: float
    moe_gemm_eff: float
    moe_half_rows: float
    moe_half_ffn: float
    act_bytes: float
    comm_latency_us: float
    comm_half_efficiency_mb: float
    comm_scaleup_efficiency: float
    comm_scaleout_efficiency: float
    offline_max_batch: int
    offline_max_tokens: int

    def comm_params(self) -> CommParams:
        return CommParams(latency_us=self.comm_latency_us, half_efficiency_mb=self.comm_half_efficiency_mb,
                          scaleup_efficiency=self.comm_scaleup_efficiency,
                          scaleout_efficiency=self.comm_scaleout_efficiency)


class ServingCalibration(BaseModel):
    """All serving constants: global ones and one :class:`FamilyEfficiency` per family."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    global_: GlobalCalibration
    families: dict[str, FamilyEfficiency]

    def family(self, name: str) -> FamilyEfficiency:
        return self.families.get(name, self.families["other"])


def shipped_raw() -> dict[str, Any]:
    """The packaged calibration file as a plain mapping (the keys an overlay may set)."""
    text = (resources.files("gigacluster.inference") / "data" / "calibration.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return raw


def _from_raw(raw: Mapping[str, Any]) -> ServingCalibration:
    return ServingCalibration(global_=GlobalCalibration(**raw["global"]),
                              families={k: FamilyEfficiency(**v) for k, v in raw["families"].items()})


@functools.cache
def load_calibration() -> ServingCalibration:
    """The packaged calibration (fitted on the public cases; see the YAML header)."""
    return _from_raw(shipped_raw())


# --- overlay hook (gigacluster calibrate) ------------------------------------------------------
def calibration_with_overlay(overlay: Mapping[str, object]) -> ServingCalibration:
    """The packaged calibration with measured values on top: ``overlay`` maps dotted keys of the
    shipped file (``families.hopper.gemm_eff``) to numbers; unknown keys are refused."""
    return _from_raw(merge_overlay(shipped_raw(), overlay, "inference"))
