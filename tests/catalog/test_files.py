"""Safe loading: every way a user file can be wrong is one GigaclusterError line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.catalog import get_model
from gigacluster.catalog.files import read_mapping
from gigacluster.catalog.scenarios import get_scenario
from gigacluster.errors import GigaclusterError

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = (ROOT / "src/gigacluster/catalog/scenarios/prometheus.yaml").read_text(encoding="utf-8")


def _err(fn, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(GigaclusterError) as exc:
        fn(*args)
    text = str(exc.value)
    assert "\n" not in text
    return text


@pytest.mark.parametrize("data, needle", [
    (b"\xff\xfe bad", "not UTF-8 text (byte 0xff at line 1"),
    (b"name: x\nlayers: [1,\n", "not valid YAML at line 3, column 1"),
    (b"", "is empty"),
    (b"  \n", "is empty"),
    (b"1: 2\n", "non-string key 1"),
    (b"- 1\n- 2\n", "must be a mapping of fields, got list"),
    (b"name: x\nlayers: 2\nhidden: 64\nheads: 4\nffn_hidden: 256\nvocab: 10\nlayrs: 3\n", "did you mean 'layers'"),
])
def test_model_yaml_errors(tmp_path: Path, data: bytes, needle: str) -> None:
    p = tmp_path / "m.yaml"
    p.write_bytes(data)
    assert needle in _err(get_model, str(p))


@pytest.mark.parametrize("text, needle", [
    ('{"num_hidden_layers": 2,', "not valid JSON at line 1"),
    ('{"num_hidden_layers": NaN}', "NaN is not a number JSON allows"),
    ('{"num_hidden_layers": 2, "hidden_size": "big", "num_attention_heads": 4, "vocab_size": 9}',
     "config.hidden_size: expected a whole number, got 'big'"),
    ('{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 0, "vocab_size": 9}',
     "config.num_attention_heads: must be > 0"),
    ('{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "vocab_size": 9, '
     '"num_local_experts": -8}', "config.num_local_experts: must be ≥ 0"),
    ('{"num_hidden_layers": 2, "hidden_size": 64.5, "num_attention_heads": 4, "vocab_size": 9}',
     "expected a whole number, got 64.5"),
])
def test_hf_config_errors(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "config.json"
    p.write_text(text, encoding="utf-8")
    assert needle in _err(get_model, str(p))


def test_paths_that_are_not_files(tmp_path: Path) -> None:
    assert "expected a catalog id" in _err(get_model, "")
    assert "is a directory" in _err(read_mapping, tmp_path, "model")
    assert "no such file" in _err(get_model, str(tmp_path / "nope.yaml"))
    long = _err(get_model, "x" * 5000)
    assert "unknown 'xxx" in long and len(long) < 2000


def test_scenario_typos_suggest_the_key(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(SCENARIO.replace("researchers:", "reserchers:", 1), encoding="utf-8")
    assert "did you mean 'researchers'" in _err(get_scenario, str(p))
    p.write_text(SCENARIO.replace("design:\n", "design:\n  pue_typo: 1.2\n", 1), encoding="utf-8")
    assert "scenario.s.design.pue_typo: unknown key" in _err(get_scenario, str(p))
    p.write_bytes(SCENARIO.encode("utf-8") + b"\nnotes: caf\xe9\n")
    assert "not UTF-8" in _err(get_scenario, str(p))
    p.write_text(SCENARIO + "\n7: x\n", encoding="utf-8")
    assert "non-string key 7" in _err(get_scenario, str(p))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_load_or_fail_in_one_line(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    p = tmp_path_factory.mktemp("fz") / "m.yaml"
    p.write_bytes(data)
    try:
        get_model(str(p))
    except GigaclusterError as exc:
        assert "\n" not in str(exc)


def test_a_scenario_files_traffic_profile_resolves_from_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from gigacluster.catalog.scenarios import _dir
    from gigacluster.inference.fleet import load_profile

    data = yaml.safe_load((_dir() / "meta-24k.yaml").read_text(encoding="utf-8"))
    data["serving"]["traffic_profile"] = "day.txt"
    folder = tmp_path / "scen"
    folder.mkdir()
    (folder / "mine.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (folder / "day.txt").write_text("\n".join(str(1 + h % 3) for h in range(24)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not the scenario's folder
    s = get_scenario(str(folder / "mine.yaml"))
    assert Path(s.serving.traffic_profile) == folder / "day.txt"
    assert load_profile(s.serving.traffic_profile).peak_to_mean > 1.0
    assert get_scenario("meta-24k").serving.traffic_profile in ("flat", "diurnal")  # built-ins untouched
