"""`gigacluster validate training [--cases FILE]`: predict published measurements, report errors."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from gigacluster import api
from gigacluster.cli.common import CALIBRATION_HELP, FORMAT_HELP, Format, console, emit, progress
from gigacluster.cli.validate_inference import register_inference
from gigacluster.validate.training import ValidationReport


def family_table(report: ValidationReport, title: str) -> Table:
    table = Table(title=title)
    for col in ("family", "rows", "median APE", "mean APE"):
        table.add_column(col, justify="left" if col == "family" else "right")
    for fam, (n, med, mean) in report.by_family().items():
        table.add_row(fam, str(n), f"{med:.1%}", f"{mean:.1%}")
    table.add_row("[bold]all[/bold]", f"{report.predicted}/{report.cases}",
                  f"[bold]{report.median_ape or 0:.1%}[/bold]", f"[bold]{report.mean_ape or 0:.1%}[/bold]")
    return table


def training(
    cases: Path = typer.Option(None, "--cases", help="a case file in the published schema"),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP + " (csv: one row per case)"),
    rows: bool = typer.Option(False, "--rows", help="also print every row"),
    calibration: str | None = typer.Option(None, "--calibration", help=CALIBRATION_HELP),
) -> None:
    """Predict every row of a training case file (blank layout fields are searched)."""
    with progress("predicting") as tick:
        report = api.validate("training", cases, progress=tick, calibration=calibration)
    assert isinstance(report, ValidationReport)
    emit(report, fmt, lambda: _print(report, rows))


def _print(report: ValidationReport, rows: bool) -> None:
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
