"""Load the packaged catalogs; resolve names, aliases, and paths to model files."""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gigacluster.catalog.files import model_error, read_mapping
from gigacluster.errors import GigaclusterError, unknown
from gigacluster.hardware.accelerator import Accelerator
from gigacluster.llm.spec import ModelSpec

_DATA = resources.files("gigacluster.catalog") / "data"
_NUMERIC = {
    "year", "bf16_tflops", "fp16_tflops", "fp8_tflops", "fp4_tflops", "int8_tops", "hbm_gb",
    "hbm_tbps", "scaleup_gbps_per_dir", "scaleup_domain", "scaleout_gbps", "tdp_w",
    "server_w_per_gpu", "price_usd", "matrix_units", "matrix_tile",
}
_INTEGER = {"year", "scaleup_domain", "matrix_units", "matrix_tile"}


def _accelerator_row(row: dict[str, str]) -> Accelerator:
    fields: dict[str, Any] = {}
    for key, text in row.items():
        if key in _NUMERIC:
            if text.strip():
                value = float(text)
                fields[key] = int(value) if key in _INTEGER else value
        else:
            fields[key] = text
    return Accelerator(**fields)


_PEAKS = ("bf16_tflops", "fp16_tflops", "fp8_tflops", "fp4_tflops", "int8_tops")


def clock_scaled(acc: Accelerator, ref: Accelerator) -> Accelerator:
    """Unpublished peaks of a power-capped variant: the reference part's peaks times the sustained
    clock factor (P_cap / P_ref)^(1/3) (dynamic power ~ C·V²·f with V ~ f across the DVFS range).
    Check: H100 NVL at 400 W gives 989.4·(400/700)^(1/3) = 821 BF16 TFLOP/s vs 835 published."""
    if any(getattr(acc, k) for k in _PEAKS) or not (acc.tdp_w and ref.tdp_w):
        return acc
    factor = min(1.0, (acc.tdp_w / ref.tdp_w) ** (1.0 / 3.0))
    peaks = {k: getattr(ref, k) * factor for k in _PEAKS if getattr(ref, k)}
    rule = (f"peaks not published: {ref.id} peaks x clock factor (tdp {acc.tdp_w:.0f} W / "
            f"{ref.tdp_w:.0f} W)^(1/3) = {factor:.3f}")
    return acc.model_copy(update={**peaks, "peak_rule": rule})


@functools.cache
def load_accelerators() -> dict[str, Accelerator]:
    """Every accelerator of the packaged catalog, keyed by id (unpublished peaks by a stated rule)."""
    text = (_DATA / "accelerators.csv").read_text(encoding="utf-8")
    table = {row["id"]: _accelerator_row(row) for row in csv.DictReader(io.StringIO(text))}
    return {k: clock_scaled(a, table[a.peak_reference]) if a.peak_reference in table else a
            for k, a in table.items()}


def accelerator_ids() -> list[str]:
    return list(load_accelerators())


def get_accelerator(name: str) -> Accelerator:
    """An accelerator by id (case-insensitive); unknown names list the closest ones."""
    table = load_accelerators()
    key = name.strip().lower()
    if key not in table:
        raise unknown("accelerator", name, table)
    return table[key]


def _model_entry(model_id: str, entry: dict[str, Any]) -> ModelSpec | None:
    """A catalog entry as a spec, or None where its dimensions are unpublished."""
    if not entry.get("layers") or not entry.get("hidden"):
        return None
    clean = {k: v for k, v in entry.items() if v is not None}
    return ModelSpec(**clean)


@functools.cache
def raw_models() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((_DATA / "models.yaml").read_text(encoding="utf-8"))
    return dict(data)


def model_ids() -> list[str]:
    return list(raw_models())


@functools.cache
def load_models() -> dict[str, ModelSpec]:
    """Every catalog model whose dimensions are published, keyed by id."""
    specs = {mid: _model_entry(mid, entry) for mid, entry in raw_models().items()}
    return {mid: spec for mid, spec in specs.items() if spec is not None}


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for mid, entry in raw_models().items():
        for alias in entry.get("aliases") or []:
            table[str(alias).lower()] = mid
    return table


def get_model(name: str) -> ModelSpec:
    """A model by catalog id or alias, or a path to a Hugging Face config.json or YAML spec."""
    if not name.strip():
        raise GigaclusterError("model", "expected a catalog id or a path to a config.json / YAML file, got ''")
    path = Path(name)
    if path.suffix.lower() in (".json", ".yaml", ".yml") or _is_file(path):
        return load_model_file(path)
    key = name.strip().lower()
    key = _alias_table().get(key, key)
    raw = raw_models()
    if key not in raw:
        raise unknown("model", name, raw)
    spec = load_models().get(key)
    if spec is None:
        raise GigaclusterError("model", f"'{key}' has no published layer dimensions (layers/hidden unknown)")
    return spec


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL byte
        return False


def load_model_file(path: Path) -> ModelSpec:
    """A model from a YAML spec (our fields) or a Hugging Face config.json."""
    from gigacluster.llm.hf import from_hf_config

    data = read_mapping(path, "model")
    try:
        if "model_type" in data or "architectures" in data or "num_hidden_layers" in data:
            return from_hf_config(data, name=path.parent.name or path.stem)
        data.setdefault("name", path.stem)
        return ModelSpec(**{k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        raise model_error(exc, ModelSpec, "model") from None
