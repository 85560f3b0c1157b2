"""Multi-tenant job scheduling: traces, synthetic workloads, policies, placement, simulation, metrics.

Public entry points:

* ``simulate(cluster, workload, policy, options) -> QueueReport``: one policy on one workload;
* ``researcher_compute(gpus, researchers, policy, ...) -> QueueReport``: the figure ``plan`` needs,
  compute per researcher under a policy, on a synthetic workload scaled to the cluster.
"""

from __future__ import annotations

from gigacluster.errors import GigaclusterError
from gigacluster.scheduling.cluster import ClusterSpec
from gigacluster.scheduling.metrics import QueueReport, report
from gigacluster.scheduling.policies import POLICIES, Policy, make_policy
from gigacluster.scheduling.simulate import SimOptions, run
from gigacluster.scheduling.synthetic import PHILLY_FIT, SyntheticSpec, WorkloadFit, fit_trace, generate
from gigacluster.scheduling.traces import load_trace
from gigacluster.scheduling.workload import Workload

__all__ = [
    "POLICIES", "PHILLY_FIT", "ClusterSpec", "Policy", "QueueReport", "SimOptions", "SyntheticSpec",
    "Workload", "WorkloadFit", "fit_trace", "generate", "load_trace", "make_policy", "report",
    "researcher_compute", "run", "simulate",
]


def simulate(cluster: ClusterSpec, workload: Workload, policy: str | Policy = "fifo",
             options: SimOptions | None = None) -> QueueReport:
    """Run ``workload`` on ``cluster`` under ``policy``; invariants are checked on every run."""
    return report(run(cluster, workload, policy, options))


def researcher_compute(cluster: ClusterSpec, researchers: int, policy: str = "fair", jobs: int = 20_000,
                       load: float = 0.9, seed: int = 0, options: SimOptions | None = None,
                       reserved_gpus: int = 0, max_researchers: int = 200) -> QueueReport:
    """Compute per researcher (``.researcher_compute``: median, p10/p90, Gini) for ``researchers``
    sharing ``cluster`` under ``policy``, on a Philly-fitted steady-state synthetic workload at the
    offered ``load``. ``reserved_gpus`` (frontier runs, reserved for their own jobs) are taken out
    first, in whole scale-up domains; the researchers share the rest. Above ``max_researchers`` one
    1/n slice is simulated (researchers/n on GPUs/n, ``cluster_slice`` = n), so that each simulated
    researcher submits ~100 jobs a month at the default job count, and the run stays a few seconds."""
    domain = cluster.gpus_per_domain
    reserved = -(-max(reserved_gpus, 0) // domain) * domain
    if reserved >= cluster.gpus:
        raise GigaclusterError("reserved_gpus", f"{reserved_gpus:,} leaves no GPUs of the {cluster.gpus:,} "
                                                "for researchers")
    n = max(1, min(-(-researchers // max_researchers), (cluster.gpus - reserved) // domain))
    shared = cluster.model_copy(update={"gpus": (cluster.gpus - reserved) // domain // n * domain})
    spec = SyntheticSpec(jobs=jobs, researchers=max(1, round(researchers / n)), cluster_gpus=shared.gpus,
                         load=load, seed=seed)
    return simulate(shared, generate(spec), policy, options).model_copy(update={"cluster_slice": n})
