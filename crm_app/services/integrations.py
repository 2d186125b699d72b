"""Connecting Microsoft 365 and further MCP servers: the use cases behind Settings and the JSON API.

No Reflex here. Blocking work (msal, the database) runs in worker threads; every
function is a coroutine for the event loop. Nothing returned holds a token or a
header value. The views live in `integration_views`, the live checks in
`live_checks`, the user's own servers in `custom_servers`; their public names
are available from here too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from crm_app.mcp import MS365_SERVER_ID
from crm_app.microsoft import Connection, connection_of, delete_connection, get_oauth_client, store_grant
from crm_app.microsoft.scopes import parse_areas, scopes_for
from crm_app.microsoft.states import claim, new_state, save_pending
from crm_app.services.auth import SignedInUser
from crm_app.services.custom_servers import (
    MAX_CUSTOM_SERVERS,
    add_custom_server,
    list_custom_servers,
    remove_custom_server,
    set_custom_server_enabled,
    test_custom_server,
)
from crm_app.services.integration_views import (
    STATUS_CONNECTED,
    STATUS_DISABLED,
    STATUS_NOT_CONNECTED,
    STATUS_RECONNECT,
    STATUS_UNAVAILABLE,
    STATUS_UNCHECKED,
    CustomServerView,
    IntegrationError,
    Ms365View,
    ServerView,
    TestResult,
    ToolView,
    tool_area,
    tool_views,
)
from crm_app.services.live_checks import LIVE_CHECK_SECONDS, check_servers, mcp_status
from crm_app.services.mcp_runtime import get_mcp_manager, get_runtime, ms365_config
from crm_app.settings import get_settings

__all__ = [
    "LIVE_CHECK_SECONDS",
    "MAX_CUSTOM_SERVERS",
    "STATUS_CONNECTED",
    "STATUS_DISABLED",
    "STATUS_NOT_CONNECTED",
    "STATUS_RECONNECT",
    "STATUS_UNAVAILABLE",
    "STATUS_UNCHECKED",
    "CustomServerView",
    "IntegrationError",
    "Ms365View",
    "ServerView",
    "TestResult",
    "ToolView",
    "add_custom_server",
    "begin_connect",
    "disconnect_ms365",
    "finish_connect",
    "list_custom_servers",
    "mcp_status",
    "ms365_view",
    "remove_custom_server",
    "requested_scopes",
    "set_custom_server_enabled",
    "test_custom_server",
    "test_ms365",
    "tool_area",
    "tool_views",
]

logger = logging.getLogger(__name__)


# ---- Microsoft 365: connect, status, test, disconnect


def requested_scopes() -> list[str]:
    """The Graph permissions a connection asks for, from ``MS365_TOOL_AREAS``."""
    try:
        areas = parse_areas(get_settings().ms365_tool_areas)
    except ValueError as exc:
        raise IntegrationError(f"{exc} An administrator should correct MS365_TOOL_AREAS.") from exc
    return scopes_for(areas)


async def begin_connect(user: SignedInUser) -> str:
    """Start connecting Microsoft 365: remember a single-use state for this session; the consent URL."""
    scopes = requested_scopes()

    def start() -> str:
        state = new_state()
        flow = get_oauth_client().begin(scopes, state)
        save_pending(user.id, user.session_id, state, flow)
        return str(flow["auth_uri"])

    return await asyncio.to_thread(start)


async def finish_connect(user: SignedInUser, params: Mapping[str, str]) -> Connection:
    """Complete a connection from the redirect's query parameters.

    Raises ``StateRejected`` (tampered, replayed, expired or foreign state — nothing
    changes), ``ConsentDeclined``, ``AuthorizationFailed`` or ``IdentityUnavailable``.
    """
    answer = {key: str(value) for key, value in params.items()}

    def complete() -> Connection:
        flow = claim(answer.get("state"), user.id, user.session_id)
        grant = get_oauth_client().complete(flow, answer)
        return store_grant(user.id, grant)

    connection = await asyncio.to_thread(complete)
    runtime = get_runtime()
    runtime.vault.forget(user.id)
    await runtime.manager.invalidate(user.id, MS365_SERVER_ID)
    logger.info("user %s connected Microsoft 365", user.id)
    return connection


def _ms365_status(connection: Connection | None, server: ServerView | None) -> str:
    if connection is None:
        return STATUS_NOT_CONNECTED
    if connection.needs_reconnect:
        return STATUS_RECONNECT
    if server is not None and server.state in (STATUS_RECONNECT, STATUS_UNAVAILABLE):
        return server.state
    return STATUS_CONNECTED


async def ms365_view(user_id: int, *, live: bool = True) -> Ms365View:
    """The Microsoft 365 connection; with ``live``, its tool server checked now (ping and tools)."""
    settings = get_settings()
    connection = await asyncio.to_thread(connection_of, user_id)
    server: ServerView | None = None
    if live and settings.mcp_enabled and connection is not None and connection.usable:
        config = ms365_config()
        server = (await check_servers(user_id, [config]))[config.id]
        if server.state == STATUS_RECONNECT:
            connection = await asyncio.to_thread(connection_of, user_id)
    try:
        scopes = tuple(requested_scopes())
    except IntegrationError:
        scopes = ()
    return Ms365View(
        status=_ms365_status(connection, server),
        demo_tenant=settings.uses_sandbox,
        mcp_enabled=settings.mcp_enabled,
        connection=connection,
        server=server,
        requested_scopes=scopes,
    )


async def test_ms365(user_id: int) -> TestResult:
    """Check the connection afresh: renew the token if due, reach the tool server, list its tools."""
    await get_mcp_manager().invalidate(user_id, MS365_SERVER_ID)
    view = await ms365_view(user_id, live=True)
    if view.status == STATUS_NOT_CONNECTED:
        return TestResult(False, "Microsoft 365 is not connected. Connect it first.", view)
    if not view.mcp_enabled:
        return TestResult(False, "Tool servers are turned off on this installation (MCP_ENABLED=false).", view)
    if view.status == STATUS_CONNECTED and view.server is not None:
        latency = f" in {view.server.latency_ms:.0f} ms" if view.server.latency_ms is not None else ""
        return TestResult(True, f"Microsoft 365 answered{latency} with {len(view.server.tools)} tools.", view)
    return TestResult(False, view.last_error or "Microsoft 365 did not answer. Try again in a moment.", view)


async def disconnect_ms365(user_id: int) -> bool:
    """Delete the user's Microsoft 365 tokens and connection; CRM data stays. False if none existed."""
    removed = await asyncio.to_thread(delete_connection, user_id)
    runtime = get_runtime()
    runtime.vault.forget(user_id)
    await runtime.manager.invalidate(user_id)
    if removed:
        logger.info("user %s disconnected Microsoft 365", user_id)
    return removed
