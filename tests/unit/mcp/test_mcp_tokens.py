"""Single-flight token refresh per user."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from crm_app.mcp.errors import ReconnectNeeded, TokenUnavailable
from crm_app.mcp.tokens import TokenBroker


class Provider:
    def __init__(self) -> None:
        self.generation: Counter[int] = Counter()
        self.forced: Counter[int] = Counter()
        self.fail_with: Exception | None = None

    async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        if force_refresh:
            self.forced[user_id] += 1
            await asyncio.sleep(0.01)
            self.generation[user_id] += 1
        return f"u{user_id}-t{self.generation[user_id]}"


async def test_a_hundred_refusals_of_one_token_cause_one_refresh() -> None:
    provider = Provider()
    broker = TokenBroker(provider)
    stale = await broker.current(1)

    fresh = await asyncio.gather(*(broker.refresh(1, stale) for _ in range(100)))

    assert set(fresh) == {"u1-t1"} and provider.forced[1] == 1


async def test_refreshes_of_different_users_are_independent() -> None:
    provider = Provider()
    broker = TokenBroker(provider)

    results = await asyncio.gather(*(broker.refresh(user, f"u{user}-t0") for user in (1, 2, 3) for _ in range(10)))

    assert sorted(set(results)) == ["u1-t1", "u2-t1", "u3-t1"]
    assert provider.forced == Counter({1: 1, 2: 1, 3: 1})


async def test_a_newer_token_refused_is_refreshed_again() -> None:
    provider = Provider()
    broker = TokenBroker(provider)
    first = await broker.refresh(1, "u1-t0")
    second = await broker.refresh(1, first)
    late = await broker.refresh(1, "u1-t0")

    assert (first, second, late) == ("u1-t1", "u1-t2", "u1-t2")
    assert provider.forced[1] == 2


async def test_replacements_are_forgotten_after_their_ttl() -> None:
    now = [0.0]
    provider = Provider()
    broker = TokenBroker(provider, replacement_ttl=60, clock=lambda: now[0])
    await broker.refresh(1, "u1-t0")
    now[0] = 61
    assert await broker.refresh(1, "u1-t0") == "u1-t2"
    assert provider.forced[1] == 2


async def test_forget_drops_what_was_remembered() -> None:
    provider = Provider()
    broker = TokenBroker(provider)
    await broker.refresh(1, "u1-t0")
    broker.forget(1)
    await broker.refresh(1, "u1-t0")
    assert provider.forced[1] == 2


async def test_provider_failures_become_errors_for_the_user() -> None:
    provider = Provider()
    broker = TokenBroker(provider)

    provider.fail_with = ReconnectNeeded()
    with pytest.raises(ReconnectNeeded) as reconnect:
        await broker.current(1, server_id="ms365")
    assert reconnect.value.server_id == "ms365"

    provider.fail_with = ConnectionError("database down")
    with pytest.raises(TokenUnavailable) as unavailable:
        await broker.refresh(1, "x")
    assert "could not be read just now" in str(unavailable.value)


async def test_an_empty_token_means_reconnect() -> None:
    class Empty:
        async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str:
            return ""

    with pytest.raises(ReconnectNeeded):
        await TokenBroker(Empty()).current(1)


async def test_the_providers_own_reconnect_error_can_be_declared() -> None:
    class VaultNeedsReconnect(Exception):
        pass

    provider = Provider()
    provider.fail_with = VaultNeedsReconnect()
    broker = TokenBroker(provider, reconnect_errors=(VaultNeedsReconnect,))

    with pytest.raises(ReconnectNeeded, match="Reconnect Microsoft 365 in Settings"):
        await broker.current(1)
