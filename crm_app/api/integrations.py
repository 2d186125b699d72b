"""Integration endpoints (Microsoft 365 OAuth, status, MCP status)."""

from __future__ import annotations

from starlette.routing import Route


def routes() -> list[Route]:
    return []
