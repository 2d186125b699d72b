"""The TTL cache and single-flight helper."""

from __future__ import annotations

import asyncio

import pytest

from crm_app.mcp.cache import TtlCache
from crm_app.mcp.singleflight import SingleFlight


def test_entries_expire_after_the_ttl() -> None:
    now = [0.0]
    cache: TtlCache[str, int] = TtlCache(300, clock=lambda: now[0])
    cache.put("a", 1)
    now[0] = 299.9
    assert cache.get("a") == 1
    now[0] = 300.0
    assert cache.get("a") is None
    assert len(cache) == 0


def test_storing_again_restarts_the_ttl() -> None:
    now = [0.0]
    cache: TtlCache[str, int] = TtlCache(10, clock=lambda: now[0])
    cache.put("a", 1)
    now[0] = 8
    cache.put("a", 2)
    now[0] = 15
    assert cache.get("a") == 2


def test_a_full_cache_drops_expired_entries_first_then_the_oldest() -> None:
    now = [0.0]
    cache: TtlCache[str, int] = TtlCache(10, clock=lambda: now[0], max_entries=3)
    cache.put("old", 1)
    now[0] = 5
    cache.put("b", 2)
    cache.put("c", 3)
    now[0] = 11  # "old" has expired, "b" and "c" have not
    cache.put("d", 4)
    assert len(cache) == 3 and cache.get("old") is None
    assert [cache.get(k) for k in ("b", "c", "d")] == [2, 3, 4]
    cache.put("b", 20)  # stored again: now the newest
    cache.put("e", 5)  # full, nothing expired: the oldest stored ("c") goes
    assert len(cache) == 3
    assert cache.get("c") is None
    assert [cache.get(k) for k in ("b", "d", "e")] == [20, 4, 5]


def test_entries_can_be_dropped_one_by_one_or_by_predicate() -> None:
    cache: TtlCache[tuple[int, str], str] = TtlCache(10)
    for user in (1, 2):
        for server in ("ms365", "custom-1"):
            cache.put((user, server), f"{user}{server}")
    cache.drop((1, "ms365"))
    assert cache.get((1, "ms365")) is None
    assert cache.drop_where(lambda key: key[1] == "custom-1") == 2
    assert cache.get((2, "ms365")) == "2ms365" and len(cache) == 1


async def test_concurrent_runs_share_one_execution() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    runs = 0

    async def work() -> int:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.05)
        return 7

    results = await asyncio.gather(*(flight.run("k", work) for _ in range(20)))
    assert results == [7] * 20 and runs == 1 and flight.in_flight() == 0
    assert await flight.run("k", work) == 7 and runs == 2


async def test_failures_are_shared_and_a_cancelled_waiter_does_not_abort_the_work() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    started = asyncio.Event()

    async def work() -> int:
        started.set()
        await asyncio.sleep(0.05)
        raise RuntimeError("down")

    impatient = asyncio.create_task(flight.run("k", work))
    await started.wait()
    patient = asyncio.create_task(flight.run("k", work))
    impatient.cancel()
    with pytest.raises(RuntimeError, match="down"):
        await patient
    assert impatient.cancelled()

