"""Starlette routes built from tables of paths and handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.routing import Route


def get_routes(*table: tuple[str, Callable[..., Any]]) -> list[Route]:
    """A GET route for each `(path, handler)` of `table`, in order."""
    return [Route(path, handler, methods=["GET"]) for path, handler in table]
