"""`gigacluster sweep SPEC.yaml --out DIR [--scheduler ADDR | --workers N] [--resume]`: a design-space sweep."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from gigacluster.calibrate import load_overlay
from gigacluster.cli.common import CALIBRATION_HELP, console, err_console
from gigacluster.errors import GigaclusterError


class RateColumn(ProgressColumn):
    """Points per second over the bar's recent window."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} points/s" if speed else "… points/s", style="cyan")


@contextmanager
def sweep_progress() -> Iterator[Callable[[int, int], None]]:
    """A bar with points done, points/s and ETA on stderr (silent when stderr is not a terminal)."""
    if not err_console.is_terminal:
        yield lambda done, total: None
        return
    with Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("sweep", total=None)
        first: list[int] = []

        def update(done: int, total: int) -> None:
            if not first:  # points a resumed run found done are not part of its rate
                first.append(done)
                bar.update(task, total=total - done, completed=0)
            else:
                bar.update(task, completed=done - first[0])
        yield update


def sweep(
    spec: Path = typer.Argument(..., help="sweep spec (YAML): base, stage, sample, n, seed, axes, frontiers"),
    out: Path = typer.Option(..., "--out", help="output directory (Parquet shards, frontier.csv, summary.html)"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="an existing Dask scheduler, tcp://HOST:8786"),
    workers: int | None = typer.Option(None, "--workers", min=0,
                                       help="LocalCluster worker processes (default: one per core; 0: in-process)"),
    resume: bool = typer.Option(False, "--resume", help="continue the sweep already in --out (same spec)"),
    calibration: str | None = typer.Option(None, "--calibration", help=CALIBRATION_HELP + "; every point"),
) -> None:
    """Run a design-space sweep on Dask: one row per point, resumable, with its Pareto frontiers."""
    from gigacluster.sweeps import run
    from gigacluster.sweeps.run import as_spec
    from gigacluster.sweeps.stages import with_calibration

    if scheduler is not None and workers is not None:
        raise GigaclusterError("workers", "give --scheduler (an existing cluster) or --workers (a local one), not both")
    spec_ = as_spec(spec)
    if calibration is not None:
        load_overlay(calibration)  # a bad overlay is one error now, not an error row per point
        spec_ = with_calibration(spec_, str(Path(calibration).resolve()))
    try:
        with sweep_progress() as update:
            outcome = run(spec_, out, workers=workers, scheduler=scheduler, resume=resume, progress=update)
    except KeyboardInterrupt:
        err_console.print(f"interrupted: finished chunks are kept in {out}; run again with --resume to finish",
                          highlight=False)
        raise typer.Exit(130) from None
    st, sm = outcome.stats, outcome.summary
    fronts = ", ".join(f"{f.pair.x}/{f.pair.y} {len(f.rows)}" for f in sm.fronts)
    resumed = f" ({st.chunks_resumed} of {st.chunks} chunks were already done)" if st.chunks_resumed else ""
    console.print(f"sweep: {sm.points:,} points ({sm.ok:,} ran, {sm.errors:,} invalid); this run {st.points_run:,} "
                  f"points in {st.seconds:,.1f} s = {st.points_per_s:,.1f} points/s on {st.workers} worker(s)"
                  f"{resumed}; frontier points: {fronts or 'none'}; {sm.html}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)
