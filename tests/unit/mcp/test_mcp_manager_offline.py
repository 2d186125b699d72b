"""Manager behaviour that needs no MCP server: retries against a closed port, switched-off paths."""

from __future__ import annotations

import asyncio

from crm_app.mcp import AuditEntry, Backoff, MCPClientManager, ServerConfig, ms365_server
from crm_app.mcp.errors import ReconnectNeeded
from tests.support.procs import free_port


class Tokens:
    async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str:
        return f"token-{user_id}"


class Audit:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


def closed_server(name: str = "Microsoft 365") -> ServerConfig:
    return ServerConfig(id="ms365", name=name, url=f"http://127.0.0.1:{free_port()}/mcp", auth="ms365_bearer")


async def test_refused_connections_are_retried_with_growing_jittered_delays() -> None:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    audit = Audit()
    async with MCPClientManager(
        token_provider=Tokens(),
        audit_sink=audit,
        retries=3,
        backoff=Backoff(base=0.1, factor=2, cap=10),
        sleep=sleep,
        rand=lambda: 0.5,
        breaker_failure_threshold=10,
    ) as manager:
        outcome = await manager.call_tool(1, closed_server(), "send_mail", {"to": "a@b.c", "token": "t"})

    assert delays == [0.05, 0.1, 0.2]
    assert outcome.outcome == "transport_error" and outcome.error_code == "server_unavailable"
    assert outcome.error_message == (
        "The Microsoft 365 tool server is not answering. Check that it is running, then try again."
    )
    assert [entry.outcome for entry in audit.entries] == ["transport_error"]
    assert audit.entries[0].arguments == {"to": "a@b.c", "token": "[redacted]"}


async def test_the_breaker_opens_after_repeated_refusals() -> None:
    async def sleep(seconds: float) -> None:
        return None

    server = closed_server()
    async with MCPClientManager(
        token_provider=Tokens(),
        audit_sink=Audit(),
        retries=1,
        sleep=sleep,
        breaker_failure_threshold=4,
        breaker_reset_seconds=30,
    ) as manager:
        first = await manager.call_tool(1, server, "x")
        second = await manager.call_tool(2, server, "x")
        third = await manager.call_tool(1, server, "x")
        listing = await manager.list_all_tools(1, [server])

    assert [first.outcome, second.outcome, third.outcome] == ["transport_error", "transport_error", "circuit_open"]
    assert third.error_message is not None and "paused for about 30 s" in third.error_message
    assert listing.errors["ms365"].code == "circuit_open"


async def test_switched_off_manager_never_asks_for_tokens() -> None:
    class NoTokens:
        async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str:
            raise AssertionError("no token may be requested while MCP is off")

    audit = Audit()
    async with MCPClientManager(token_provider=NoTokens(), audit_sink=audit, enabled=False) as manager:
        server = ms365_server("http://127.0.0.1:9/mcp")
        outcomes = await manager.call_many(1, [])
        outcome = await manager.call_tool(1, server, "x")
        assert await manager.list_tools(1, server) == []
        assert manager.session_count() == 0

    assert outcomes == [] and outcome.error_code == "mcp_disabled" and audit.entries == []


async def test_a_disabled_server_is_skipped_with_a_reason() -> None:
    async with MCPClientManager(token_provider=Tokens(), audit_sink=Audit()) as manager:
        server = ms365_server("http://127.0.0.1:9/mcp", enabled=False)
        outcome = await manager.call_tool(1, server, "x")
        status = (await manager.status(1, [server]))["ms365"]

    assert outcome.outcome == "disabled" and outcome.error_code == "server_disabled"
    assert outcome.error_message == (
        "The Microsoft 365 tool server is turned off in Settings. Turn it on there to use its tools."
    )
    assert status.state == "disabled" and status.last_error == outcome.error_message


async def test_reconnect_needed_is_reported_without_contacting_the_server() -> None:
    class Expired:
        calls = 0

        async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str:
            Expired.calls += 1
            raise ReconnectNeeded()

    async with MCPClientManager(token_provider=Expired(), audit_sink=Audit()) as manager:
        outcome = await manager.call_tool(1, closed_server(), "x")

    assert outcome.outcome == "auth_error" and outcome.error_code == "reconnect_needed"
    assert Expired.calls == 1


async def test_a_failing_audit_sink_does_not_fail_the_call() -> None:
    class Broken:
        async def record(self, entry: AuditEntry) -> None:
            raise OSError("disk full")

    async def sleep(seconds: float) -> None:
        return None

    async with MCPClientManager(token_provider=Tokens(), audit_sink=Broken(), retries=0, sleep=sleep) as manager:
        outcome = await asyncio.wait_for(manager.call_tool(1, closed_server(), "x"), 10)

    assert outcome.outcome == "transport_error"
