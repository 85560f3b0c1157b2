"""The cluster as the scheduler sees it: scale-up domains grouped into pods, and gang placement.

``ClusterSpec`` is a plain frozen spec the lead can later build from the hardware design.
``Placement`` keeps the free GPUs per domain and per pod and places gangs topology-aware:

* a job that fits in one scale-up domain (``gpus <= gpus_per_domain``) must get one domain;
  the fullest domain that still fits is chosen (best fit), which keeps whole domains free;
* a larger job gets whole or partial domains inside one pod when any pod has room (the fullest
  such pod, best fit), taking that pod's emptiest domains first;
* otherwise it is spread across pods and runs ``cross_pod_slowdown`` times slower.

All or nothing: ``allocate`` either returns the full allocation or ``None`` and changes nothing.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gigacluster.errors import GigaclusterError

Alloc = list[tuple[int, int]]  # (domain, gpus) pairs
MAX_SCHED_GPUS = 10_000_000
"""Largest cluster the scheduling simulator takes: its placement keeps a few Python objects per
domain and per GPU-count bucket (~100 B each), so 1e7 GPUs stay well under 1 GB."""
MAX_SIMULATED_GPUS = 131_072
"""Largest cluster ``schedule`` simulates job by job: a gang spread over pods costs O(domains) to place,
so 2,000 jobs on 1e6 GPUs take ~70 CPU s while 5,000 on 131,072 take ~5 s (plan simulates a slice)."""


class ClusterSpec(BaseModel):
    """A GPU cluster for scheduling: ``gpus`` in scale-up domains of ``gpus_per_domain``."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    gpus: int = Field(gt=0, le=MAX_SCHED_GPUS, description="total GPUs (≤ 1e7: ~1 GB of placement state)")
    gpus_per_domain: int = Field(default=8, gt=0, le=100_000, description="GPUs per scale-up (NVLink) domain")
    domains_per_pod: int = Field(default=128, gt=0, le=MAX_SCHED_GPUS, description="scale-up domains per pod")
    cross_pod_slowdown: float = Field(default=1.25, ge=1.0, le=1e3, description="run-time factor across pods")

    @model_validator(mode="after")
    def _whole_domains(self) -> ClusterSpec:
        if self.gpus % self.gpus_per_domain:
            raise GigaclusterError(
                "gpus", f"{self.gpus} is not a multiple of gpus_per_domain ({self.gpus_per_domain})")
        return self

    @property
    def domains(self) -> int:
        return self.gpus // self.gpus_per_domain

    @property
    def pods(self) -> int:
        return -(-self.domains // self.domains_per_pod)


def check_cluster(gpus: int, gpus_per_domain: int = 8) -> None:
    """Raise a one-line error for a cluster size the CLI should refuse."""
    if not 0 < gpus <= MAX_SIMULATED_GPUS:
        raise GigaclusterError("gpus", f"must be in [1, {MAX_SIMULATED_GPUS}] for the scheduling simulator, got {gpus}")
    if not 0 < gpus_per_domain <= 100_000:
        raise GigaclusterError("gpus_per_domain", f"must be in [1, 100000], got {gpus_per_domain}")


class Placement:
    """Free GPUs per domain and pod; best-fit, topology-aware gang allocation."""

    __slots__ = ("spec", "size", "free", "pod_free", "buckets", "total_free", "dpp", "nonempty")

    def __init__(self, spec: ClusterSpec) -> None:
        self.spec = spec
        self.size = spec.gpus_per_domain
        self.dpp = spec.domains_per_pod
        self.free = [self.size] * spec.domains
        self.pod_free = [0] * spec.pods
        for d in range(spec.domains):
            self.pod_free[d // self.dpp] += self.size
        # buckets[k] = domains with exactly k free GPUs
        self.buckets: list[set[int]] = [set() for _ in range(self.size + 1)]
        self.buckets[self.size] = set(range(spec.domains))
        self.nonempty = [self.size]  # sorted free-GPU counts k whose bucket is not empty
        self.total_free = spec.gpus

    def _move(self, d: int, f: int, g: int) -> None:
        """Domain ``d`` goes from ``f`` to ``g`` free GPUs (buckets and the sorted non-empty list)."""
        old, new = self.buckets[f], self.buckets[g]
        old.discard(d)
        if not old:
            del self.nonempty[bisect_left(self.nonempty, f)]
        if not new:
            insort(self.nonempty, g)
        new.add(d)

    def _take(self, d: int, n: int) -> None:
        f = self.free[d]
        if n > f or n <= 0:
            raise AssertionError(f"double booking: domain {d} has {f} free, asked {n}")
        self._move(d, f, f - n)
        self.free[d] = f - n
        self.pod_free[d // self.dpp] -= n
        self.total_free -= n

    def release(self, alloc: Alloc) -> None:
        for d, n in alloc:
            f = self.free[d]
            if f + n > self.size:
                raise AssertionError(f"over-release: domain {d} would have {f + n} free")
            self._move(d, f, f + n)
            self.free[d] = f + n
            self.pod_free[d // self.dpp] += n
            self.total_free += n

    def domain_with(self, n: int) -> int:
        """The fullest domain with at least ``n`` free GPUs, or -1 (bisect on the non-empty counts)."""
        i = bisect_left(self.nonempty, n)
        return next(iter(self.buckets[self.nonempty[i]])) if i < len(self.nonempty) else -1

    def allocate(self, n: int) -> tuple[Alloc, bool] | None:
        """Place a gang of ``n`` GPUs; returns (allocation, spans_pods) or None if it cannot."""
        if n > self.total_free:
            return None
        if n <= self.size:
            d = self.domain_with(n)
            if d < 0:
                return None
            self._take(d, n)
            return [(d, n)], False
        pod = self._best_pod(n)
        if pod >= 0:
            return self._fill(self._pod_domains(pod), n), False
        pods = sorted(range(len(self.pod_free)), key=lambda p: (-self.pod_free[p], p))
        # lazily: only the pods the gang reaches are sorted (O(pods + touched domains), not O(domains))
        alloc = self._fill((d for p in pods if self.pod_free[p] for d in self._pod_domains(p)), n)
        return alloc, len({d // self.dpp for d, _ in alloc}) > 1

    def _best_pod(self, n: int) -> int:
        best, best_free = -1, 1 << 62
        for p, f in enumerate(self.pod_free):
            if n <= f < best_free:
                best, best_free = p, f
        return best

    def _pod_domains(self, p: int) -> list[int]:
        lo = p * self.dpp
        hi = min(lo + self.dpp, len(self.free))
        return sorted(range(lo, hi), key=lambda d: (-self.free[d], d))

    def _fill(self, domains: Iterable[int], n: int) -> Alloc:
        alloc: Alloc = []
        left = n
        for d in domains:
            take = min(self.free[d], left)
            if take:
                self._take(d, take)
                alloc.append((d, take))
                left -= take
                if not left:
                    return alloc
        raise AssertionError(f"fill ran out of GPUs with {left} of {n} left")
