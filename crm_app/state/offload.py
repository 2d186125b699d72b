"""Blocking work (database, msal) from Reflex event handlers, off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


async def off_loop(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run ``fn(*args, **kwargs)`` in a worker thread and return its result; the loop keeps serving other events."""
    return await asyncio.to_thread(fn, *args, **kwargs)
