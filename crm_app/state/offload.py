"""Blocking work (database, files) off the event loop, so one slow call does not stall every open page."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


async def off_loop(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run `fn(*args, **kwargs)` in a worker thread and return its result (exceptions pass through)."""
    return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))
