"""`gigacluster schedule`: a multi-tenant job queue on a trace or a synthetic workload."""

from __future__ import annotations

import typer
from rich.table import Table

from gigacluster import api
from gigacluster.cli.common import FORMAT_HELP, Format, console, emit, spinner
from gigacluster.scheduling import QueueReport


def _offered_rows(r: QueueReport) -> list[tuple[str, str]]:
    o = r.offered
    if o is None:
        return []
    rows = [("offered load (target / reached)", f"{o.target_load:.2f} / {o.offered_load:.2f}"),
            ("job sizes x (trace GPUs per job GPU)", f"{o.size_scale}")]
    return rows + ([("shortfall", o.shortfall)] if o.shortfall else [])


def _table(r: QueueReport) -> None:
    t = Table(title=f"{r.policy} on {r.trace}: {r.jobs:,} jobs, {r.gpus:,} GPUs, {r.researchers} researchers")
    t.add_column("metric")
    t.add_column("value", justify="right")
    rows = [
        ("utilization (arrival window / makespan)", f"{r.utilization:.1%} / {r.utilization_makespan:.1%}"),
        ("queue wait h (mean / p50 / p99)", f"{r.queue_wait_h.mean:.2f} / {r.queue_wait_h.p50:.2f} / "
                                            f"{r.queue_wait_h.p99:.2f}"),
        ("JCT h (mean / p50 / p99)", f"{r.jct_h.mean:.2f} / {r.jct_h.p50:.2f} / {r.jct_h.p99:.2f}"),
        ("slowdown (mean / p99)", f"{r.slowdown.mean:.2f} / {r.slowdown.p99:.2f}"),
        ("Jain fairness of delays (researchers)", f"{r.jain_fairness:.3f}"),
        ("GPU-h per researcher per day: median", f"{r.researcher_compute.median:,.1f}"),
        ("  p10 / p90 / mean across researchers", f"{r.researcher_compute.p10:,.1f} / "
         f"{r.researcher_compute.p90:,.1f} / {r.researcher_compute.mean:,.1f}"),
        ("  Gini / Jain of compute shares", f"{r.researcher_compute.gini:.2f} / {r.researcher_compute.jain:.2f}"),
        ("largest job's share of GPU-time", f"{r.largest_job_gpu_time_share:.1%}"),
        ("idle GPU-h while jobs waited", f"{r.lost_gpu_h.idle_while_waiting:,.0f}"),
        ("  of which fragmentation", f"{r.fragmentation_gpu_h:,.0f}"),
        ("preemption overhead GPU-h", f"{r.lost_gpu_h.preemption_overhead:,.0f} ({r.preemptions} preemptions)"),
        ("failure rework + restart GPU-h", f"{r.lost_gpu_h.failure_rework + r.lost_gpu_h.failure_restart:,.0f}"
                                           f" ({r.failures} failures)"),
        ("cross-pod slowdown GPU-h", f"{r.lost_gpu_h.cross_pod_slowdown:,.0f}"),
        ("simulated span h (arrival window / makespan)", f"{r.arrival_window_h:,.1f} / {r.makespan_h:,.1f}"),
        *_offered_rows(r),
        ("events, events/s, wall s", f"{r.events:,}, {r.events_per_s:,.0f}, {r.wall_s:.2f}"),
    ]
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)
    s = Table(title="by job size")
    for col in ("GPUs", "jobs", "GPU-time share", "mean wait h", "mean slowdown"):
        s.add_column(col, justify="right")
    for row in r.by_size:
        s.add_row(row.gpus, f"{row.jobs:,}", f"{row.gpu_time_share:.1%}", f"{row.queue_wait_h_mean:.2f}",
                  f"{row.slowdown_mean:.2f}")
    console.print(s)


def schedule(
    trace: str = typer.Option("synthetic", "--trace", help="philly | alibaba | synthetic | path to a CSV"),
    gpus: int = typer.Option(16_384, "--gpus", help="GPUs in the cluster"),
    policy: str = typer.Option("fifo", "--policy", help="fifo | backfill | fair | priority | las"),
    researchers: int = typer.Option(500, "--researchers", help="researchers sharing the cluster"),
    jobs: int | None = typer.Option(None, "--jobs", help="jobs (synthetic: 100,000; traces: first N)"),
    seed: int = typer.Option(0, "--seed", help="random seed (workload, failures)"),
    load: float = typer.Option(0.9, "--load", help="synthetic offered load"),
    gpus_per_domain: int = typer.Option(8, "--gpus-per-domain", help="scale-up domain size"),
    domains_per_pod: int = typer.Option(128, "--domains-per-pod", help="scale-up domains per pod"),
    cross_pod_slowdown: float = typer.Option(1.25, "--cross-pod-slowdown", help="run-time factor across pods"),
    failures: bool = typer.Option(False, "--failures", help="hardware failures (6.5 per 1000 node-days)"),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP + " (csv: rows by job size)"),
) -> None:
    """Simulate a shared research cluster's job queue under one policy."""
    req = api.ScheduleRequest(trace=trace, gpus=gpus, policy=policy, researchers=researchers, jobs=jobs, seed=seed,
                              load=load, gpus_per_domain=gpus_per_domain, domains_per_pod=domains_per_pod,
                              cross_pod_slowdown=cross_pod_slowdown, failures=failures)
    with spinner(f"simulating {policy} on {trace}"):
        r = api.schedule(req)
    emit(r, fmt, lambda: _table(r))


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule)
