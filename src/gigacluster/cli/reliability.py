"""`gigacluster reliability`: failures, recovery and checkpoints of one job turned into goodput."""

from __future__ import annotations

import typer
from rich.table import Table

from gigacluster import api
from gigacluster.catalog import get_model
from gigacluster.cli.common import FORMAT_HELP, Format, console, emit, parse_count, spinner
from gigacluster.errors import GigaclusterError
from gigacluster.reliability import GoodputResult, ReliabilitySpec, checkpoint_bytes


def _interval(text: str) -> float | None:
    if text.strip().lower() == "auto":
        return None
    try:
        value = float(text)
    except ValueError:
        raise GigaclusterError("checkpoint_interval_min",
                               f"expected 'auto' or minutes, got '{text}'") from None
    if value <= 0:
        raise GigaclusterError("checkpoint_interval_min", f"must be > 0, got {text}")
    return value


def _summary(r: GoodputResult) -> Table:
    t = Table(title=f"Goodput: {r.gpus:,} GPUs, {r.days:g} days, profile {r.profile}, "
                    f"{r.blast_radius} restarts ({r.replications} replications)")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    validity = "valid" if r.closed_form_valid else "out of range"
    rows = [
        ("unexpected interruptions (expected)", f"{r.interruptions_expected:,.1f}"),
        ("planned interruptions (expected)", f"{r.planned_interruptions_expected:,.1f}"),
        ("job MTTF, all unexpected / hardware only", f"{r.mttf_hours:.3f} h / {r.hardware_mttf_hours:.3f} h"),
        ("ETTR mean (Monte Carlo)", f"{r.ettr_mean:.4f}"),
        ("ETTR p5 / p50 / p95", f"{r.ettr_p5:.4f} / {r.ettr_p50:.4f} / {r.ettr_p95:.4f}"),
        ("ETTR closed form (Meta)",
         f"{r.ettr_closed_form:.4f} ({validity}, loss term {r.closed_form_loss:.3f})"),
        ("checkpoint interval used / Daly / Young", f"{r.checkpoint_interval_min:.2f} / "
         f"{r.optimal_checkpoint_interval_min:.2f} / {r.young_checkpoint_interval_min:.2f} min"),
        ("checkpoint write / blocking", f"{r.checkpoint_write_s:.1f} s / {r.checkpoint_block_s:.1f} s"),
        ("recovery per whole-job restart", f"{r.recovery_s:.0f} s"),
    ]
    for name, value in rows:
        t.add_row(name, value)
    return t


def _breakdowns(r: GoodputResult) -> tuple[Table, Table]:
    causes = Table(title="Interruptions by cause (expected)")
    causes.add_column("cause")
    causes.add_column("count", justify="right")
    for cause, n in sorted(r.interruptions_by_cause.items(), key=lambda kv: -kv[1]):
        causes.add_row(cause, f"{n:,.1f}")
    lost = Table(title="GPU-hours lost by reason")
    for col in ("reason", "GPU-hours", "share of wall time"):
        lost.add_column(col, justify="right" if col != "reason" else "left")
    for reason, hours in r.lost_gpu_hours.model_dump().items():
        if hours > 0:
            lost.add_row(reason, f"{hours:,.0f}", f"{getattr(r.lost_fraction, reason):.2%}")
    lost.add_row("total", f"{r.lost_gpu_hours.total:,.0f}", f"{r.lost_fraction.total:.2%}")
    return causes, lost


def reliability(
    gpus: str = typer.Option(..., "--gpus", help="GPUs in the job (4096, 16k, 1M)."),
    days: float = typer.Option(..., "--days", help="Wall-clock window in days."),
    accelerator: str = typer.Option("h100-sxm", "--accelerator", help="Accelerator id (node size, power)."),
    profile: str = typer.Option("rsc1", "--profile", help="Failure profile: rsc1, rsc2, llama3."),
    interval: str = typer.Option("auto", "--checkpoint-interval-min", help="Minutes, or auto (Daly)."),
    blast_radius: str = typer.Option("job", "--blast-radius", help="job or replica (FT-HSDP)."),
    replications: int = typer.Option(1000, "--replications", help="Monte Carlo runs."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    mode: str = typer.Option("sync", "--checkpoint-mode", help="sync or async."),
    write_s: float | None = typer.Option(None, "--checkpoint-write-s",
                                         help="Checkpoint write time, s (default: size / storage bandwidth)."),
    model: str | None = typer.Option(None, "--model", help="Catalog model: sizes the checkpoint."),
    bytes_per_param: float = typer.Option(14.0, "--bytes-per-param",
                                          help="Checkpoint bytes per parameter (weights + optimizer)."),
    storage_gbps: float = typer.Option(1000.0, "--storage-gb-per-s", help="Aggregate GB/s, read and write."),
    detection_s: float = typer.Option(120.0, "--detection-s", help="Time to detect a failure, s."),
    restart_s: float = typer.Option(300.0, "--restart-s", help="Time to restart the job, s."),
    restore_s: float | None = typer.Option(None, "--restore-s",
                                           help="Checkpoint restore time, s (default: size / storage bandwidth)."),
    replica_stall_s: float = typer.Option(180.0, "--replica-stall-s",
                                          help="Stall of the other replicas when one recovers, s."),
    spare_nodes: int | None = typer.Option(None, "--spare-nodes", help="Hot spares; unlimited if unset."),
    lemon_fraction: float = typer.Option(0.0, "--lemon-fraction", help="Share of nodes that fail repeatedly (lemons)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """ETTR, interruptions by cause, MTTF, optimal checkpoint interval and lost GPU-hours of one job."""
    if blast_radius not in ("job", "replica"):
        raise GigaclusterError("blast_radius", f"expected job or replica, got '{blast_radius}'")
    if mode not in ("sync", "async"):
        raise GigaclusterError("checkpoint_mode", f"expected sync or async, got '{mode}'")
    size = checkpoint_bytes(get_model(model), bytes_per_param) if model else None
    spec = ReliabilitySpec(
        gpus=int(parse_count("gpus", gpus)), days=days, profile=profile, accelerator=accelerator,
        checkpoint_interval_min=_interval(interval), blast_radius=blast_radius,  # type: ignore[arg-type]
        replications=replications, seed=seed, checkpoint_mode=mode,  # type: ignore[arg-type]
        checkpoint_write_s=write_s, checkpoint_bytes=size, storage_write_gb_per_s=storage_gbps,
        storage_read_gb_per_s=storage_gbps, detection_s=detection_s, restart_s=restart_s,
        restore_s=restore_s, replica_stall_s=replica_stall_s, spare_nodes=spare_nodes,
        lemon_fraction=lemon_fraction)
    with spinner("drawing failures"):
        result = api.reliability(spec)
    emit(result, fmt, lambda: console.print(_summary(result), *_breakdowns(result)))


def register(app: typer.Typer) -> None:
    app.command("reliability")(reliability)
