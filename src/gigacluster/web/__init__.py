"""The HTTP API and the dashboard: a FastAPI app over the application layer (``gigacluster web``)."""

from gigacluster.web.app import create_app
from gigacluster.web.limits import WebLimits

__all__ = ["WebLimits", "create_app", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8000, limits: WebLimits | None = None) -> None:
    """Run the app under uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(limits), host=host, port=port, log_level="info")
