"""Wall time of the reliability Monte Carlo: 10^6 GPUs x 90 days x 1,000 replications (one core).

Run: .venv/bin/python bench/reliability.py   (target < 10 s)
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from gigacluster.reliability import ReliabilitySpec, goodput  # noqa: E402

CASES = {
    "job restart, sync ckpt": ReliabilitySpec(gpus=1_000_000, days=90, profile="rsc1", replications=1000),
    "replica restart (FT-HSDP)": ReliabilitySpec(gpus=1_000_000, days=90, profile="rsc1",
                                                 blast_radius="replica", replications=1000),
}


def main() -> None:
    for name, spec in CASES.items():
        goodput(spec.model_copy(update={"replications": 10}))  # warm imports and caches
        t0 = time.perf_counter()
        r = goodput(spec)
        wall = time.perf_counter() - t0
        print(f"{name:28s} 1e6 GPUs x 90 d x {spec.replications} reps: {wall:6.2f} s  "
              f"(failures/rep {r.interruptions_expected:,.0f}, ETTR {r.ettr_mean:.3f})")


if __name__ == "__main__":
    main()
