"""Wall time and throughput of the training layout search, beside llm-analysis's per-configuration time (one core).

Run: .venv/bin/python bench/search.py   (targets: >= 5e5 candidates/s, full search < 1 s)
With llm-analysis: python -m venv .bench-venv && .bench-venv/bin/pip install llm-analysis -e .
                   then .bench-venv/bin/python bench/search.py
"""

from __future__ import annotations

import logging
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # llm-analysis imports transformers, which is chatty

from gigacluster.catalog import get_accelerator, get_model  # noqa: E402
from gigacluster.errors import GigaclusterError  # noqa: E402
from gigacluster.training.calibration import load_calibration  # noqa: E402
from gigacluster.training.job import SystemSpec, TrainingJob  # noqa: E402
from gigacluster.training.search import search  # noqa: E402
from gigacluster.training.step import evaluate  # noqa: E402

RUNS = 5
LLM_ANALYSIS_REPS = 20
TARGET_RATE = 5e5
TARGET_WALL_S = 1.0
# (model, accelerator, GPUs, seq len, global batch choices, precision choices): first combination that fits wins
CASES = [
    ("llama3-405b", "h100-sxm", 16_384, 8192, (2048,), ("bf16",)),
    ("deepseek-v3", "h800", 2048, 4096, (8192, 4096), ("bf16", "fp8")),
]
LLAMA_LIKE = dict(model_name="upstage_Llama-2-70b-instruct-v2", gpu_name="h100-sxm-80gb", dtype_name="w16a16e16",
                  global_batch_size=2048, batch_size_per_gpu=1, seq_len=4096, tp_size=8, pp_size=8, dp_size=64,
                  total_num_gpus=4096, activation_recomputation=2, ds_zero=1, flash_attn=True,
                  mlp_gated_linear_units=True, num_gpus_per_node=8)


def pin_one_core() -> str:
    try:
        os.sched_setaffinity(0, {0})
        return "pinned to core 0"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity)"


def median_wall(fn, runs: int = RUNS) -> float:
    fn()  # warm-up: imports, caches, calibration
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def median_cpu(fn) -> float:
    """Median process CPU seconds of ``fn``: on a shared, oversubscribed machine wall time measures
    the neighbours; CPU time measures the search."""
    times = []
    for _ in range(RUNS):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def make_job(model: str, acc_name: str, gpus: int, seq: int, batch: int, precision: str) -> TrainingJob:
    acc = get_accelerator(acc_name)
    return TrainingJob(model=get_model(model), accelerator=acc, system=SystemSpec.of(acc), gpus=gpus,
                       seq_len=seq, global_batch_seqs=batch, precision=precision)


def first_fitting(model, acc_name, gpus, seq, batches, precisions):
    for batch in batches:
        for precision in precisions:
            job = make_job(model, acc_name, gpus, seq, batch, precision)
            try:
                out = search(job)
            except GigaclusterError as e:
                print(f"  {model} batch {batch} {precision}: no layout ({e})")
                continue
            if out.order.size:
                return job, out
    raise SystemExit(f"{model}: no layout fits any batch/precision tried")


def bench_case(case, cal) -> float:
    model, acc_name, gpus, seq, _, _ = case
    job, out = first_fitting(*case)
    wall = median_wall(lambda: search(job))
    ev = median_wall(lambda: evaluate(job, out.candidates, cal))
    cpu = median_cpu(lambda: search(job))
    n = out.enumerated
    print(f"{model} on {gpus:,} {acc_name}, seq {seq}, global batch {job.global_batch_seqs} seqs, {job.precision}")
    print(f"  candidates enumerated   {n:>12,}")
    print(f"  fit memory              {out.order.size:>12,}")
    print(f"  full search (median {RUNS}) {wall:>10.3f} s    target < {TARGET_WALL_S:.0f} s   "
          f"{'OK' if wall < TARGET_WALL_S else 'MISS'}")
    print(f"  search throughput       {n / wall:>12,.0f} candidates/s   target >= {TARGET_RATE:,.0f}   "
          f"{'OK' if n / wall >= TARGET_RATE else 'MISS'}")
    print(f"  search CPU time         {cpu:>12.3f} s = {n / cpu:,.0f} candidates/s per CPU-second "
          f"(load average {os.getloadavg()[0]:.1f})")
    print(f"  evaluate() only         {ev:>12.3f} s = {n / ev:,.0f} candidates/s "
          f"({ev / wall:.0%} of the search; the rest is enumeration, filtering, ranking)")
    return wall / n


def bench_llm_analysis() -> float | None:
    try:
        from llm_analysis.analysis import train
    except ImportError:
        print("llm-analysis not installed: skipped. To compare, run:\n"
              "  python -m venv .bench-venv && .bench-venv/bin/pip install llm-analysis -e .\n"
              "  .bench-venv/bin/python bench/search.py")
        return None
    logging.disable(logging.WARNING)  # its INFO/WARNING noise; train() also gets log_level="ERROR"
    cfg = dict(LLAMA_LIKE, log_level="ERROR")
    train(**cfg)  # warm-up: loads its JSON configs
    t0 = time.perf_counter()
    for _ in range(LLM_ANALYSIS_REPS):
        train(**cfg)
    per = (time.perf_counter() - t0) / LLM_ANALYSIS_REPS
    print(f"llm-analysis train(), {cfg['model_name']} on {cfg['total_num_gpus']:,} {cfg['gpu_name']}, "
          f"tp{cfg['tp_size']} pp{cfg['pp_size']} dp{cfg['dp_size']} ({LLM_ANALYSIS_REPS} reps)")
    print(f"  per configuration       {per * 1e3:>12.3f} ms = {1 / per:,.0f} configs/s")
    return per


def main() -> None:
    print(f"search bench: {pin_one_core()}, OMP/OPENBLAS threads 1")
    cal = load_calibration()
    per_candidate = {case[0]: bench_case(case, cal) for case in CASES}
    per_config = bench_llm_analysis()
    if per_config is None:
        return
    for model, per in per_candidate.items():
        print(f"  vs gigacluster {model:12s} {per * 1e6:8.2f} us/candidate: {per_config / per:,.0f}x faster per "
              f"configuration")


if __name__ == "__main__":
    main()
