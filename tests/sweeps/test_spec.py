"""The sweep spec: validation with field names, did-you-mean for unknown keys, a stable hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from gigacluster.errors import GigaclusterError
from gigacluster.sweeps.spec import Range, load_spec, parse_spec

BASE = {"base": "meta-24k", "stage": "design", "axes": {"design.accelerator": ["h100-sxm", "h200"]}}


def test_minimal_spec_parses_with_defaults() -> None:
    spec = parse_spec(BASE)
    assert spec.sample == "grid" and spec.seed == 0 and spec.chunk_size is None
    assert spec.axes["design.accelerator"] == ["h100-sxm", "h200"]


def test_unknown_top_level_key_suggests_the_right_one() -> None:
    with pytest.raises(GigaclusterError, match="did you mean axes") as exc:
        parse_spec(BASE | {"axis": {}})
    assert exc.value.field == "sweep.axis"


def test_random_sampling_needs_n() -> None:
    with pytest.raises(GigaclusterError, match="needs n"):
        parse_spec(BASE | {"sample": "random"})


def test_range_on_a_grid_needs_num() -> None:
    with pytest.raises(GigaclusterError, match="num"):
        parse_spec(BASE | {"axes": {"design.facility_mw": {"low": 10, "high": 100}}})


def test_range_bounds_are_checked() -> None:
    with pytest.raises(GigaclusterError, match="low"):
        Range(low=0, high=10, scale="log")
    with pytest.raises(GigaclusterError, match="high"):
        Range(low=10, high=1)


def test_mixed_and_repeated_axis_values_are_refused() -> None:
    with pytest.raises(GigaclusterError, match="mixes"):
        parse_spec(BASE | {"axes": {"training.precision": ["bf16", 8]}})
    with pytest.raises(GigaclusterError, match="repeat"):
        parse_spec(BASE | {"axes": {"design.accelerator": ["h200", "h200"]}})


def test_unknown_stage_is_one_error() -> None:
    with pytest.raises(GigaclusterError, match="stage"):
        parse_spec(BASE | {"stage": "deploy"})


def test_plan_needs_a_base() -> None:
    with pytest.raises(GigaclusterError, match="base"):
        parse_spec({"stage": "plan", "axes": {"researchers": [10, 20]}})


def test_hash_is_stable_and_changes_with_the_spec() -> None:
    assert parse_spec(BASE).spec_hash() == parse_spec(dict(BASE)).spec_hash()
    other = parse_spec(BASE | {"seed": 1})
    assert other.spec_hash() != parse_spec(BASE).spec_hash()


def test_load_spec_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("base: meta-24k\nstage: design\naxes:\n  design.accelerators: [1024, 2048]\n")
    assert load_spec(path).axes["design.accelerators"] == [1024, 2048]
    with pytest.raises(GigaclusterError, match="no such file"):
        load_spec(tmp_path / "missing.yaml")


def test_shipped_examples_parse() -> None:
    examples = sorted(Path(__file__).resolve().parents[2].joinpath("examples", "sweeps").glob("*.yaml"))
    assert len(examples) >= 2
    for path in examples:
        load_spec(path)
