"""Regenerate the README's command outputs and accuracy tables from the real commands.

    .venv/bin/python tools/update_readme.py

Replaces what stands between ``<!-- BEGIN:name -->`` and ``<!-- END:name -->`` markers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from gigacluster.validate.inference import validate_inference
from gigacluster.validate.training import validate_training

ROOT = Path(__file__).resolve().parents[1]
GC = str(Path(sys.executable).with_name("gigacluster"))


def _run(*args: str) -> str:
    env = {**os.environ, "COLUMNS": "110"}
    return subprocess.run([GC, *args], capture_output=True, text=True, env=env, check=True, cwd=ROOT).stdout


def _console(cmd: str, *args: str) -> str:
    lines = [f"    $ {cmd}"] + ["    " + line.rstrip() for line in _run(*args).rstrip().splitlines()]
    return "\n".join(lines)


def _table(path: Path) -> str:
    rep = validate_training(path)
    rows = ["| family | rows | median APE | mean APE |", "|---|---:|---:|---:|"]
    for f in rep.families:
        rows.append(f"| {f.family} | {f.rows} | {f.median_ape:.1%} | {f.mean_ape:.1%} |")
    rows.append(f"| **all** | **{rep.predicted}/{rep.cases}** | **{rep.median_ape or 0:.1%}** | "
                f"**{rep.mean_ape or 0:.1%}** |")
    if rep.skipped:
        rows.append("\nSkipped: " + "; ".join(f"{s.id} ({s.reason.split(': ', 1)[-1]})" for s in rep.skipped) + ".")
    return "\n".join(rows)


def _heldout(paths: list[Path]) -> str:
    rows = ["| file | rows predicted | median APE | mean APE | ranking groups | mean Spearman ρ | top-1 match |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for path in paths:
        rep = validate_training(path)
        rk = rep.ranking
        rank = f"{rk.groups} | {rk.mean_spearman:.2f} | {rk.top1_match:.0%}" if rk else "- | - | -"
        rows.append(f"| `{path.name}` | {rep.predicted}/{rep.cases} | {rep.median_ape or 0:.1%} | "
                    f"{rep.mean_ape or 0:.1%} | {rank} |")
    return "\n".join(rows)


def _inference_table() -> str:
    rep = validate_inference()
    rows = ["| family | rows | median APE | mean APE |", "|---|---:|---:|---:|"]
    for f in rep.families:
        rows.append(f"| {f.family} | {f.rows} | {f.median_ape:.1%} | {f.mean_ape:.1%} |")
    rows.append(f"| **all** | **{rep.predicted}/{rep.cases}** | **{rep.median_ape or 0:.1%}** | "
                f"**{rep.mean_ape or 0:.1%}** |")
    return "\n".join(rows)


def blocks() -> dict[str, str]:
    data = ROOT / "data" / "validation"
    return {
        "plan": _console("gigacluster plan prometheus --out out/prometheus", "plan", "prometheus", "--out",
                         "out/prometheus"),
        "train": _console("gigacluster train --model llama3-405b --accelerator h100-sxm --gpus 16384 --tokens 15.6T",
                          "train", "--tokens", "15.6T"),
        "training-accuracy": _table(data / "training.csv"),
        "vtrain-accuracy": _heldout([data / "training_vtrain_multi.csv", data / "training_vtrain_single.csv"]),
        "inference-accuracy": _inference_table(),
    }


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    for name, body in blocks().items():
        pattern = re.compile(rf"(<!-- BEGIN:{name} -->\n).*?(\n<!-- END:{name} -->)", re.S)
        text = pattern.sub(lambda m, b=body: m.group(1) + b + m.group(2), text)
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
