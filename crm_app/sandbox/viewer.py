"""Read-only viewer pages behind ``webLink`` / ``webUrl``: items shown as escaped text, no script."""

from __future__ import annotations

from starlette.routing import Route


def routes() -> list[Route]:
    return []
