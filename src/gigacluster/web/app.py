"""The FastAPI app: ``POST /api/<stage>`` for every application-layer call, ``GET /api/scenarios`` and
``/api/options``, the dashboard at ``/``, OpenAPI at ``/openapi.json`` and Swagger UI at ``/docs`` (served
from the installed ``swagger-ui-bundle-v2`` package, so it works offline)."""

import functools
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from gigacluster import __version__
from gigacluster.catalog.scenarios import Scenario
from gigacluster.errors import GigaclusterError, as_request_fields, error_reason
from gigacluster.web.endpoints import ENDPOINTS, Endpoint, Options, options, scenarios
from gigacluster.web.limits import Oversize, WebLimits, check
from gigacluster.web.runner import Busy, Runner, TimedOut, request_key

STATIC = Path(str(resources.files("gigacluster.web") / "static"))


def _error(status: int, field: str, msg: str, kind: str, **extra: Any) -> JSONResponse:
    """FastAPI's own 422 shape: ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``."""
    loc = ["body", *field.split(".")] if field else []
    return JSONResponse({"detail": [{"loc": loc, "msg": msg, "type": kind, **extra}]}, status_code=status)


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as strings: strict JSON has neither (an error echoing a NaN input
    would otherwise fail to render, a 500)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _details(errors: Any) -> list[Any]:
    """FastAPI's 422 details, each ``msg`` one line with the allowed range and the value given."""
    return [_finite(jsonable_encoder(e | {"msg": error_reason(e)})) for e in errors]


async def _request_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _details(exc.errors())}, status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    """A body that cannot be read (not UTF-8, ...) names the body as its field, like every other 4xx."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and isinstance(exc.detail, str):
        return JSONResponse({"detail": [{"loc": ["body"], "msg": exc.detail, "type": "body_error"}]}, 400)
    return await http_exception_handler(request, exc)


def _install_errors(app: FastAPI) -> None:
    async def domain(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, GigaclusterError)
        return _error(422, exc.field, as_request_fields(exc.reason), "value_error")

    async def spec(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ValidationError)
        first = exc.errors()[0]
        return _error(422, ".".join(str(p) for p in first["loc"]), error_reason(first), first["type"])

    async def oversize(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Oversize)
        return _error(413, exc.field, str(exc), "limit", limit=exc.limit)

    async def busy(_: Request, __: Exception) -> JSONResponse:
        return JSONResponse({"detail": "server busy: every computation slot is taken; retry shortly"},
                            status_code=429, headers={"Retry-After": "5"})

    async def timed_out(_: Request, __: Exception) -> JSONResponse:
        return JSONResponse({"detail": "time limit reached; the result will be cached when it finishes"},
                            status_code=504)

    for kind, handler in ((GigaclusterError, domain), (ValidationError, spec), (Oversize, oversize),
                          (Busy, busy), (TimedOut, timed_out), (RequestValidationError, _request_error),
                          (HTTPException, _http_error)):
        app.add_exception_handler(kind, handler)


def json_bytes(result: BaseModel) -> bytes:
    """A result as the JSON the CLI's ``--format json`` prints (compact): serialised once, then cached."""
    return json.dumps(result.model_dump(mode="json")).encode()


def _route(runner: Runner, ep: Endpoint) -> Callable[[BaseModel], Awaitable[Response]]:
    async def endpoint(req: BaseModel) -> Response:
        check(req, runner.limits)
        body = await runner.run(request_key(ep.name, req), lambda: json_bytes(ep.call(req)))
        return Response(body, media_type="application/json")

    endpoint.__annotations__ = {"req": ep.request, "return": Response}
    endpoint.__name__ = ep.name
    endpoint.__doc__ = ep.summary
    return endpoint


def _install_docs(app: FastAPI) -> None:
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="gigacluster API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")


def create_app(limits: WebLimits | None = None) -> FastAPI:
    """The app, with its own bounded runner and cache."""
    runner = Runner(limits or WebLimits())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        runner.close()

    app = FastAPI(title="gigacluster", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Design, train, serve, fail, share and pay for an AI supercluster over HTTP. "
                              "Request bodies are the application layer's request specs.")
    app.state.runner = runner
    _install_errors(app)
    _install_docs(app)
    for ep in ENDPOINTS:
        app.post(f"/api/{ep.name}", summary=ep.summary, responses={200: {"model": ep.result}},
                 response_class=Response)(_route(runner, ep))
    app.get("/api/scenarios", summary="The shipped scenarios", responses={200: {"model": list[Scenario]}})(_scenarios)
    app.get("/api/options", summary="Names the request fields accept", responses={200: {"model": Options}})(_options)
    app.get("/api/limits", summary="This server's limits per request")(lambda: runner.limits)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.get("/", include_in_schema=False)(_index)
    return app


@functools.cache
def _cached_json(name: str) -> bytes:
    data: object = ([s.model_dump(mode="json") for s in scenarios()] if name == "scenarios"
                    else options().model_dump(mode="json"))
    return json.dumps(data).encode()


async def _scenarios() -> Response:
    return Response(_cached_json("scenarios"), media_type="application/json")


async def _options() -> Response:
    return Response(_cached_json("options"), media_type="application/json")


async def _index() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")
