"""`gigacluster web [--host 127.0.0.1] [--port 8000]`: the HTTP API and the dashboard under uvicorn."""

from __future__ import annotations

import typer


def web(
    host: str = typer.Option("127.0.0.1", help="interface to listen on (0.0.0.0 exposes it to the network)"),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port"),
    max_concurrent: int = typer.Option(2, min=1, help="computations running at once (more queue, then 429)"),
    timeout_s: float = typer.Option(120.0, min=1, help="time limit per request, s (then 504)"),
) -> None:
    """Serve the dashboard at / , the HTTP API at /api/..., OpenAPI at /openapi.json and /docs."""
    from gigacluster.web import WebLimits, serve

    typer.echo(f"gigacluster web: dashboard http://{host}:{port}/  API docs http://{host}:{port}/docs")
    serve(host, port, WebLimits(max_concurrent=max_concurrent, timeout_s=timeout_s))


def register(app: typer.Typer) -> None:
    app.command("web")(web)
