"""`gigacluster validate training [--cases FILE]`: predict published measurements, report errors."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from gigacluster.calibrate import overlay_calibrations
from gigacluster.cli.common import Format, console, emit_json, err_console
from gigacluster.cli.validate_inference import register_inference
from gigacluster.training.calibration import Calibration
from gigacluster.validate.cases import load_cases
from gigacluster.validate.training import ValidationReport, validate_training

DATA = Path(__file__).resolve().parents[3] / "data" / "validation"


def default_cases(name: str) -> Path:
    """The shipped case file: data/validation/<name> of the repository checkout."""
    return DATA / name


def family_table(report: ValidationReport, title: str) -> Table:
    table = Table(title=title)
    for col in ("family", "rows", "median APE", "mean APE"):
        table.add_column(col, justify="left" if col == "family" else "right")
    for fam, (n, med, mean) in report.by_family().items():
        table.add_row(fam, str(n), f"{med:.1%}", f"{mean:.1%}")
    table.add_row("[bold]all[/bold]", f"{report.predicted}/{report.cases}",
                  f"[bold]{report.median_ape or 0:.1%}[/bold]", f"[bold]{report.mean_ape or 0:.1%}[/bold]")
    return table


def _run(path: Path, cal: Calibration | None) -> ValidationReport:
    if not err_console.is_terminal:
        return validate_training(path, cal)
    total = len(load_cases(path))
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("predicting", total=total)
        return validate_training(path, cal, progress=lambda case_id: bar.update(task, advance=1,
                                                                            description=case_id))


def training(
    cases: Path = typer.Option(None, "--cases", help="a case file in the published schema"),
    fmt: Format = typer.Option(Format.table, "--format"),
    rows: bool = typer.Option(False, "--rows", help="also print every row"),
    calibration: Path | None = typer.Option(None, "--calibration", help="calibration overlay (gigacluster calibrate)"),
) -> None:
    """Predict every row of a training case file (blank layout fields are searched)."""
    report = _run(cases or default_cases("training.csv"), overlay_calibrations(calibration)[0])
    if fmt is Format.json:
        emit_json(report)
        return
    if rows:
        table = Table(title="rows")
        for col in ("id", "metric", "measured", "predicted", "APE", "layout"):
            table.add_column(col)
        for r in report.rows:
            table.add_row(r.id, r.metric, f"{r.measured:.4g}", f"{r.predicted:.4g}", f"{r.ape:.1%}", r.layout)
        console.print(table)
    console.print(family_table(report, "training validation: APE by source family"))
    if report.ranking:
        rk = report.ranking
        console.print(f"layout ranking: {rk.groups} groups of the same model, GPUs and batch ({rk.rows} rows): "
                      f"mean Spearman ρ {rk.mean_spearman:.2f}, predicted fastest = measured fastest in "
                      f"{rk.top1_match:.0%} of groups")
    for s in report.skipped:
        console.print(f"skipped {s.id}: {s.reason}", highlight=False)


def register(app: typer.Typer) -> typer.Typer:
    sub = typer.Typer(help="Predict published measurements and report the error.", no_args_is_help=True)
    sub.command("training")(training)
    register_inference(sub)
    app.add_typer(sub, name="validate")
    return sub
