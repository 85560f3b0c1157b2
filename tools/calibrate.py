"""Refit the training model's calibrated constants on the public cases (a developer tool).

Jointly minimises the mean of min(APE, 1) over every predictable row of
data/validation/training.csv (a row that cannot be predicted counts as 1), by coordinate descent
in log space within each constant's bounds. One global fit: nothing is fitted per case.

    .venv/bin/python tools/calibrate.py            # print the fit
    .venv/bin/python tools/calibrate.py --write    # also write the fitted values to the YAML
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from gigacluster.errors import GigaclusterError
from gigacluster.training.calibration import CALIBRATION_PATH, Calibration, load_calibration
from gigacluster.validate.cases import load_cases
from gigacluster.validate.training import predict_case

CASES = Path(__file__).resolve().parents[1] / "data" / "validation" / "training.csv"
# dotted path -> (low, high)
BOUNDS: dict[str, tuple[float, float]] = {
    "gemm.efficiency_max.ampere": (0.3, 0.85),
    "gemm.efficiency_max.hopper": (0.3, 0.85),
    "gemm.efficiency_max.blackwell": (0.3, 0.85),
    "gemm.efficiency_max.tpu": (0.3, 0.85),
    "gemm.low_precision_factor": (0.4, 1.0),
    "gemm.overhead_s": (1e-6, 5e-5),
    "gemm.moe_half_tokens": (16.0, 4096.0),
    "attention.relative_efficiency.ampere": (0.1, 1.0),
    "attention.relative_efficiency.hopper": (0.1, 1.0),
    "attention.relative_efficiency.blackwell": (0.1, 1.0),
    "attention.relative_efficiency.tpu": (0.1, 1.0),
    "memory_bound.bytes_per_hidden": (4.0, 80.0),
    "memory_bound.layer_overhead_s": (1e-6, 5e-4),
    "comm.half_efficiency_mb": (0.1, 32.0),
    "comm.scaleup_efficiency": (0.3, 0.95),
    "comm.scaleout_efficiency": (0.3, 0.95),
    "overlap.tp": (0.0, 0.95),
    "overlap.ep": (0.0, 0.95),
    "overlap.dp": (0.0, 0.99),
    "overlap.fsdp": (0.0, 0.99),
    "overlap.zero3": (0.0, 0.99),
    "overlap.pp": (0.0, 0.99),
    "overlap.cp": (0.0, 0.99),
    "step_overhead_s": (0.0, 1.0),
}


def _get(data: dict[str, Any], path: str) -> float:
    node: Any = data
    for key in path.split("."):
        node = node[key]
    return float(node)


def _set(data: dict[str, Any], path: str, value: float) -> dict[str, Any]:
    keys = path.split(".")
    node = data
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    return data


def loss(raw: dict[str, Any], cases: list[Any]) -> float:
    cal = Calibration.model_validate(raw)
    errs = []
    for case in cases:
        try:
            errs.append(min(predict_case(case, cal).ape, 1.0))
        except GigaclusterError:
            errs.append(1.0)
    return float(np.mean(errs))


def _candidates(value: float, lo: float, hi: float, step: float) -> list[float]:
    if lo <= 0.0 and value < 0.02:
        return [min(hi, 0.05)]
    return [min(hi, max(lo, value * math.exp(s))) for s in (step, -step)]


def fit(raw: dict[str, Any], cases: list[Any], passes: int) -> tuple[dict[str, Any], float]:
    best = loss(raw, cases)
    print(f"start loss {best:.4f}", flush=True)
    step = 0.4
    for n in range(passes):
        for path, (lo, hi) in BOUNDS.items():
            for value in _candidates(_get(raw, path), lo, hi, step):
                trial = _set(_copy(raw), path, value)
                score = loss(trial, cases)
                if score < best - 1e-5:
                    raw, best = trial, score
                    print(f"  pass {n} {path} = {value:.4g} -> {best:.4f}", flush=True)
                    break
        step *= 0.6
    return raw, best


def _copy(raw: dict[str, Any]) -> dict[str, Any]:
    return Calibration.model_validate(raw).model_dump()


def write(raw: dict[str, Any], path: Path = CALIBRATION_PATH) -> None:
    """Replace the fitted numbers in the YAML in place, keeping its comments."""
    text = path.read_text(encoding="utf-8")
    for dotted in BOUNDS:
        value = _get(raw, dotted)
        parent, key = dotted.rsplit(".", 1) if "." in dotted else ("", dotted)
        if parent in ("gemm.efficiency_max", "attention.relative_efficiency"):
            section = parent.rsplit(".", 1)[1]
            text = re.sub(rf"({section}: {{[^}}]*\b{key}: )[0-9.e+-]+", rf"\g<1>{value:.4g}", text, count=1)
        else:
            text = re.sub(rf"(\n\s*{key}: )[0-9.e+-]+", rf"\g<1>{value:.4g}", text, count=1)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passes", type=int, default=4)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    cases = load_cases(CASES)
    raw, best = fit(load_calibration().model_dump(), cases, args.passes)
    print(f"final loss {best:.4f}")
    for dotted in BOUNDS:
        print(f"{dotted}: {_get(raw, dotted):.4g}")
    if args.write:
        write(raw)


if __name__ == "__main__":
    main()
