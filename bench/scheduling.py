"""Scheduling speed: a 100,000-job synthetic trace on a 16,384-GPU cluster under every policy, and
the whole Philly-derived trace (82,247 jobs) on 512 GPUs. Prints events/s and wall time (one core).

    .venv/bin/python bench/scheduling.py [--jobs 100000] [--gpus 16384] [--policies fifo,las]
"""

from __future__ import annotations

import argparse
import time

from gigacluster.scheduling import POLICIES, ClusterSpec, SyntheticSpec, generate, load_trace, simulate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=100_000)
    ap.add_argument("--gpus", type=int, default=16_384)
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--no-philly", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    w = generate(SyntheticSpec(jobs=args.jobs, cluster_gpus=args.gpus, researchers=500))
    print(f"synthetic workload: {len(w):,} jobs, {w.gpu_h:,.0f} GPU-h, generated in {time.perf_counter() - t0:.2f} s")
    runs = [("synthetic", w, ClusterSpec(gpus=args.gpus), p) for p in args.policies.split(",")]
    if not args.no_philly:
        philly = load_trace("philly")
        runs += [("philly", philly, ClusterSpec(gpus=512), p) for p in ("fifo", "las")]
    print(f"{'trace':10} {'policy':9} {'GPUs':>7} {'jobs':>8} {'events':>9} {'wall s':>7} {'events/s':>9} "
          f"{'util':>6} {'wait h':>7} {'JCT h':>7}")
    for name, wl, cluster, policy in runs:
        t = time.perf_counter()
        r = simulate(cluster, wl, policy)
        total = time.perf_counter() - t
        print(f"{name:10} {policy:9} {cluster.gpus:>7,} {r.jobs:>8,} {r.events:>9,} {total:>7.2f} "
              f"{r.events / total:>9,.0f} {r.utilization:>6.1%} {r.queue_wait_h.mean:>7.2f} {r.jct_h.mean:>7.2f}")


if __name__ == "__main__":
    main()
