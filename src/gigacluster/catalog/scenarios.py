"""Scenarios: named clusters (Prometheus, Hyperion, Colossus, Meta 24K, Stargate Abilene) as user-editable
YAML in ``catalog/scenarios/``: the design inputs, optional phases, cost overrides, and the workload the
later stages use (a model to train, its token budget, serving traffic, researchers, scheduling policy)."""

from __future__ import annotations

import functools
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gigacluster.catalog.files import as_mapping, check_keys, model_error, parse_yaml, read_text
from gigacluster.catalog.loaders import get_model
from gigacluster.economics.spec import CostSpec
from gigacluster.errors import GigaclusterError, unknown
from gigacluster.hardware.spec import SIZINGS, DesignSpec
from gigacluster.inference.fleet import BUILT_IN_PROFILES
from gigacluster.limits import MAX_ACCELERATORS, MAX_MW, MAX_USD, SeqLen, Tokens
from gigacluster.llm.spec import ModelSpec


class Phase(BaseModel):
    """A build-out step: its own sizing (and optionally accelerator)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str
    year: int = Field(ge=1900, le=2200)
    facility_mw: float | None = Field(default=None, gt=0, le=MAX_MW)
    it_mw: float | None = Field(default=None, gt=0, le=MAX_MW)
    budget_usd: float | None = Field(default=None, gt=0, le=MAX_USD)
    accelerators: int | None = Field(default=None, gt=0, le=MAX_ACCELERATORS)
    accelerator: str | None = None
    note: str = ""


class TrainingWorkload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    model: str
    tokens: Tokens
    precision: str = "bf16"
    seq_len: SeqLen = 8192
    global_batch_tokens: Tokens = 16 * 2**20
    failure_profile: str = "llama3"  # reliability profile for wall-clock days, or "none"


class ServingWorkload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    model: str
    daily_active_users: float = Field(gt=0, le=1e11)
    requests_per_user_day: float = Field(gt=0, le=1e6)
    input_len: SeqLen
    output_len: SeqLen
    ttft_p99_ms: float = Field(gt=0, le=1e9)
    tpot_p99_ms: float = Field(gt=0, le=1e9)
    traffic_profile: str = "diurnal"  # a name of inference.fleet.BUILT_IN_PROFILES or a file of 24 hourly weights


class Scenario(BaseModel):
    """One named cluster. ``design`` holds DesignSpec fields; ``costs`` CostSpec overrides."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    id: str
    name: str
    year: int
    description: str
    sources: list[str]
    design: dict[str, Any]
    phases: list[Phase] = []
    costs: dict[str, float] = {}
    training: TrainingWorkload
    serving: ServingWorkload
    researchers: int = Field(gt=0, le=1_000_000)
    scheduling_policy: str
    notes: str = ""
    calibration: str | None = None  # a calibration overlay (gigacluster calibrate), relative to this file

    def phase(self, name: str | None = None) -> Phase | None:
        """A phase by name; the first when ``name`` is None; None when the scenario has no phases."""
        if not self.phases:
            if name:
                raise GigaclusterError("phase", f"scenario '{self.id}' has no phases")
            return None
        if name is None:
            return self.phases[0]
        for p in self.phases:
            if p.name == name:
                return p
        raise unknown("phase", name, [p.name for p in self.phases])

    def design_spec(self, phase: str | None = None, **overrides: Any) -> DesignSpec:
        """The DesignSpec of this scenario (at ``phase``), with ``overrides`` (non-None) on top."""
        data = dict(self.design)
        p = self.phase(phase)
        if p is not None:
            data.update({k: v for k, v in p.model_dump().items() if k in SIZINGS and v is not None})
            if p.accelerator:
                data["accelerator"] = p.accelerator
        given = {k: v for k, v in overrides.items() if v is not None}
        if any(k in SIZINGS for k in given):
            data.update({k: None for k in SIZINGS})
        data.update(given)
        return DesignSpec(**data)

    def training_model(self) -> ModelSpec:
        return get_model(resolve_model(self.training.model))

    def serving_model(self) -> ModelSpec:
        return get_model(resolve_model(self.serving.model))


def _dir() -> Traversable:
    return resources.files("gigacluster.catalog") / "scenarios"


def resolve_model(name: str) -> str:
    """A scenario's model: a file under ``scenarios/models/`` (e.g. behemoth-class), else a catalog id."""
    path = _dir() / "models" / f"{name}.yaml"
    return str(path) if path.is_file() else name


def _load(sid: str, text: str, path: str = "") -> Scenario:
    field = f"scenario.{sid}"
    data = as_mapping(parse_yaml(text, path or f"{sid}.yaml", field), path or f"{sid}.yaml", field)
    check_keys(data, (k for k in Scenario.model_fields if k != "id"), field)
    check_keys(data.get("design") or {}, DesignSpec.model_fields, f"{field}.design")
    check_keys(data.get("costs") or {}, CostSpec.model_fields, f"{field}.costs")
    try:
        return Scenario(id=sid, **data)
    except ValidationError as exc:
        raise model_error(exc, Scenario, field) from None


@functools.cache
def load_scenarios() -> dict[str, Scenario]:
    """Every packaged scenario, keyed by file name."""
    files = sorted((f for f in _dir().iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return {f.name[:-5]: _load(f.name[:-5], f.read_text(encoding="utf-8")) for f in files}


def scenario_ids() -> list[str]:
    return list(load_scenarios())


def _relative_to(s: Scenario, folder: Path) -> Scenario:
    """A scenario file's relative paths (calibration overlay, traffic-profile file) resolved from
    the folder of the file, not the working directory."""
    if s.calibration and not Path(s.calibration).is_absolute():
        s = s.model_copy(update={"calibration": str(folder / s.calibration)})
    profile = s.serving.traffic_profile
    if profile not in BUILT_IN_PROFILES and not Path(profile).is_absolute():
        s = s.model_copy(update={"serving": s.serving.model_copy(update={"traffic_profile": str(folder / profile)})})
    return s


def get_scenario(name: str) -> Scenario:
    """A scenario by id, or a path to a scenario YAML file."""
    if name.endswith((".yaml", ".yml")):
        path = Path(name)
        return _relative_to(_load(path.stem, read_text(path, "scenario"), str(path)), path.parent)
    table = load_scenarios()
    key = name.strip().lower()
    if key not in table:
        raise unknown("scenario", name, table)
    return table[key]
