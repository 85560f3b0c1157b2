"""The typer app: one subcommand per stage. Thin: parse, call the public functions, print.

Each stage registers its commands from its own module so the app stays small.
"""

from __future__ import annotations

import sys

import typer

from gigacluster import __version__
from gigacluster.cli import calibrate as _calibrate
from gigacluster.cli import catalog as _catalog
from gigacluster.cli import design as _design
from gigacluster.cli import plan as _plan
from gigacluster.cli import reliability as _reliability
from gigacluster.cli import schedule as _schedule
from gigacluster.cli import serve as _serve
from gigacluster.cli import sweep as _sweep
from gigacluster.cli import train as _train
from gigacluster.cli import validate as _validate
from gigacluster.cli import web as _web
from gigacluster.cli.common import run_guarded

app = typer.Typer(
    name="gigacluster",
    help="Digital twin and planner for gigawatt-scale AI superclusters.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gigacluster {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="print the version and exit")) -> None:
    """Digital twin and planner for gigawatt-scale AI superclusters."""


_calibrate.register(app)
_catalog.register(app)
_design.register(app)
_plan.register(app)
_reliability.register(app)
_schedule.register(app)
_serve.register(app)
_sweep.register(app)
_train.register(app)
_validate.register(app)
_web.register(app)


def main() -> None:
    """Console entry point: invalid input exits 2 with one line, never a traceback."""
    sys.exit(run_guarded(app))
