"""A deterministic in-process sample of the fuzz campaign (tools/fuzz.py --fast): every invocation
ends ok or with a clean one-line error, never a traceback, a non-finite figure or a multi-line error."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gc_fuzz", ROOT / "tools" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gc_fuzz"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_classify_outcomes(fuzz: ModuleType) -> None:
    assert fuzz.classify(0, '{"a": 1.5}', "") == "ok"
    assert fuzz.classify(0, '{"a": NaN}', "") == "non-finite output"
    assert fuzz.classify(0, '{"step_time_s": -641.0}', "") == "non-finite output"
    assert fuzz.classify(0, '{"error_pct": -3.0}', "") == "ok"
    assert fuzz.classify(0, "ETTR   nan", "") == "non-finite output"
    assert fuzz.classify(0, "Infinity Fabric (xGMI)", "") == "ok"
    assert fuzz.classify(2, "", "error gpus: must be > 0, got 0\n") == "clean error"
    assert fuzz.classify(2, "", "error a\nmore\n") == "multi-line error"
    assert fuzz.classify(1, "", "Traceback (most recent call last):\n  File ...\nValueError: x\n") == "traceback"


def test_generation_is_deterministic_and_covers_every_command(fuzz: ModuleType, tmp_path: Path) -> None:
    files = fuzz.write_files(tmp_path, random.Random(0))
    a = fuzz.generate(300, 0, files)
    assert a == fuzz.generate(300, 0, files)
    assert {" ".join(x[:2]) if x[0] in ("catalog", "validate") else x[0] for x in a} == set(fuzz.commands())
    assert not {x[0] for x in fuzz.generate(300, 0, files, fast=True)} & {"calibrate", "web", "plan", "train"}


def test_in_suite_sample_has_no_bad_outcome(fuzz: ModuleType, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # commands that write files (default output folders) write them here
    files = fuzz.write_files(tmp_path, random.Random(0))
    bad = []
    for args in fuzz.generate(150, 0, files, fast=True):
        rc, out, err = fuzz.call_in_process(args)
        outcome = fuzz.classify(rc, out, err)
        if outcome not in ("ok", "clean error"):
            bad.append(f"{outcome}: gigacluster {' '.join(args)} -> {err.strip()[-300:]}")
    assert not bad, "\n".join(bad[:10])


def test_api_requests_come_from_the_openapi_schema(fuzz: ModuleType) -> None:
    api = fuzz.fuzz_api
    a = api.generate(200, 0)
    assert a == api.generate(200, 0)
    assert {x[1] for x in a} == set(api.endpoints())
    assert any("NaN" in x[2] or "Infinity" in x[2] for x in a)
    assert any(x[2].startswith("{") and "bogus" in x[2] for x in a)


def test_api_outcomes(fuzz: ModuleType) -> None:
    neg, nonfinite = fuzz._negative_number, fuzz._non_finite
    assert fuzz.fuzz_api.classify('HTTP 200\n{"a": 1.5}', neg, nonfinite) == "ok"
    assert fuzz.fuzz_api.classify('HTTP 200\n{"a": NaN}', neg, nonfinite) == "non-finite output"
    assert fuzz.fuzz_api.classify('HTTP 200\n{"power_mw": -3}', neg, nonfinite) == "non-finite output"
    assert fuzz.fuzz_api.classify('HTTP 422\n{"detail": [{"loc": ["body", "gpus"], "msg": "must be > 0, got 0"}]}',
                                  neg, nonfinite) == "clean error"
    assert fuzz.fuzz_api.classify('HTTP 400\n{"detail": "bad"}', neg, nonfinite) == "multi-line error"
    assert fuzz.fuzz_api.classify("HTTP 500\nInternal Server Error", neg, nonfinite) == "traceback"
    assert fuzz.fuzz_api.classify("HTTP 504\n{}", neg, nonfinite) == "timeout"


def test_in_suite_api_sample_has_no_bad_outcome(fuzz: ModuleType) -> None:
    bad, ok = [], 0
    for args in fuzz.fuzz_api.generate(120, 0, fast=True):
        rc, out, err = fuzz.call_in_process(args)
        outcome = fuzz.classify(rc, out, err, args)
        ok += outcome == "ok"
        if outcome not in ("ok", "clean error"):
            bad.append(f"{outcome}: {fuzz._shown(args)[:300]} -> {(out + err).strip()[-300:]}")
    assert not bad, "\n".join(bad[:10])
    assert ok >= 20  # the sample also gets past validation
