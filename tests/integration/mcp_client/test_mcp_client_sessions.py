"""Sessions over real HTTP: pooling, restarts, outages, timeouts, parallelism, token isolation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from crm_app.mcp import MCPClientManager, ServerConfig, ToolCall, custom_server, ms365_server

from .conftest import EchoServer, FakeTokens, MemoryAudit


def outage_manager(
    tokens: FakeTokens, audit: MemoryAudit, *, retries: int, threshold: int, reset: float
) -> MCPClientManager:
    """A manager for outage tests: short timeout, the given retries and circuit breaker settings."""
    return MCPClientManager(
        token_provider=tokens,
        audit_sink=audit,
        timeout_seconds=5.0,
        retries=retries,
        breaker_failure_threshold=threshold,
        breaker_reset_seconds=reset,
    )


@contextlib.asynccontextmanager
async def after_outage(
    echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit, *, retries: int, threshold: int, reset: float
) -> AsyncIterator[tuple[MCPClientManager, ServerConfig]]:
    """A manager that called the echo server once, and the server stopped since."""
    server = echo.config()
    async with outage_manager(tokens, audit, retries=retries, threshold=threshold, reset=reset) as manager:
        assert (await manager.call_tool(1, server, "echo_headers", {"tag": "up"})).ok
        echo.process.stop()
        yield manager, server


async def test_second_call_reuses_the_pooled_session(echo: EchoServer, manager: MCPClientManager) -> None:
    server = echo.config()
    before = echo.stats()["initializations"]

    first = await manager.call_tool(1, server, "echo_headers", {"tag": "one"})
    second = await manager.call_tool(1, server, "echo_headers", {"tag": "two"})

    assert first.ok and second.ok
    assert second.structured == {"tag": "two", "authorization": None, "x_api_key": None}
    assert echo.stats()["initializations"] - before == 1
    assert manager.session_count() == 1


async def test_each_user_gets_a_session_of_their_own(echo: EchoServer, manager: MCPClientManager) -> None:
    server = ms365_server(echo.mcp_url)
    before = echo.stats()["initializations"]

    for user in (1, 2, 3):
        for _ in range(2):
            assert (await manager.call_tool(user, server, "echo_headers", {"tag": "x"})).ok

    assert echo.stats()["initializations"] - before == 3
    assert manager.session_count() == 3


async def test_concurrent_first_calls_open_one_session(echo: EchoServer, manager: MCPClientManager) -> None:
    server = echo.config(id="burst")
    before = echo.stats()["initializations"]

    outcomes = await asyncio.gather(*(manager.call_tool(4, server, "echo_headers", {"tag": str(i)}) for i in range(20)))

    assert all(outcome.ok for outcome in outcomes)
    assert echo.stats()["initializations"] - before == 1


async def test_server_restart_is_bridged_by_a_new_session(own_echo: EchoServer, manager: MCPClientManager) -> None:
    server = own_echo.config()
    assert (await manager.call_tool(1, server, "echo_headers", {"tag": "before"})).ok

    own_echo.process.restart()
    outcome = await manager.call_tool(1, server, "echo_headers", {"tag": "after"})

    assert outcome.ok, outcome
    assert outcome.structured is not None and outcome.structured["tag"] == "after"
    assert own_echo.stats()["initializations"] == 1


async def test_stopped_server_opens_the_circuit_and_recovers_after_restart(
    own_echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit
) -> None:
    async with after_outage(own_echo, tokens, audit, retries=0, threshold=2, reset=0.5) as (manager, server):
        failures = [await manager.call_tool(1, server, "echo_headers", {"tag": "down"}) for _ in range(2)]
        paused = await manager.call_tool(1, server, "echo_headers", {"tag": "paused"})
        status = (await manager.status(1, [server]))[server.id]

        assert [outcome.outcome for outcome in failures] == ["transport_error", "transport_error"]
        assert failures[0].error_message == (
            "The Echo tool server is not answering. Check that it is running, then try again."
        )
        assert paused.outcome == "circuit_open" and paused.error_code == "circuit_open"
        assert status.state == "unavailable" and not status.connected
        assert status.last_error is not None and "paused" in status.last_error

        own_echo.process.start()
        await asyncio.sleep(0.6)
        recovered = await manager.call_tool(1, server, "echo_headers", {"tag": "back"})
        status = (await manager.status(1, [server]))[server.id]

        assert recovered.ok, recovered
        assert status.state == "connected" and status.tool_count >= 7 and status.latency_ms is not None
        assert [entry.outcome for entry in audit.entries] == [
            "ok",
            "transport_error",
            "transport_error",
            "circuit_open",
            "ok",
        ]


async def test_a_call_that_overruns_the_timeout_becomes_a_timeout_outcome(
    echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit
) -> None:
    server = echo.config(id="slow")
    async with MCPClientManager(token_provider=tokens, audit_sink=audit, timeout_seconds=0.5) as manager:
        outcome = await manager.call_tool(1, server, "sleep", {"seconds": 3})
        after = await manager.call_tool(1, server, "echo_headers", {"tag": "still there"})

    assert outcome.outcome == "timeout" and not outcome.ok
    assert outcome.error_message is not None and "did not answer within 0.5 s" in outcome.error_message
    assert after.ok
    assert audit.entries[0].outcome == "timeout"


async def test_call_many_keeps_to_the_parallel_bound(echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit) -> None:
    server = echo.config(id="parallel")
    async with MCPClientManager(token_provider=tokens, audit_sink=audit, max_parallel=3) as manager:
        await manager.list_tools(1, server)
        echo.reset()
        calls = [ToolCall(server, "sleep", {"seconds": 0.3}) for _ in range(8)]
        outcomes = await manager.call_many(1, calls)

    assert [outcome.text for outcome in outcomes] == ["slept 0.3"] * 8
    assert echo.stats()["peak_in_flight"] == 3


async def test_tokens_never_cross_between_concurrent_users(echo: EchoServer, manager: MCPClientManager) -> None:
    server = ms365_server(echo.mcp_url)
    users = range(1, 9)

    async def call(user: int, index: int) -> tuple[int, int, dict | None]:
        outcome = await manager.call_tool(user, server, "echo_headers", {"tag": f"{user}:{index}"})
        assert outcome.ok, outcome
        return user, index, outcome.structured

    results = await asyncio.gather(*(call(user, index) for index in range(25) for user in users))

    assert len(results) == 200
    for user, index, structured in results:
        assert structured == {"tag": f"{user}:{index}", "authorization": f"Bearer token-{user}", "x_api_key": None}


async def test_static_headers_stay_with_their_own_user(echo: EchoServer, manager: MCPClientManager) -> None:
    configs = {
        user: custom_server(1, name="Search", url=echo.mcp_url, header_name="X-API-Key", header_value=f"key-{user}")
        for user in (1, 2, 3)
    }

    outcomes = await asyncio.gather(
        *(
            manager.call_tool(user, configs[user], "echo_headers", {"tag": str(user)})
            for user in configs
            for _ in range(10)
        )
    )

    for outcome in outcomes:
        assert outcome.structured is not None
        assert outcome.structured["x_api_key"] == f"key-{outcome.structured['tag']}"


async def test_changed_server_settings_open_a_new_session(echo: EchoServer, manager: MCPClientManager) -> None:
    old = custom_server(2, name="Search", url=echo.mcp_url, header_name="X-API-Key", header_value="old")
    new = custom_server(2, name="Search", url=echo.mcp_url, header_name="X-API-Key", header_value="new")

    first = await manager.call_tool(5, old, "echo_headers", {"tag": "a"})
    second = await manager.call_tool(5, new, "echo_headers", {"tag": "b"})

    assert first.structured is not None and first.structured["x_api_key"] == "old"
    assert second.structured is not None and second.structured["x_api_key"] == "new"
    assert manager.session_count() == 1


async def test_stateless_servers_work_too(stateless_echo: EchoServer, manager: MCPClientManager) -> None:
    server = ms365_server(stateless_echo.mcp_url)

    tools = await manager.list_tools(1, server)
    outcome = await manager.call_tool(1, server, "echo_headers", {"tag": "s"})

    assert "echo_headers" in {tool.name for tool in tools}
    assert outcome.structured == {"tag": "s", "authorization": "Bearer token-1", "x_api_key": None}


async def test_wrong_address_is_reported_as_not_an_mcp_server(echo: EchoServer, manager: MCPClientManager) -> None:
    server = ms365_server(echo.process.url + "/not-mcp")

    status = (await manager.status(1, [server]))[server.id]

    assert status.state == "unavailable"
    assert status.last_error is not None and "has no MCP endpoint at the configured address" in status.last_error


async def test_idle_sessions_are_closed_and_health_check_drops_dead_ones(
    own_echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit
) -> None:
    now = [1000.0]
    async with MCPClientManager(
        token_provider=tokens, audit_sink=audit, idle_close_seconds=60, clock=lambda: now[0]
    ) as manager:
        server = own_echo.config()
        await manager.call_tool(1, server, "echo_headers", {"tag": "a"})
        await manager.call_tool(2, server, "echo_headers", {"tag": "b"})

        await manager.check_health()
        assert manager.session_count() == 2

        now[0] += 30
        await manager.call_tool(2, server, "echo_headers", {"tag": "b"})
        now[0] += 45
        await manager.check_health()
        assert manager.session_count() == 1

        own_echo.process.stop()
        await manager.check_health()
        assert manager.session_count() == 0


async def test_a_health_round_counts_once_per_server_towards_its_breaker(
    own_echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit
) -> None:
    async with MCPClientManager(token_provider=tokens, audit_sink=audit, breaker_failure_threshold=3) as manager:
        server = own_echo.config()
        for user_id in range(1, 7):
            await manager.call_tool(user_id, server, "echo_headers", {"tag": str(user_id)})
        assert manager.session_count() == 6

        own_echo.process.stop()
        await manager.check_health()
        assert manager.session_count() == 0
        breaker = manager._breaker(server)
        assert breaker.consecutive_failures == 1 and breaker.state == "closed"


async def test_background_health_loop_runs(own_echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit) -> None:
    async with MCPClientManager(token_provider=tokens, audit_sink=audit, health_interval=0.1) as manager:
        await manager.call_tool(1, own_echo.config(), "echo_headers", {"tag": "a"})
        own_echo.reset()
        for _ in range(50):
            if own_echo.stats()["methods"].get("ping", 0) >= 2:
                break
            await asyncio.sleep(0.1)
        assert own_echo.stats()["methods"]["ping"] >= 2


async def test_the_first_call_after_an_outage_says_the_server_is_not_answering(
    own_echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit
) -> None:
    async with after_outage(own_echo, tokens, audit, retries=3, threshold=2, reset=300.0) as (manager, server):
        first = await manager.call_tool(1, server, "echo_headers", {"tag": "first try"})
        second = await manager.call_tool(1, server, "echo_headers", {"tag": "second try"})

    # The first try's own retries opened the breaker; it reports what happened to it, not a pause.
    assert first.outcome == "transport_error" and first.error_code == "server_unavailable"
    assert first.error_message == "The Echo tool server is not answering. Check that it is running, then try again."
    assert second.outcome == "circuit_open"
    assert second.error_message == (
        "The Echo tool server is not answering right now, so calls to it are paused for about 300 s. "
        "Check that it is running, then try again."
    )
    for outcome in (first, second):
        assert "several times" not in (outcome.error_message or "")
    assert [entry.outcome for entry in audit.entries] == ["ok", "transport_error", "circuit_open"]


async def test_calls_resume_as_soon_as_the_health_check_sees_the_server_back(
    own_echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit
) -> None:
    async with after_outage(own_echo, tokens, audit, retries=0, threshold=1, reset=300.0) as (manager, server):
        assert (await manager.call_tool(1, server, "echo_headers", {"tag": "down"})).outcome == "transport_error"

        await manager.check_health()  # still down: the pause stays
        paused = await manager.call_tool(1, server, "echo_headers", {"tag": "paused"})
        assert paused.outcome == "circuit_open"

        own_echo.process.start()
        still_paused = await manager.call_tool(1, server, "echo_headers", {"tag": "not yet checked"})
        await manager.check_health()
        back = await manager.call_tool(1, server, "echo_headers", {"tag": "back"})

    # The pause is 300 s, so only the health check can have let this call through.
    assert still_paused.outcome == "circuit_open"
    assert back.ok, back
    assert back.structured is not None and back.structured["tag"] == "back"
    assert own_echo.stats()["initializations"] == 1, "the restarted server saw exactly one new session"


async def test_a_settings_check_sees_a_server_back_without_waiting_for_the_pause(
    own_echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit
) -> None:
    server = own_echo.config()
    async with outage_manager(tokens, audit, retries=0, threshold=1, reset=300.0) as manager:
        own_echo.process.stop()
        assert (await manager.call_tool(1, server, "echo_headers", {"tag": "down"})).outcome == "transport_error"
        down = (await manager.status(1, [server]))[server.id]
        own_echo.process.start()
        up = (await manager.status(1, [server]))[server.id]

    assert down.state == "unavailable" and not down.connected
    assert up.state == "connected" and up.connected and up.tool_count >= 7
