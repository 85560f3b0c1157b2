"""Load training case files in the published-measurement schema (data/validation/README.md).

A blank cell means unknown: the planner searches or defaults it. Every value is checked; a row
with a malformed cell (garbage number, unknown choice, non-UTF-8 bytes, extra cells) is kept with
``error`` naming the row id and column, so validation skips it with that reason instead of
failing the file. Only a file that cannot be read at all (missing, no required columns) raises.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from gigacluster.errors import GigaclusterError
from gigacluster.training.recompute import check as recompute_policy
from gigacluster.training.schedules import SCHEDULES

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
    "pipeline_schedule": tuple(SCHEDULES),
    "metric": ("tflops_per_gpu", "mfu", "hfu", "tokens_per_s_per_gpu", "step_time_s", "gpu_hours",
               "time_to_train_h"),
    "flops_convention": ("model", "hardware", "6nd", "6nd_attn"),
}


class TrainingCase(BaseModel):
    """One row; ``None`` where the cell is blank."""

    model_config = ConfigDict(frozen=True)

    values: dict[str, Any]
    error: str | None = None  # why this row cannot be used (it is skipped with this reason)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    @property
    def id(self) -> str:
        return str(self.values.get("id") or "?")


def _number(column: str, text: str) -> int | float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return int(value) if column in INT_COLUMNS else value


def _parse(row_id: str, column: str, text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        value: Any = _number(column, text) if column in INT_COLUMNS + FLOAT_COLUMNS else text
    except (ValueError, OverflowError):
        raise GigaclusterError(f"{row_id}.{column}", f"expected a finite number, got '{text[:40]}'") from None
    if column in CHOICES and value not in CHOICES[column]:
        raise GigaclusterError(f"{row_id}.{column}", f"'{value}' not one of {', '.join(CHOICES[column])}")
    if column == "recompute":  # a name of training.recompute (modules joined with '+')
        try:
            return recompute_policy(value)
        except GigaclusterError as exc:
            raise GigaclusterError(f"{row_id}.{column}", exc.reason) from None
    if isinstance(value, int | float) and (value < 0 or (value == 0 and column not in NON_NEGATIVE)):
        raise GigaclusterError(f"{row_id}.{column}", f"must be > 0, got {value}")
    return value


def _row(n: int, row: dict[str | None, Any]) -> TrainingCase:
    """One row; the first bad cell becomes the row's ``error`` (the row is not dropped)."""
    raw_id = str(row.get("id") or "").strip()
    row_id = raw_id if raw_id and raw_id.isprintable() else f"line-{n}"
    values: dict[str, Any] = {"id": row_id}
    if None in row:
        return TrainingCase(values=values, error=f"{row_id}: more cells than header columns")
    for key, text in row.items():
        assert key is not None
        cell = text or ""
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError:
            return TrainingCase(values=values, error=f"{row_id}.{key}: cell is not valid UTF-8 text")
        try:
            values[key] = _parse(row_id, key, cell)
        except GigaclusterError as exc:
            return TrainingCase(values=values, error=str(exc))
    values["id"] = row_id
    return TrainingCase(values=values)


def load_cases(path: Path) -> list[TrainingCase]:
    """Every row of a case file; rows with bad cells carry ``error`` (see the module doc)."""
    if not path.exists():
        raise GigaclusterError("cases", f"no such file '{path}'")
    try:
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError as exc:
        raise GigaclusterError("cases", f"cannot read '{path}': {exc.strerror or exc}") from None
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip() for h in (reader.fieldnames or []) if h]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise GigaclusterError("cases", f"'{path}' lacks required column(s) {', '.join(missing)}")
    reader.fieldnames = [h.strip() if h else h for h in (reader.fieldnames or [])]
    try:
        return [_row(n, row) for n, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise GigaclusterError("cases", f"'{path}' is not a readable CSV file: {exc}") from None
