"""A scenario with a :class:`PlanRequest`'s what-if overrides applied (``Scenario.model_copy``)."""

from __future__ import annotations

from typing import Any

from gigacluster.api.requests import PlanRequest
from gigacluster.catalog import get_accelerator, get_model
from gigacluster.catalog.scenarios import Scenario, get_scenario, resolve_model, scenario_ids
from gigacluster.errors import GigaclusterError, unknown
from gigacluster.hardware.spec import SIZINGS
from gigacluster.reliability.profiles import get_profile

ACCELERATOR_CHOICES = ("form_factor", "gpus_per_rack", "nic_gbps")
"""Design choices tied to one accelerator: reset to their defaults when the accelerator changes."""


def _design(s: Scenario, req: PlanRequest) -> dict[str, Any]:
    sizing = {k: getattr(req, k) for k in SIZINGS if getattr(req, k, None) is not None}
    if len(sizing) > 1:
        raise GigaclusterError("sizing", f"give at most one of facility_mw, budget_usd, accelerators (got "
                                         f"{' and '.join(sizing)})")
    data = s.design_spec(req.phase).model_dump(exclude_none=True)
    if sizing:
        data = {k: v for k, v in data.items() if k not in SIZINGS} | sizing
    if req.accelerator is not None:
        get_accelerator(req.accelerator)
        data = {k: v for k, v in data.items() if k not in ACCELERATOR_CHOICES} | {"accelerator": req.accelerator}
    return data


def _updates(s: Scenario, req: PlanRequest) -> dict[str, Any]:
    """The scenario fields the request changes (nested workloads copied with their own overrides)."""
    train = {k: v for k, v in (("model", req.model), ("global_batch_tokens", req.global_batch_tokens),
                               ("tokens", req.tokens), ("failure_profile", req.failure_profile)) if v is not None}
    serve = {k: v for k, v in (("daily_active_users", req.daily_active_users),
                               ("requests_per_user_day", req.requests_per_user_day)) if v is not None}
    updates: dict[str, Any] = {}
    if train:
        updates["training"] = s.training.model_copy(update=train)
    if serve:
        updates["serving"] = s.serving.model_copy(update=serve)
    if req.researchers is not None:
        updates["researchers"] = req.researchers
    return updates


def _check(req: PlanRequest) -> None:
    if req.model is not None:
        get_model(resolve_model(req.model))
    if req.failure_profile not in (None, "none"):
        try:
            get_profile(req.failure_profile)
        except GigaclusterError as exc:
            raise GigaclusterError("failure_profile", exc.reason + ", none") from None


def scenario_of(req: PlanRequest) -> Scenario:
    """The request's scenario (a shipped id) with its overrides; the scenario itself when there are none."""
    if req.scenario not in scenario_ids():
        raise unknown("scenario", req.scenario, scenario_ids())
    s = get_scenario(req.scenario)
    _check(req)
    updates = _updates(s, req)
    design_given = req.accelerator is not None or any(getattr(req, k, None) is not None for k in SIZINGS)
    if design_given:
        # the phase's own sizing would win over the design; keep the phases' names, drop their sizing
        phases = [p.model_copy(update={k: None for k in (*SIZINGS, "accelerator")}) for p in s.phases]
        updates |= {"design": _design(s, req), "phases": phases}
    return s.model_copy(update=updates) if updates else s
