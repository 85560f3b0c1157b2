from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigacluster.errors import GigaclusterError
from gigacluster.scheduling.cluster import ClusterSpec, Placement


def test_small_jobs_best_fit_into_one_domain() -> None:
    p = Placement(ClusterSpec(gpus=32, gpus_per_domain=8, domains_per_pod=2))
    a, cross = p.allocate(3) or ([], True)
    b, _ = p.allocate(4) or ([], True)
    assert not cross and len(a) == 1 and len(b) == 1
    assert a[0][0] == b[0][0], "best fit packs the second job into the partly used domain"
    assert p.allocate(2) is not None and p.free.count(8) == 2, "whole domains stay free"


def test_gang_is_all_or_nothing_and_domain_bound() -> None:
    p = Placement(ClusterSpec(gpus=16, gpus_per_domain=8))
    assert p.allocate(5) and p.allocate(5)
    assert p.total_free == 6
    before = list(p.free)
    assert p.allocate(4) is None, "6 GPUs free, but no domain has 4: fragmentation"
    assert p.free == before


def test_large_job_prefers_one_pod_then_spans_pods() -> None:
    p = Placement(ClusterSpec(gpus=64, gpus_per_domain=8, domains_per_pod=4))
    a, cross = p.allocate(24) or ([], True)
    assert not cross and len({d // 4 for d, _ in a}) == 1
    b, cross = p.allocate(24) or ([], False)
    assert not cross and {d // 4 for d, _ in b} != {d // 4 for d, _ in a}
    c, cross = p.allocate(16) or ([], False)
    assert cross, "8 + 8 free GPUs in two pods: the gang spans pods"
    assert p.total_free == 0


def test_spanning_gang_sorts_only_the_pods_it_reaches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many tiny pods (fuzz: ``schedule --domains-per-pod 3`` timed out): a gang spread over pods looks
    at the pods it fills, not at every domain of the cluster."""
    p = Placement(ClusterSpec(gpus=16_384, gpus_per_domain=8, domains_per_pod=3))
    seen: list[int] = []
    real = Placement._pod_domains
    monkeypatch.setattr(Placement, "_pod_domains", lambda self, pod: seen.append(pod) or real(self, pod))
    alloc, cross = p.allocate(100) or ([], False)
    assert cross and sum(n for _, n in alloc) == 100
    assert len(seen) == 5, "100 GPUs on 24-GPU pods: five pods reached"


def test_cluster_spec_rejects_partial_domains() -> None:
    with pytest.raises(GigaclusterError, match="gpus"):
        ClusterSpec(gpus=12, gpus_per_domain=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.booleans()), min_size=1, max_size=60))
def test_random_allocate_release_never_double_books(ops: list[tuple[int, bool]]) -> None:
    spec = ClusterSpec(gpus=64, gpus_per_domain=8, domains_per_pod=3)
    p = Placement(spec)
    held = []
    for n, release in ops:
        if release and held:
            p.release(held.pop(0))
        got = p.allocate(n)
        if got is not None:
            alloc, _ = got
            assert sum(k for _, k in alloc) == n
            if n <= 8:
                assert len(alloc) == 1
            held.append(alloc)
        assert all(0 <= f <= 8 for f in p.free)
        assert p.total_free == sum(p.free) == spec.gpus - sum(k for a in held for _, k in a)
        assert all(d in p.buckets[f] for d, f in enumerate(p.free))
