"""`gigacluster web` is registered with its options (starting it is covered by the live-server tests)."""

from __future__ import annotations

from typer.testing import CliRunner

from gigacluster.cli import app


def test_web_command_help_lists_its_options() -> None:
    res = CliRunner().invoke(app, ["web", "--help"])
    assert res.exit_code == 0, res.output
    for option in ("--host", "--port", "--max-concurrent", "--timeout-s"):
        assert option in res.output
