"""`gigacluster web` is registered with its options (starting it is covered by the live-server tests)."""

from __future__ import annotations

from typer.testing import CliRunner

from gigacluster.cli import app


def test_web_command_help_lists_its_options() -> None:
    res = CliRunner().invoke(app, ["web", "--help"])
    assert res.exit_code == 0, res.output
    for option in ("--host", "--port", "--max-concurrent", "--timeout-s"):
        assert option in res.output


def test_a_port_in_use_is_one_line_error() -> None:
    import socket

    from gigacluster.cli.web import check_bind
    from gigacluster.errors import GigaclusterError

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        try:
            check_bind("127.0.0.1", port)
        except GigaclusterError as exc:
            assert exc.field == "port" and str(port) in exc.reason
        else:
            raise AssertionError("a port in use was accepted")
    try:
        check_bind("no-such-host.invalid", 8000)
    except GigaclusterError as exc:
        assert exc.field == "host"
    else:
        raise AssertionError("an unresolvable host was accepted")
