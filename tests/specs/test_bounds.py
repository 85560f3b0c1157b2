"""Bounds live once in the specs: NaN, inf, negatives and out-of-range values are one-line errors
naming the field, the value and the range, whichever way the spec is built."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from gigacluster.economics.spec import CostSpec
from gigacluster.errors import GigaclusterError, validation_line
from gigacluster.hardware.spec import DesignSpec
from gigacluster.limits import MAX_ACCELERATORS, MAX_SEED
from gigacluster.llm.spec import ModelSpec
from gigacluster.reliability import ReliabilitySpec, goodput
from gigacluster.reliability.closed_form import meta_ettr, poisson_tail
from gigacluster.results import CheckedResult
from gigacluster.scheduling import ClusterSpec, SimOptions, SyntheticSpec

BASE_MODEL = dict(name="m", layers=4, hidden=256, heads=4, ffn_hidden=1024, vocab=1000)


def _line(exc: BaseException) -> str:
    text = validation_line(exc) if isinstance(exc, ValidationError) else str(exc)
    assert "\n" not in text
    return text


@pytest.mark.parametrize("field, value", [
    ("days", math.nan), ("days", math.inf), ("days", -1.0), ("days", 1e9), ("gpus", 0), ("gpus", MAX_ACCELERATORS + 1),
    ("seed", -1), ("seed", MAX_SEED + 1), ("replications", 10**6), ("detection_s", math.nan),
    ("restore_s", -5.0), ("spare_nodes", 2**63),
])
def test_reliability_spec_refuses(field: str, value: float) -> None:
    args = {"gpus": 1024, "days": 1.0, field: value}
    with pytest.raises((ValidationError, GigaclusterError)) as exc:
        ReliabilitySpec(**args)  # type: ignore[arg-type]
    line = _line(exc.value)
    assert line.startswith(field) and "got" in line


@pytest.mark.parametrize("update", [
    {"head_dim": -64}, {"kv_heads": -1}, {"layers": 10**12}, {"hidden": 0}, {"vocab": -5},
    {"arch": "moe", "moe_experts": -8, "moe_topk": 2, "moe_ffn_hidden": 512},
    {"arch": "moe", "moe_experts": 8, "moe_topk": 9, "moe_ffn_hidden": 512},
    {"arch": "moe", "moe_experts": 8, "moe_topk": 2, "moe_ffn_hidden": 512, "moe_dense_layers": 5},
])
def test_model_spec_refuses_impossible_dimensions(update: dict[str, object]) -> None:
    with pytest.raises((ValidationError, GigaclusterError)) as exc:
        ModelSpec(**(BASE_MODEL | update))  # type: ignore[arg-type]
    _line(exc.value)


@pytest.mark.parametrize("kwargs", [
    {"accelerators": 10**30}, {"it_mw": math.inf}, {"accelerators": 1000, "pue": math.inf},
    {"accelerators": 1000, "pue": math.nan}, {"facility_mw": 1e6}, {"budget_usd": 1e20},
])
def test_design_spec_refuses(kwargs: dict[str, float]) -> None:
    with pytest.raises((ValidationError, GigaclusterError)) as exc:
        DesignSpec(**kwargs)  # type: ignore[arg-type]
    _line(exc.value)


@pytest.mark.parametrize("kwargs", [{"usd_per_mwh": math.nan}, {"usd_per_mwh": -5.0}, {"it_life_years": math.inf},
                                    {"grid_kg_co2_per_mwh": 1e300}])
def test_cost_spec_refuses_nan_and_negative_prices(kwargs: dict[str, float]) -> None:
    with pytest.raises((ValidationError, GigaclusterError)) as exc:
        CostSpec(**kwargs)  # type: ignore[arg-type]
    _line(exc.value)


def test_scheduling_specs_refuse_huge_and_negative() -> None:
    for build in (lambda: ClusterSpec(gpus=10**9), lambda: SimOptions(seed=-1), lambda: SyntheticSpec(jobs=10**23),
                  lambda: SyntheticSpec(load=math.nan), lambda: SyntheticSpec(load=5e-324)):
        with pytest.raises(ValidationError) as exc:
            build()
        _line(exc.value)


def test_closed_form_ettr_is_clipped_not_negative() -> None:
    assert meta_ettr(1e-2, 300.0, 600.0, 30.0) == 0.0
    r = goodput(ReliabilitySpec(gpus=1_000_000, days=2, replications=20))
    assert r.ettr_closed_form == 0.0 and not r.closed_form_valid and r.closed_form_loss > 1


def test_monte_carlo_work_is_refused_up_front() -> None:
    with pytest.raises(GigaclusterError, match="failure gaps") as exc:
        goodput(ReliabilitySpec(gpus=100_000_000, days=30))
    assert exc.value.field == "replications"


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 1e7), st.integers(0, 2**40))
def test_poisson_tail_is_a_probability_and_fast(mean: float, k: int) -> None:
    p = poisson_tail(mean, k)
    assert 0.0 <= p <= 1.0


class _R(CheckedResult):
    a: float
    parts: dict[str, float] = {}


@pytest.mark.parametrize("kwargs", [{"a": math.nan}, {"a": -1.0}, {"a": math.inf}, {"a": 1.0, "parts": {"x": -2.0}}])
def test_checked_results_refuse_bad_numbers(kwargs: dict[str, object]) -> None:
    with pytest.raises(GigaclusterError, match="refusing to report it"):
        _R(**kwargs)  # type: ignore[arg-type]
    assert _R(a=0.0, parts={"x": 1.0}).a == 0.0
