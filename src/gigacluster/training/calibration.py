"""Calibrated constants of the training model, loaded from ``data/calibration.yaml``."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from gigacluster.comm import CommParams
from gigacluster.overlay import merge_overlay
from gigacluster.training.kernels import KernelCal


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LowPrecisionCal(_Frozen):
    coverage: float  # fraction of GEMM FLOPs run in the format (rest bf16)
    factor: float  # achieved fraction of the format's peak relative to bf16 GEMMs
    comm_bytes: float = 2.0  # bytes per element of TP all-gathers and EP dispatch (training.precision)
    quant_bytes: float = 0.0  # extra HBM bytes per quantised GEMM-input element (column-wise copy)


class GemmCal(_Frozen):
    efficiency_max: dict[str, float]
    low_precision: dict[str, LowPrecisionCal]
    overhead_s: float


class MoECal(_Frozen):
    """Mixture-of-experts mechanisms (training.moe)."""

    expert_gemm_floor_s: float  # launch + quantisation floor of one local expert's GEMM
    half_width: float  # expert FFN slice width at which a grouped GEMM reaches half its rate
    dispatch_sync_s: float  # host sync and relaunch per MoE layer and forward pass
    aux_loss_excess: float  # expert-level max/mean rows − 1 of an auxiliary-loss router (training.moe)


class AttentionCal(_Frozen):
    relative_efficiency: dict[str, float]  # at the reference shape (REF_SEQ, REF_HEAD_DIM of training.attention)
    backward_ratio: float
    half_seq: float  # sequence length at which the flash-attention core reaches half its long-sequence rate
    half_head_dim: float  # head dimension at which it reaches half its wide-head rate


class MemoryBoundCal(_Frozen):
    bytes_per_hidden: float
    hbm_efficiency: float
    layer_overhead_s: float


class OverlapCal(_Frozen):
    tp: float
    cp: float
    ep: float
    pp: float
    dp: float
    fsdp: float
    zero3: float


class OptimizerCal(_Frozen):
    bytes_per_param: float


class MemoryCal(_Frozen):
    reserve_gb: float
    usable_fraction: float
    weight_bytes: float
    grad_bytes: float
    optimizer_bytes: float
    fsdp_weight_bytes: float
    zero3_max_live_params: float  # DeepSpeed ZeRO-3 gathered-parameter cap (training.memory)


class GoodputCal(_Frozen):
    profile: str  # failure profile of the reliability model used for end-to-end rows


class Calibration(_Frozen):
    gemm: GemmCal
    moe: MoECal
    attention: AttentionCal
    memory_bound: MemoryBoundCal
    comm: CommParams
    overlap: OverlapCal
    optimizer: OptimizerCal
    step_overhead_s: float
    memory: MemoryCal
    goodput: GoodputCal
    kernels: KernelCal  # per-kernel and per-collective fixed costs (training/kernels.py)

    def gemm_efficiency(self, generation: str) -> float:
        table = self.gemm.efficiency_max
        return table.get(generation, table["other"])

    def attention_efficiency(self, generation: str) -> float:
        table = self.attention.relative_efficiency
        return table.get(generation, table["other"])


CALIBRATION_PATH = Path(str(resources.files("gigacluster.training") / "data" / "calibration.yaml"))


def shipped_raw(path: Path = CALIBRATION_PATH) -> dict[str, Any]:
    """The shipped calibration file as a plain mapping (the keys an overlay may set)."""
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return raw


@functools.cache
def load_calibration(path: Path = CALIBRATION_PATH) -> Calibration:
    return Calibration.model_validate(shipped_raw(path))


# --- overlay hook (gigacluster calibrate) ------------------------------------------------------
def calibration_with_overlay(overlay: Mapping[str, object], path: Path = CALIBRATION_PATH) -> Calibration:
    """The shipped calibration with measured values on top: ``overlay`` maps dotted keys of the
    shipped file (``gemm.efficiency_max.hopper``) to numbers; unknown keys are refused."""
    return Calibration.model_validate(merge_overlay(shipped_raw(path), overlay, "training"))
