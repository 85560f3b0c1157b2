"""Sweep throughput: points/s on 1 and 2 Dask workers, a 10,000-point training sweep, and the same points run
one CLI call at a time (measured on a sample, extrapolated: says so).

Run: .venv/bin/python bench/sweep.py [--points 10000] [--rate-points 400] [--cli-sample 8]
Target: the 10,000-point training sweep in < 5 minutes on 2 cores. Prints the load average too: on a shared
machine the figures fall with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gigacluster.sweeps import parse_spec, run
from gigacluster.sweeps.engine import RunStats
from gigacluster.sweeps.sample import sample_points
from gigacluster.sweeps.spec import SweepSpec

TARGET_S = 300.0


def training_spec(n: int, seed: int) -> SweepSpec:
    """A Latin-hypercube sample of dense training jobs with a token budget (layout search, wall-clock with
    failures, energy and cost per point)."""
    return parse_spec({
        "stage": "train", "sample": "lhs", "n": n, "seed": seed, "request": {"tokens": 1e12},
        "axes": {"model": ["llama3-8b", "llama3-70b", "llama3-405b"],
                 "accelerator": ["h100-sxm", "h200", "b200"],
                 "precision": ["bf16", "fp8"],
                 "gpus": {"low": 64, "high": 16384, "scale": "log", "integer": True},
                 "global_batch_tokens": {"low": 1048576, "high": 33554432, "scale": "log"}}})


def timed_sweep(spec: SweepSpec, workers: int) -> RunStats:
    out = Path(tempfile.mkdtemp(prefix="gc-bench-sweep-"))
    try:
        return run(spec, out / "s", workers=workers).stats
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _cli_args(point: dict[str, Any]) -> list[str]:
    return ["train", "--model", str(point["model"]), "--accelerator", str(point["accelerator"]),
            "--precision", str(point["precision"]), "--gpus", str(point["gpus"]),
            "--global-batch-tokens", str(int(point["global_batch_tokens"])), "--tokens", "1e12", "--format", "json"]


def cli_seconds(spec: SweepSpec, sample: int) -> float:
    """Mean wall seconds of one `gigacluster train` process per point, over the first ``sample`` points."""
    exe = Path(sys.executable).with_name("gigacluster")
    points = sample_points(spec)[:sample]
    start = time.perf_counter()
    for p in points:
        subprocess.run([str(exe), *_cli_args(p)], capture_output=True, check=False)
    return (time.perf_counter() - start) / len(points)


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_speedup(units: int = 8, n: int = 2_000_000) -> float:
    """How much faster 2 processes finish fixed pure-Python work than 1 on this machine right now (a control:
    on a shared machine the second core is not always free)."""
    import multiprocessing as mp

    rates = []
    for procs in (1, 2):
        start = time.perf_counter()
        with mp.Pool(procs) as pool:
            pool.map(_spin, [n] * units)
        rates.append(units / (time.perf_counter() - start))
    return rates[1] / rates[0]


def _line(label: str, s: RunStats) -> str:
    return (f"{label:<28} {s.points_run:>6} points  {s.seconds:7.1f} s total  {s.startup_s:5.1f} s start-up  "
            f"{s.points_per_s:7.1f} points/s  ({s.compute_points_per_s:.1f} points/s after start-up)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--rate-points", type=int, default=400)
    ap.add_argument("--cli-sample", type=int, default=8)
    ap.add_argument("--rate-only", action="store_true", help="only the 1- and 2-worker rates")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rate_spec = training_spec(args.rate_points, seed=1)
    inline, one, two = timed_sweep(rate_spec, 0), timed_sweep(rate_spec, 1), timed_sweep(rate_spec, 2)
    print(_line("in-process (no Dask)", inline))
    print(_line("1 worker", one))
    print(_line("2 workers", two))
    print(f"speed-up 1 -> 2 workers: {two.compute_points_per_s / one.compute_points_per_s:.2f}x after start-up, "
          f"{two.points_per_s / one.points_per_s:.2f}x including it; control (plain CPU work, 1 -> 2 processes, "
          f"now): {machine_speedup():.2f}x")
    if args.rate_only:
        return
    big = timed_sweep(training_spec(args.points, seed=2), 2)
    verdict = "meets" if big.seconds < TARGET_S else "misses"
    print(_line(f"{args.points:,}-point sweep, 2 w", big) + f"  -> {verdict} the {TARGET_S:.0f} s target")
    per_call = cli_seconds(training_spec(args.points, seed=2), args.cli_sample)
    print(f"one CLI call per point: {per_call:.2f} s/call measured on {args.cli_sample} calls -> "
          f"{per_call * args.points / 60:.1f} min for {args.points:,} points (extrapolated, one at a time), "
          f"{per_call * args.points / big.seconds:.1f}x the sweep")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
