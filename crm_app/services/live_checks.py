"""Live checks of tool servers for Settings: ping and tool list, within a time limit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from crm_app.db import utcnow
from crm_app.mcp import MCPError, ServerConfig, ServerStatus
from crm_app.services.integration_views import STATUS_UNAVAILABLE, ServerView, ToolView, tool_views
from crm_app.services.mcp_runtime import get_mcp_manager, servers_for_user
from crm_app.settings import get_settings

logger = logging.getLogger(__name__)

LIVE_CHECK_SECONDS = 8.0

async def check_servers(user_id: int, servers: Sequence[ServerConfig]) -> dict[str, ServerView]:
    """Ping each server and list its tools, within ``LIVE_CHECK_SECONDS``."""
    manager = get_mcp_manager()
    statuses: dict[str, ServerStatus] = {}
    timed_out = False
    try:
        async with asyncio.timeout(LIVE_CHECK_SECONDS):
            statuses = await manager.status(user_id, servers)
    except TimeoutError:
        timed_out = True
    views: dict[str, ServerView] = {}
    for server in servers:
        status = statuses.get(server.id)
        if status is None:
            message = (f"The {server.name} tool server did not answer within {LIVE_CHECK_SECONDS:g} s. "
                       "Check that it is running, then try again.") if timed_out else None
            views[server.id] = ServerView(server.id, server.name, server.url, server.enabled, STATUS_UNAVAILABLE,
                                          last_error=message, checked_at=utcnow())
            continue
        tools: tuple[ToolView, ...] = ()
        if status.connected:
            try:
                tools = tool_views(await manager.list_tools(user_id, server))
            except MCPError as exc:
                logger.info("tool list for %s failed after its status check: %s", server.id, type(exc).__name__)
        views[server.id] = ServerView(
            server_id=server.id,
            name=server.name,
            url=server.url,
            enabled=server.enabled,
            state=status.state,
            tools=tools,
            latency_ms=status.latency_ms,
            last_error=status.last_error,
            checked_at=status.checked_at,
        )
    return views


async def mcp_status(user_id: int) -> dict[str, object]:
    """Every tool server of the user, checked now: ``GET /api/v1/mcp/status``."""
    settings = get_settings()
    if not settings.mcp_enabled:
        return {"enabled": False, "servers": {}}
    servers = await asyncio.to_thread(servers_for_user, user_id)
    views = await check_servers(user_id, servers) if servers else {}
    return {"enabled": True, "servers": {server_id: view.to_json() for server_id, view in views.items()}}
