"""`off_loop` runs blocking work in a worker thread while the event loop keeps serving."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from crm_app.state.offload import off_loop


def blocking(seconds: float, *, label: str) -> tuple[str, int]:
    time.sleep(seconds)
    return label, threading.get_ident()


async def test_the_work_runs_in_another_thread_and_the_loop_keeps_going():
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    label, thread = await off_loop(blocking, 0.3, label="done")
    task.cancel()
    assert label == "done"
    assert thread != threading.get_ident()
    assert ticks > 5, "the loop served other work while the call blocked"


async def test_errors_reach_the_caller():
    def fails() -> None:
        raise LookupError("no such record")

    with pytest.raises(LookupError, match="no such record"):
        await off_loop(fails)
