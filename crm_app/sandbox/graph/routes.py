"""All Graph v1.0 routes."""

from __future__ import annotations

from starlette.routing import Route

from crm_app.sandbox.graph import mail


def routes() -> list[Route]:
    return [*mail.routes()]
