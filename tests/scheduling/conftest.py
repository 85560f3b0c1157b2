from __future__ import annotations

import numpy as np
import pytest

from gigacluster.scheduling import Workload, load_trace
from gigacluster.scheduling.workload import build


@pytest.fixture(scope="session")
def philly() -> Workload:
    return load_trace("philly")


@pytest.fixture(scope="session")
def philly_october(philly: Workload) -> Workload:
    """3,000 consecutive Philly jobs from about 2017-10-01 (the dense, loaded part of the trace)."""
    start = int(np.searchsorted(philly.arrival_h, philly.arrival_h[0] + 27 * 24))
    return philly.take(np.arange(start, start + 3000))


def make_workload(arrival_h: list[float] | np.ndarray, duration_h: list[float] | np.ndarray,
                  gpus: list[int] | np.ndarray, researcher: list[int] | None = None,
                  priority: list[int] | None = None, researchers: int = 1) -> Workload:
    n = len(arrival_h)
    r = np.array(researcher if researcher is not None else [0] * n, dtype=np.int64)
    nr = max(researchers, int(r.max()) + 1 if n else 1)
    z = np.zeros(n, dtype=np.int64)
    p = np.array(priority if priority is not None else [0] * n, dtype=np.int64)
    return build("test", np.asarray(arrival_h, dtype=np.float64), np.asarray(duration_h, dtype=np.float64),
                 np.asarray(gpus, dtype=np.int64), r, z, p, tuple(f"r{i}" for i in range(nr)), ("t0",),
                 np.zeros(nr, dtype=np.int64))
