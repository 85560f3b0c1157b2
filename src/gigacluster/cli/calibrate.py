"""`gigacluster calibrate`: measure this device, fit the efficiency curves, write an overlay;
`--compare FILE` prints predicted vs measured per microbenchmark."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from gigacluster import api
from gigacluster.calibrate import CalibrationOverlay, load_overlay, save_overlay
from gigacluster.calibrate.backends import BACKENDS
from gigacluster.calibrate.compare import CompareRow, median_ape
from gigacluster.catalog.files import check_writable
from gigacluster.cli.common import Format, console, emit_csv, emit_json, err_console

WIDE = 112  # the tables need this many columns; wider than a default 80-column pipe


def _wide() -> Console:
    return Console(width=max(console.width, WIDE))


def _t(s: float | None) -> str:
    if s is None:
        return "–"
    return f"{s * 1e6:,.1f} µs" if s < 1e-3 else f"{s * 1e3:,.3f} ms"


def _err(pred: float | None, meas: float) -> str:
    return "" if pred is None else f"{pred / meas - 1.0:+.0%}"


def _print_values(o: CalibrationOverlay) -> None:
    table = Table(title="fitted constants (overlay keys)")
    for col in ("file", "key", "shipped", "measured", "fit median / max APE", "held-out median APE"):
        table.add_column(col)
    for file, values in (("training", o.training), ("inference", o.inference)):
        for key, v in values.items():
            q = v.fit
            out = f", {q.outliers} left out" if q and q.outliers else ""
            fit = f"{q.median_ape:.1%} / {q.max_ape:.1%} (n={q.points}{out})" if q else ""
            held = ""
            if q is not None and q.holdout_median_ape is not None:
                held = f"{q.holdout_median_ape:.1%} (n={q.holdout_points})"
            shipped = "" if v.shipped is None else f"{v.shipped:.4g}"
            table.add_row(file, key, shipped, f"{v.value:.4g}", fit, held)
    _wide().print(table)


def _print_compare(rows: list[CompareRow]) -> None:
    table = Table(title="predicted vs measured (error = predicted/measured − 1; * = held out of the fit)")
    for col in ("benchmark", "measured", "spread", "train shipped", "train overlay", "serve shipped",
                "serve overlay"):
        table.add_column(col, justify="left" if col == "benchmark" else "right")
    for r in rows:
        preds = (r.training_shipped_s, r.training_overlay_s, r.serving_shipped_s, r.serving_overlay_s)
        table.add_row(r.id + ("*" if r.held_out else ""), _t(r.measured_s), f"{r.spread:.0%}",
                      *(_err(p, r.measured_s) or "–" for p in preds))
    _wide().print(table)
    for col in ("training_overlay_s", "serving_overlay_s"):
        held = median_ape(rows, col, held_out=True)
        if held is not None:
            console.print(f"{col.replace('_s', '').replace('_', ' ')}: median |error| on held-out GEMM shapes "
                          f"{held:.1%}")


def _device_line(o: CalibrationOverlay) -> None:
    if o.provenance is None:
        return
    d = o.provenance.device
    versions = ", ".join(f"{k} {v}" for k, v in d.versions.items() if k != "platform")
    _wide().print(f"[bold]{d.name}[/bold] ({d.backend}, {d.device}, family {d.family}, generation {d.generation}) "
                  f"{d.date}  grid {o.provenance.grid}\nreference peak: {d.peak_source}; {versions}")
    for line in o.provenance.not_fitted:
        _wide().print(f"[yellow]not fitted[/yellow] {line}", highlight=False)


def calibrate(
    backend: str = typer.Option("numpy", help="|".join(BACKENDS)),
    device: str = typer.Option("cpu", help="cpu, or cuda:0 with --backend torch"),
    quick: bool = typer.Option(False, "--quick", help="small grid (CPU: well under a minute; GPU: minutes)"),
    model: str | None = typer.Option(None, help="model whose layer GEMMs join the grid (held out of the fit)"),
    tokens: int | None = typer.Option(None, help="tokens per micro-batch for the layer GEMMs"),
    tp: int | None = typer.Option(None, help="tensor-parallel split of the layer GEMMs"),
    accelerator: str | None = typer.Option(None, help="catalog id of the device (GPU: detected from its name)"),
    family: str | None = typer.Option(None, help="family/generation keys to write (default: the device's)"),
    peak_tflops: float | None = typer.Option(None, "--peak-tflops", help="CPU: reference fp32 peak"),
    mem_tbps: float | None = typer.Option(None, "--mem-tbps", help="CPU: reference memory TB/s (else no hbm keys)"),
    out: Path = typer.Option(Path("calib.yaml"), "--out", help="overlay file to write"),
    compare_file: Path | None = typer.Option(None, "--compare", help="print predicted vs measured for FILE"),
    fmt: Format = typer.Option(Format.table, "--format", help="table | json (the overlay, or with --compare the "
                               "rows) | csv (the predicted-vs-measured rows)"),
) -> None:
    """Measure this device and write a calibration overlay (or --compare an existing one)."""
    if compare_file is not None:
        overlay = load_overlay(compare_file)
        _report(overlay, api.compare_calibration(overlay), fmt, fresh=False)
        return
    check_writable(out, "out")  # before minutes of measuring
    req = api.CalibrateRequest(backend=backend, device=device, grid="quick" if quick else "full", model=model,
                               tokens=tokens, tp=tp, accelerator=accelerator, family=family,
                               peak_tflops=peak_tflops, mem_tbps=mem_tbps)
    # progress on a terminal only, like the other commands' (piped stderr keeps just an error's one line)
    say = (lambda s: err_console.print(f"  {s}")) if fmt is Format.table and err_console.is_terminal else (
        lambda s: None)
    overlay = api.calibrate(req, progress=say, command=" ".join(["gigacluster", *sys.argv[1:]]))
    path = save_overlay(overlay, out)
    _report(overlay, api.compare_calibration(overlay), fmt, fresh=True)
    if fmt is Format.table:
        console.print(f"wrote {path}  (use: gigacluster train --calibration {path})")


def _report(overlay: CalibrationOverlay, rows: list[CompareRow], fmt: Format, fresh: bool) -> None:
    """JSON: the overlay just written (or, for --compare, the rows); CSV: the rows; table: both tables."""
    if fmt is Format.json:
        emit_json(overlay if fresh else [r.model_dump(mode="json") for r in rows])
    elif fmt is Format.csv:
        emit_csv([r.model_dump() for r in rows])
    else:
        _device_line(overlay)
        if fresh:
            _print_values(overlay)
        _print_compare(rows)


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate)
