"""Refit the training model's constants on the public cases, and measure it honestly.

The fit minimises the family-weighted mean of min(APE, 1) over data/validation/training.csv plus a
penalty toward each constant's physical prior (training/data/priors.yaml), starting from the prior
centers; one global fit, nothing per case. ``--cv family`` refits once per source family without
it and predicts the held-out family (leave-one-family-out): that pooled error is the accuracy a
user should expect on a cluster or model nobody has measured.

    .venv/bin/python tools/calibrate.py                       # in-sample fit and its constants
    .venv/bin/python tools/calibrate.py --cv family           # cross-validated accuracy (~minutes)
    .venv/bin/python tools/calibrate.py --cv family --format json
    .venv/bin/python tools/calibrate.py --write               # write the in-sample fit to the YAML
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from gigacluster.training.calibration import CALIBRATION_PATH, load_calibration
from gigacluster.validate.cases import load_cases
from gigacluster.validate.crossval import CVReport, cross_validate, in_sample
from gigacluster.validate.priors import get_path, prior_set

CASES = Path(__file__).resolve().parents[1] / "data" / "validation" / "training.csv"


def _find(lines: list[str], keys: list[str]) -> tuple[int, str]:
    """Line index holding the dotted key (block YAML, 2-space indent) and the key to edit on it;
    a key inside a flow mapping ``{coverage: 1.0, factor: 1.0}`` is edited on its parent's line."""
    i, indent = 0, 0
    for n, key in enumerate(keys):
        head = " " * indent + f"{key}:"
        found = next((j for j in range(i, len(lines)) if lines[j].startswith(head)), None)
        if found is None:
            return i - 1, keys[n]
        i, indent = found + 1, indent + 2
    return i - 1, keys[-1]


def write(raw: dict[str, Any], path: Path = CALIBRATION_PATH) -> None:
    """Replace the fitted numbers in the YAML in place, keeping its comments and key structure."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for dotted in prior_set(raw).priors:
        i, key = _find(lines, dotted.split("."))
        lines[i] = re.sub(rf"(\b{re.escape(key)}: )[0-9.e+-]+", rf"\g<1>{get_path(raw, dotted):.4g}", lines[i],
                          count=1)
    path.write_text("\n".join(lines), encoding="utf-8")


def _print(report: CVReport) -> None:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.1%}"

    if report.families:
        print(f"{'held-out family':18s} {'rows':>4s} {'median':>8s} {'mean':>8s}")
        for fam, s in report.families.items():
            print(f"{fam:18s} {s.rows:4d} {pct(s.median_ape):>8s} {pct(s.mean_ape):>8s}")
        print(f"{'pooled (CV)':18s} {'':4s} {pct(report.median_ape):>8s} {pct(report.mean_ape):>8s}")
    print(f"{'in-sample':18s} {'':4s} {pct(report.in_sample_median_ape):>8s} {pct(report.in_sample_mean_ape):>8s}")
    print("\nconstant                                   fitted     prior      z  constrained by the cases  gap")
    for c in report.constants:
        print(f"{c.path:42s} {c.value:9.4g} {c.prior:9.4g} {c.z:6.2f}  {c.constrained:24s}  {c.gap or ''}")
    print(f"\n{report.seconds:.0f} s")


def markdown(report: CVReport) -> str:
    """The CV table by family and the constants table, as Markdown (docs, README)."""
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.1%}"

    out = ["| held-out family | rows | median APE | mean APE |", "|---|---:|---:|---:|"]
    out += [f"| {f} | {s.predicted}/{s.rows} | {pct(s.median_ape)} | {pct(s.mean_ape)} |"
            for f, s in report.families.items()]
    out.append(f"| **pooled (cross-validated)** | | **{pct(report.median_ape)}** | **{pct(report.mean_ape)}** |")
    out.append(f"| in-sample (all families fitted) | | {pct(report.in_sample_median_ape)} | "
               f"{pct(report.in_sample_mean_ape)} |")
    out += ["", "| constant | fitted | prior | z | constrained by the cases | model gap |",
            "|---|---:|---:|---:|---|---|"]
    out += [f"| `{c.path}` | {c.value:.4g} | {c.prior:.4g} | {c.z:+.2f} | {c.constrained} | {c.gap or ''} |"
            for c in report.constants]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv", choices=("family",), help="leave-one-family-out cross-validation")
    parser.add_argument("--passes", type=int, default=6, help="pattern-search passes per fit")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--from-json", type=Path, help="format a saved --format json report; no fit")
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--jobs", type=int, default=2, help="processes for the cross-validation folds")
    parser.add_argument("--write", action="store_true", help="write the in-sample fit to the YAML")
    args = parser.parse_args()
    if args.from_json:
        saved = CVReport.model_validate_json(args.from_json.read_text(encoding="utf-8"))
        print(markdown(saved) if args.format == "markdown" else saved.model_dump_json(indent=2))
        return
    cases = load_cases(args.cases)
    raw = load_calibration().model_dump()

    def log(line: str) -> None:
        if args.format == "text":
            print(line, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    if args.cv:
        report, fitted = cross_validate(cases, raw, args.passes, log, args.jobs)
    else:
        report, fitted = in_sample(cases, raw, args.passes, log)
    if args.format == "json":
        print(json.dumps(report.model_dump(), indent=2))
    elif args.format == "markdown":
        print(markdown(report))
    else:
        _print(report)
    if args.write:
        write(fitted)


if __name__ == "__main__":
    main()
