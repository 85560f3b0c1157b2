"""Multi-tenant job scheduling: traces, synthetic workloads, policies, placement, simulation, metrics.

Public entry points:

* ``simulate(cluster, workload, policy, options) -> QueueReport``: one policy on one workload;
* ``researcher_compute(gpus, researchers, policy, ...) -> QueueReport``: the figure ``plan`` needs,
  compute per researcher under a policy, on a synthetic workload scaled to the cluster.
"""

from __future__ import annotations

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
                       load: float = 0.9, seed: int = 0, options: SimOptions | None = None) -> QueueReport:
    """Compute per researcher (``.gpu_hours_per_researcher_per_day``, spread in
    ``.researcher_gpu_h_per_day``) for ``researchers`` sharing ``cluster`` under ``policy``, on a
    Philly-fitted synthetic workload scaled to the cluster at the given offered ``load``."""
    spec = SyntheticSpec(jobs=jobs, researchers=researchers, cluster_gpus=cluster.gpus, load=load, seed=seed)
    return simulate(cluster, generate(spec), policy, options)
