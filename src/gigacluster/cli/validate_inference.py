"""`gigacluster validate inference`: predict every published serving case, print the errors."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from gigacluster import api
from gigacluster.cli.common import CALIBRATION_HELP, FORMAT_HELP, Format, console, emit, progress
from gigacluster.validate.inference import InferenceValidation


def _table(report: InferenceValidation) -> None:
    rows = Table(title="Inference validation (ape = |predicted - measured| / measured)")
    for col in ("id", "metric", "measured", "predicted", "ape", "layout"):
        rows.add_column(col, overflow="fold")
    for r in report.rows:
        rows.add_row(r.id, r.metric, f"{r.measured:,.1f}", f"{r.predicted:,.1f}", f"{r.ape:.3f}", r.layout)
    console.print(rows)
    fams = Table(title="Error by family")
    for col in ("family", "rows", "median APE", "mean APE"):
        fams.add_column(col)
    for f in report.families:
        fams.add_row(f.family, str(f.rows), f"{f.median_ape:.3f}", f"{f.mean_ape:.3f}")
    console.print(fams)
    for s in report.skipped:
        console.print(f"skipped {s.id}: {s.reason}")
    console.print(f"cases {report.cases}, predicted {report.predicted}, "
                  f"median APE {report.median_ape or 0:.3f}, mean APE {report.mean_ape or 0:.3f}")


def inference(
    cases: Path | None = typer.Option(None, "--cases", help="case file (default: shipped inference.csv)"),
    calibration: str | None = typer.Option(None, "--calibration", help=CALIBRATION_HELP),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP + " (csv: one row per case)"),
) -> None:
    """Predict the published serving measurements and report the error."""
    with progress("predicting") as tick:
        report = api.validate("inference", cases, progress=tick, calibration=calibration)
    assert isinstance(report, InferenceValidation)
    emit(report, fmt, lambda: _table(report))


def register_inference(validate_app: typer.Typer) -> None:
    """Called by cli/validate.py: adds `validate inference`."""
    validate_app.command("inference")(inference)
