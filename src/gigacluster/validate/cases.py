"""Load training case files in the published-measurement schema (data/validation/README.md).

A blank cell means unknown: the planner searches or defaults it. Every value is checked; a
malformed cell is an error naming the row id and column.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from gigacluster.catalog.files import read_text
from gigacluster.errors import GigaclusterError

NON_NEGATIVE = ("year", "moe_shared_experts", "moe_dense_layers")
REQUIRED = ("id", "family", "accelerator", "metric", "value")
INT_COLUMNS = (
    "layers", "hidden", "heads", "kv_heads", "head_dim", "ffn_hidden", "vocab", "seq_len", "moe_experts",
    "moe_topk", "moe_shared_experts", "moe_ffn_hidden", "moe_dense_layers", "num_gpus", "gpus_per_node",
    "tp", "pp", "vpp", "dp", "cp", "ep", "micro_batch", "global_batch_seqs",
)
FLOAT_COLUMNS = ("params_b", "active_params_b", "value", "total_tokens", "year")
CHOICES = {
    "arch": ("dense", "moe"),
    "attention": ("mha", "gqa", "mqa", "mla"),
    "precision": ("fp32", "fp16", "bf16", "fp8", "mxfp8", "nvfp4"),
    "sharding": ("none", "dist_opt", "zero1", "zero2", "zero3", "fsdp", "hsdp"),
    "recompute": ("none", "selective", "full"),
    "metric": ("tflops_per_gpu", "mfu", "hfu", "tokens_per_s_per_gpu", "step_time_s", "gpu_hours",
               "time_to_train_h"),
    "flops_convention": ("model", "hardware", "6nd", "6nd_attn"),
}


class TrainingCase(BaseModel):
    """One row; ``None`` where the cell is blank."""

    model_config = ConfigDict(frozen=True)

    values: dict[str, Any]

    def get(self, key: str) -> Any:
        return self.values.get(key)

    @property
    def id(self) -> str:
        return str(self.values["id"])


def _parse(row_id: str, column: str, text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        if column in INT_COLUMNS:
            value: Any = int(float(text))
        elif column in FLOAT_COLUMNS:
            value = float(text)
        else:
            value = text
    except (ValueError, OverflowError):
        raise GigaclusterError(f"{row_id}.{column}", f"expected a finite number, got '{text[:40]}'") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise GigaclusterError(f"{row_id}.{column}", f"expected a finite number, got '{text[:40]}'")
    if column in CHOICES and value not in CHOICES[column]:
        raise GigaclusterError(f"{row_id}.{column}", f"'{value}' not one of {', '.join(CHOICES[column])}")
    if isinstance(value, int | float) and (value < 0 or (value == 0 and column not in NON_NEGATIVE)):
        raise GigaclusterError(f"{row_id}.{column}", f"must be > 0, got {value}")
    return value


def load_cases(path: Path) -> list[TrainingCase]:
    """Every row of a case file; errors name the row id and column."""
    reader = csv.DictReader(io.StringIO(read_text(path, "cases"), newline=""))
    try:
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise GigaclusterError("cases", f"'{path}' lacks required column(s) {', '.join(missing)}")
        cases = []
        for n, row in enumerate(reader, start=2):
            if None in row:
                raise GigaclusterError(f"cases line {n}", "more cells than header columns")
            row_id = (row.get("id") or f"line-{n}").strip()
            cases.append(TrainingCase(values={k: _parse(row_id, k, v or "") for k, v in row.items()}))
    except csv.Error as exc:
        raise GigaclusterError("cases", f"'{path}' is not valid CSV: {exc}") from None
    return cases
