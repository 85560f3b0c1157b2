"""Time, GPU-hours and GPU energy to train a token budget at a plan's throughput."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.hardware.accelerator import Accelerator


class TrainCost(BaseModel):
    """Ideal (failure-free) time to train; energy counts accelerator board power only
    (``tdp_w``), or ``server_w_per_gpu`` for the whole server when published."""

    model_config = ConfigDict(frozen=True)

    tokens: float
    train_days: float
    gpu_hours: float
    gpu_energy_mwh: float
    server_energy_mwh: float | None


def train_cost(tokens: float, tokens_per_s: float, gpus: int, acc: Accelerator) -> TrainCost:
    seconds = tokens / tokens_per_s
    gpu_hours = seconds * gpus / 3600.0
    gpu_w = acc.tdp_w or 0.0
    server = gpu_hours * acc.server_w_per_gpu / 1e6 if acc.server_w_per_gpu else None
    return TrainCost(tokens=tokens, train_days=seconds / 86400.0, gpu_hours=gpu_hours,
                     gpu_energy_mwh=gpu_hours * gpu_w / 1e6, server_energy_mwh=server)
