"""Over real HTTP: token refresh on 401, tool-list caching, audit entries, MCP switched off."""

from __future__ import annotations

import asyncio

from crm_app.mcp import MCPClientManager, ms365_server

from .conftest import EchoServer, FakeTokens, MemoryAudit


async def test_graph_401_refreshes_the_token_once_for_a_hundred_concurrent_calls(
    echo: EchoServer, audit: MemoryAudit
) -> None:
    tokens = FakeTokens({1: "ann-expired"}, refreshed={1: "ann-fresh"})
    server = ms365_server(echo.mcp_url)
    async with MCPClientManager(token_provider=tokens, audit_sink=audit) as manager:
        outcomes = await asyncio.gather(*(manager.call_tool(1, server, "graph_me") for _ in range(100)))

    assert tokens.refreshes[1] == 1
    assert {outcome.text for outcome in outcomes} == {"profile for ann-fresh"}
    assert all(entry.outcome == "ok" for entry in audit.entries)


async def test_a_token_refused_again_after_refresh_is_retried_exactly_once(
    echo: EchoServer, manager: MCPClientManager, tokens: FakeTokens
) -> None:
    tokens.tokens[2] = "bo-expired-1"
    tokens.refreshed[2] = "bo-expired-2"
    server = ms365_server(echo.mcp_url)
    echo.reset()

    outcome = await manager.call_tool(2, server, "graph_me")

    assert outcome.outcome == "auth_error" and not outcome.ok
    assert outcome.error_code == "InvalidAuthenticationToken"
    assert outcome.error_message is not None and "Reconnect Microsoft 365 in Settings" in outcome.error_message
    assert tokens.refreshes[2] == 1
    assert echo.stats()["tokens_seen"]["graph_me"] == ["bo-expired-1", "bo-expired-2"]


async def test_a_token_accepted_on_second_try_needs_no_new_token(
    echo: EchoServer, manager: MCPClientManager, tokens: FakeTokens
) -> None:
    tokens.tokens[3] = "cy-once"
    outcome = await manager.call_tool(3, ms365_server(echo.mcp_url), "flaky_auth")

    assert outcome.ok and outcome.text == "ok for cy-once"
    assert tokens.refreshes[3] == 1


async def test_reconnect_needed_on_refresh_ends_in_an_auth_error_without_looping(
    echo: EchoServer, manager: MCPClientManager, tokens: FakeTokens
) -> None:
    tokens.tokens[4] = "di-expired"
    tokens.reconnect_on_refresh.add(4)
    server = ms365_server(echo.mcp_url)

    outcome = await manager.call_tool(4, server, "graph_me")

    assert outcome.outcome == "auth_error" and outcome.error_code == "reconnect_needed"
    assert outcome.error_message == (
        "Your Microsoft 365 connection has expired or was revoked. Reconnect Microsoft 365 in Settings, then try again."
    )
    assert tokens.refreshes[4] == 1


async def test_a_user_who_must_reconnect_sees_that_in_status_and_calls(
    echo: EchoServer, manager: MCPClientManager, tokens: FakeTokens
) -> None:
    tokens.reconnect_always.add(5)
    server = ms365_server(echo.mcp_url)

    status = (await manager.status(5, [server]))[server.id]
    outcome = await manager.call_tool(5, server, "echo_headers", {"tag": "x"})
    others = (await manager.status(6, [server]))[server.id]

    assert status.state == "reconnect_needed" and not status.connected
    assert outcome.outcome == "auth_error" and outcome.error_code == "reconnect_needed"
    assert others.state == "connected"


async def test_http_401_from_the_server_renews_the_token_once_and_resends(
    echo: EchoServer, manager: MCPClientManager, tokens: FakeTokens
) -> None:
    tokens.tokens[7] = "ed-http401"
    tokens.refreshed[7] = "ed-good"
    server = ms365_server(echo.mcp_url)

    outcomes = await asyncio.gather(*(manager.call_tool(7, server, "echo_headers", {"tag": str(i)}) for i in range(50)))

    assert {outcome.structured["authorization"] for outcome in outcomes if outcome.structured} == {"Bearer ed-good"}
    assert all(outcome.ok for outcome in outcomes)
    assert tokens.refreshes[7] == 1


async def test_refused_api_key_is_an_auth_error_that_names_the_fix(echo: EchoServer, manager: MCPClientManager) -> None:
    server = echo.config(id="custom-9", auth="static_headers", headers={"Authorization": "Bearer http401-key"})

    outcome = await manager.call_tool(1, server, "echo_headers", {"tag": "x"})
    status = (await manager.status(1, [server]))[server.id]

    assert outcome.outcome == "auth_error" and outcome.error_code == "credentials_rejected"
    assert outcome.error_message == (
        "The Echo tool server refused the credentials it was given. Check the API key or header for this server "
        "in Settings."
    )
    assert status.state == "unavailable" and status.last_error == outcome.error_message


async def test_tool_lists_are_cached_and_dropped_on_list_changed(
    echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit
) -> None:
    now = [5000.0]
    server = echo.config(id="lists")
    async with MCPClientManager(token_provider=tokens, audit_sink=audit, clock=lambda: now[0]) as manager:
        await manager.list_tools(1, server)
        echo.reset()

        again = await manager.list_tools(1, server)
        assert echo.stats()["methods"].get("tools/list", 0) == 0
        assert "added_tool" not in {tool.name for tool in again}

        now[0] += 301
        await manager.list_tools(1, server)
        assert echo.stats()["methods"]["tools/list"] == 1

        assert (await manager.call_tool(1, server, "change_tools")).ok
        names: set[str] = set()
        for _ in range(50):
            names = {tool.name for tool in await manager.list_tools(1, server)}
            if "added_tool" in names:
                break
            await asyncio.sleep(0.05)
        assert "added_tool" in names


