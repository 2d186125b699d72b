"""The Starlette application: identity provider, Graph v1.0, viewer pages, admin API, health."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crm_app.sandbox import admin, viewer
from crm_app.sandbox.context import Sandbox
from crm_app.sandbox.errors import GraphError, OAuthError
from crm_app.sandbox.graph import routes as graph_routes
from crm_app.sandbox.graph.http import error_response
from crm_app.sandbox.identity import routes as identity_routes
from crm_app.sandbox.identity.routes import oauth_error_response
from crm_app.sandbox.middleware import GRAPH_PREFIX, SandboxMiddleware
from crm_app.sandbox.settings import SandboxSettings


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def on_graph_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GraphError)
    if not request.url.path.startswith(GRAPH_PREFIX):
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status,
                            headers=exc.headers)
    return error_response(exc, request)


async def on_oauth_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    return oauth_error_response(exc)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if path.startswith(GRAPH_PREFIX):
        if exc.status_code == 404:
            segment = path.rstrip("/").rsplit("/", 1)[-1]
            error = GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
        else:
            error = GraphError(exc.status_code, "BadRequest" if exc.status_code != 405 else "MethodNotAllowed",
                               f"{request.method} is not supported on {path}." if exc.status_code == 405
                               else str(exc.detail))
        return error_response(error, request)
    return JSONResponse({"error": {"code": "NotFound" if exc.status_code == 404 else "BadRequest",
                                   "message": f"No such page: {request.method} {path}."
                                   if exc.status_code in (404, 405) else str(exc.detail)}},
                        status_code=exc.status_code)


def create_app(settings: SandboxSettings | None = None, sandbox: Sandbox | None = None) -> Starlette:
    """Build the sandbox application (generating the demo tenant from the seed)."""
    sandbox = sandbox or Sandbox(settings or SandboxSettings())
    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            *admin.routes(),
            *viewer.routes(),
            *graph_routes.routes(),
            *identity_routes.routes(),
        ],
        middleware=[Middleware(SandboxMiddleware, sandbox=sandbox)],
        exception_handlers={
            GraphError: on_graph_error,
            OAuthError: on_oauth_error,
            HTTPException: on_http_error,
        },
    )
    app.state.sandbox = sandbox
    return app
