"""Load published serving measurements (the inference.csv case schema) into typed cases."""

from __future__ import annotations

import functools
import math
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gigacluster.catalog import get_model
from gigacluster.catalog.files import read_csv
from gigacluster.errors import GigaclusterError, error_reason
from gigacluster.llm.spec import ModelSpec
from gigacluster.validate.paths import default_cases
from gigacluster.validate.report import Skipped

_INT = ("layers", "hidden", "heads", "kv_heads", "head_dim", "ffn_hidden", "vocab", "moe_experts",
        "moe_topk", "moe_shared_experts", "moe_ffn_hidden", "moe_dense_layers", "num_gpus", "tp", "pp",
        "ep", "dp", "prefill_tp", "prefill_ep", "prefill_dp", "decode_tp", "decode_ep", "decode_dp", "mtp_depth",
        "redundant_experts", "batch_per_rank")
_FLOAT = ("input_len", "output_len", "ttft_limit_ms", "tpot_limit_ms", "value", "params_b",
          "active_params_b", "prefix_hit_rate", "kv_len_avg", "tok_s_user", "mtp_accept", "input_tokens_per_s",
          "output_tokens_per_s")
METRICS = ("output_tokens_per_s_per_gpu", "total_tokens_per_s_per_gpu", "input_tokens_per_s_per_gpu",
           "ttft_ms", "tpot_ms", "e2e_latency_ms")


class InferenceCase(BaseModel):
    """One published serving measurement; ``None`` = not published (the planner chooses)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    family: str
    confidence: str = ""
    model_name: str = ""
    model_id: str = ""
    arch: str = "dense"
    accelerator: str
    num_gpus: int | None = None
    weight_precision: str = "bf16"
    kv_precision: str | None = None
    tp: int | None = None
    pp: int | None = None
    ep: int | None = None
    dp: int | None = None
    engine: str = ""
    scenario: str
    input_len: float | None = None
    output_len: float | None = None
    ttft_limit_ms: float | None = None
    tpot_limit_ms: float | None = None
    metric: str
    value: float
    notes: str = ""
    layers: int | None = None
    hidden: int | None = None
    heads: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    ffn_hidden: int | None = None
    vocab: int | None = None
    attention: str | None = None
    moe_experts: int | None = None
    moe_topk: int | None = None
    moe_shared_experts: int | None = None
    moe_ffn_hidden: int | None = None
    moe_dense_layers: int | None = None
    # optional columns for disaggregated / wide-EP deployments (blank or absent in older files)
    deployment: Literal["agg", "disagg"] = "agg"
    pool: Literal["prefill", "decode", "fleet"] | None = None
    prefill_tp: int | None = Field(None, ge=1)
    prefill_ep: int | None = Field(None, ge=1)
    prefill_dp: int | None = Field(None, ge=1)
    decode_tp: int | None = Field(None, ge=1)
    decode_ep: int | None = Field(None, ge=1)
    decode_dp: int | None = Field(None, ge=1)
    moe_a2a: Literal["collective", "deepep"] | None = None
    redundant_experts: int | None = Field(None, ge=0)
    prefix_hit_rate: float | None = Field(None, ge=0.0, lt=1.0)
    kv_len_avg: float | None = Field(None, gt=0.0)
    tok_s_user: float | None = Field(None, gt=0.0)
    mtp_depth: int | None = Field(None, ge=0)
    mtp_accept: float | None = Field(None, ge=0.0, le=1.0)
    batch_per_rank: int | None = Field(None, ge=1)
    input_tokens_per_s: float | None = Field(None, gt=0.0)
    output_tokens_per_s: float | None = Field(None, gt=0.0)
    traffic_profile: str | None = None


class Dataset(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    match: list[str]
    input_len_mean: float | None
    length_cv: float


def _number(row: dict[str, str], key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GigaclusterError(f"case {row.get('id', '?')}.{key}", f"expected a number, got '{text[:40]}'") from None
    if not math.isfinite(value):
        raise GigaclusterError(f"case {row.get('id', '?')}.{key}", f"expected a finite number, got '{text[:40]}'")
    return value


def _parse(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, text in row.items():
        if not isinstance(key, str):
            raise GigaclusterError(f"case {row.get('id', '?')}", "more cells than header columns")
        text = (text or "").strip()
        if not text:
            continue
        if key in _INT:
            out[key] = int(_number(row, key, text))
        elif key in _FLOAT:
            out[key] = _number(row, key, text)
        else:
            out[key] = text
    return out


def read_cases(path: str | Path | None = None) -> tuple[list[InferenceCase], list[Skipped]]:
    """The readable cases of ``path`` (default: the shipped inference.csv) and the rows that are not, each
    with its one-line reason. Only a file that cannot be read at all is an error."""
    p = Path(path) if path else default_cases_path()
    header, rows = read_csv(p, "cases")  # missing, directory, empty, encoding, CSV errors
    if "metric" not in header:
        raise GigaclusterError("cases", f"'{p}' is not an inference case file (no 'metric' column)")
    if not rows:
        raise GigaclusterError("cases", f"'{p}' has a header but no case rows")
    cases: list[InferenceCase] = []
    skipped: list[Skipped] = []
    for line, row in rows:
        try:
            cases.append(_case(row))
        except GigaclusterError as exc:
            skipped.append(Skipped(id=((row.get("id") or "").strip() or f"line-{line}")[:60], reason=str(exc)))
    return cases, skipped


def load_cases(path: str | Path | None = None) -> list[InferenceCase]:
    """Every case of ``path``; the first unreadable row is an error (for the calibration fit)."""
    cases, skipped = read_cases(path)
    if skipped:
        raise GigaclusterError(f"cases {skipped[0].id}", skipped[0].reason)
    return cases


def _case(row: dict[str, str]) -> InferenceCase:
    try:
        return InferenceCase(**_parse(row))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        where = f"case {row.get('id', '?')}.{field}"
        raise GigaclusterError(where, error_reason(err)) from None


def default_cases_path() -> Path:
    return default_cases("inference.csv")


@functools.cache
def datasets() -> tuple[Dataset, ...]:
    text = (resources.files("gigacluster.inference") / "data" / "datasets.yaml").read_text("utf-8")
    return tuple(Dataset(name=k, **v) for k, v in yaml.safe_load(text).items())


def dataset_of(case: InferenceCase) -> Dataset:
    """The published dataset a case names in its notes (synthetic fixed lengths otherwise)."""
    notes = case.notes.lower()
    for ds in datasets():
        if any(m in notes for m in ds.match):
            return ds
    return next(ds for ds in datasets() if ds.name == "synthetic")


_ARCH_FIELDS = ("layers", "hidden", "heads", "kv_heads", "head_dim", "ffn_hidden", "vocab", "attention",
                "moe_experts", "moe_topk", "moe_shared_experts", "moe_ffn_hidden", "moe_dense_layers")


def case_model(case: InferenceCase) -> ModelSpec:
    """The catalog model (by ``model_id``) or one built from the row's own architecture columns."""
    if case.model_id:
        return get_model(case.model_id)
    fields = {k: getattr(case, k) for k in _ARCH_FIELDS if getattr(case, k) is not None}
    if not fields.get("layers") or not fields.get("hidden"):
        raise GigaclusterError(f"case {case.id}", "no model_id and no architecture columns")
    return ModelSpec(name=case.model_name or case.id, arch="moe" if case.arch == "moe" else "dense",
                     mlp="swiglu", **fields)