async def test_invalidate_drops_cached_tools_and_sessions(echo: EchoServer, manager: MCPClientManager) -> None:
    server = echo.config(id="inval")
    await manager.list_tools(1, server)
    await manager.list_tools(2, server)
    echo.reset()

    await manager.invalidate(user_id=1)
    await manager.list_tools(1, server)
    await manager.list_tools(2, server)

    stats = echo.stats()
    assert stats["methods"]["tools/list"] == 1
    assert stats["initializations"] == 1


async def test_tool_info_carries_schemas_and_flags(echo: EchoServer, manager: MCPClientManager) -> None:
    tools = {tool.name: tool for tool in await manager.list_tools(1, echo.config(id="info"))}

    echo_tool = tools["echo_headers"]
    assert echo_tool.server_id == "info"
    assert echo_tool.input_schema["properties"]["tag"]["type"] == "string"
    assert echo_tool.annotations.read_only and not echo_tool.annotations.destructive
    assert tools["fail"].annotations.destructive
    assert not tools["change_tools"].annotations.read_only and tools["change_tools"].annotations.destructive


async def test_every_call_is_audited_with_secrets_redacted(
    echo: EchoServer, manager: MCPClientManager, audit: MemoryAudit
) -> None:
    server = ms365_server(echo.mcp_url)
    payload = {
        "subject": "Quarterly review",
        "password": "hunter2",
        "options": {"Api-Key": "k-123", "filters": [{"refresh_token": "r-1", "name": "x"}]},
        "body": "y" * 2000,
        "note": "Bearer abc.def",
    }

    ok = await manager.call_tool(8, server, "echo_arguments", {"payload": payload})
    failed = await manager.call_tool(8, server, "fail", {"message": "nope", "client_secret": "s3"})

    assert ok.ok and ok.structured == payload
    first, second = audit.entries
    assert (first.user_id, first.server_id, first.tool, first.outcome, first.error) == (
        8,
        "ms365",
        "echo_arguments",
        "ok",
        None,
    )
    logged = first.arguments["payload"]
    assert logged["password"] == "[redacted]" and logged["note"] == "[redacted]"
    assert logged["options"]["Api-Key"] == "[redacted]"
    assert logged["options"]["filters"] == [{"refresh_token": "[redacted]", "name": "x"}]
    assert logged["subject"] == "Quarterly review"
    assert logged["body"].startswith("y" * 500) and logged["body"].endswith("[1500 more characters]")
    assert first.latency_ms > 0 and first.at.tzinfo is not None
    assert second.outcome == "tool_error" and second.arguments == {"message": "nope", "client_secret": "[redacted]"}
    assert failed.error_message == second.error == "Error executing tool fail: nope"


async def test_mcp_switched_off_lists_and_calls_nothing(
    echo: EchoServer, tokens: FakeTokens, audit: MemoryAudit
) -> None:
    server = ms365_server(echo.mcp_url)
    echo.reset()
    async with MCPClientManager(token_provider=tokens, audit_sink=audit, enabled=False) as manager:
        tools = await manager.list_tools(1, server)
        outcome = await manager.call_tool(1, server, "echo_headers", {"tag": "x"})
        status = (await manager.status(1, [server]))[server.id]
        listing = await manager.list_all_tools(1, [server])

    assert tools == [] and listing.tools == []
    assert outcome.outcome == "disabled" and outcome.error_code == "mcp_disabled" and not outcome.ok
    assert outcome.error_message is not None and "MCP_ENABLED=false" in outcome.error_message
    assert status.state == "disabled"
    assert listing.errors[server.id].code == "mcp_disabled"
    assert audit.entries == []
    assert echo.stats()["methods"] == {}


async def test_list_all_tools_reports_each_failing_server(echo: EchoServer, manager: MCPClientManager) -> None:
    good = echo.config(id="good")
    off = ms365_server(echo.mcp_url, enabled=False)
    broken = echo.config(id="broken").__class__(id="broken", name="Broken", url=echo.process.url + "/nothing")

    listing = await manager.list_all_tools(1, [good, off, broken])

    assert {tool.server_id for tool in listing.tools} == {"good"}
    assert listing.errors["ms365"].code == "server_disabled"
    assert listing.errors["broken"].code == "protocol_error"


async def test_a_failure_inside_the_app_is_reported_as_such(
    echo: EchoServer, manager: MCPClientManager, audit: MemoryAudit
) -> None:
    outcome = await manager.call_tool(1, echo.config(id="odd"), "echo_arguments", {"payload": {"when": object()}})
    after = await manager.call_tool(1, echo.config(id="odd"), "echo_headers", {"tag": "fine"})

    assert outcome.error_code == "internal_error" and outcome.outcome == "transport_error"
    assert outcome.error_message is not None and "failed inside this app" in outcome.error_message
    assert after.ok
    assert audit.entries[0].arguments["payload"]["when"].startswith("<object object")


async def test_users_of_one_server_share_its_tool_descriptions(echo: EchoServer, manager: MCPClientManager) -> None:
    server = echo.config(id="shared")
    echo.reset()
    first = {tool.name: tool for tool in await manager.list_tools(1, server)}
    second = {tool.name: tool for tool in await manager.list_tools(2, server)}
    other = {tool.name: tool for tool in await manager.list_tools(1, echo.config(id="shared-too"))}

    assert first.keys() == second.keys() and first
    assert all(second[name] is first[name] for name in first)
    assert all(other[name] is not first[name] and other[name].server_id == "shared-too" for name in first)
    assert echo.stats()["methods"]["tools/list"] == 3  # each user still lists the tools they are offered
