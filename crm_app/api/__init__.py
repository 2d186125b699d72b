"""JSON endpoints under /api/v1, authenticated by the same session cookie as the pages."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from crm_app.db import DatabaseUnavailable
from crm_app.services import auth

log = logging.getLogger(__name__)


def session_user(request: Request) -> auth.SignedInUser | None:
    return auth.resolve_session(request.cookies.get(auth.SESSION_COOKIE))


def unauthorized() -> JSONResponse:
    return JSONResponse({"error": {"code": "unauthorized", "message": "Sign in first: this endpoint needs a session."}},
                        status_code=401)


def db_down(exc: DatabaseUnavailable) -> JSONResponse:
    return JSONResponse({"error": {"code": "database_unavailable", "message": exc.user_message}}, status_code=503)


async def health(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def me(request: Request) -> JSONResponse:
    try:
        user = session_user(request)
    except DatabaseUnavailable as exc:
        return db_down(exc)
    if user is None:
        return unauthorized()
    return JSONResponse({"id": user.id, "email": user.email, "name": user.name, "timezone": user.timezone})


def routes() -> list[Route]:
    from crm_app.api import integrations

    return [
        Route("/api/v1/health", health),
        Route("/api/v1/me", me),
        *integrations.routes(),
    ]


def build() -> Starlette:
    from crm_app.api.websocket_text import ValidUnicodeWebSockets

    return Starlette(routes=routes(), middleware=[Middleware(ValidUnicodeWebSockets)])
