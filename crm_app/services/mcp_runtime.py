"""The app's MCP wiring: one client manager per process, tokens from the vault, calls audited.

The assistant uses two functions:

* ``get_mcp_manager()`` — the ``crm_app.mcp.MCPClientManager`` of this process (of the
  running event loop), with the token vault as its ``TokenProvider`` and the audit table
  as its ``AuditSink``. Call it from async code.
* ``servers_for_user(user_id)`` — the tool servers this user's assistant may use now:
  Microsoft 365 (``MS365_MCP_URL``) while the user's connection is active, plus every
  server the user added in Settings and left enabled. Empty when ``MCP_ENABLED=false``.

Typical use::

    manager = get_mcp_manager()
    servers = await asyncio.to_thread(servers_for_user, user.id)
    listing = await manager.list_all_tools(user.id, servers)
    outcome = await manager.call_tool(user.id, server, "outlook_search_emails", {"query": "report"})

Every ``call_tool`` is written to the ``audit_entries`` table (arguments redacted).
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from dataclasses import dataclass, field

from sqlmodel import col, select

from crm_app.db import session_scope
from crm_app.mcp import (
    MS365_SERVER_ID,
    AuditEntry,
    InvalidServerConfig,
    MCPClientManager,
    ServerConfig,
    custom_server,
    ms365_server,
)
from crm_app.mcp.config import CUSTOM_SERVER_PREFIX
from crm_app.mcp.redact import truncate
from crm_app.microsoft import NotConnected, ReconnectRequired, TokenDecryptionFailed, TokenVault, get_cipher
from crm_app.microsoft.oauth import get_oauth_client
from crm_app.microsoft.vault import connection_of
from crm_app.models import AuditEntry as AuditRow
from crm_app.models import McpServer
from crm_app.services import url_policy
from crm_app.settings import get_settings
from crm_app.tools.base import ToolRegistry

logger = logging.getLogger(__name__)

BREAKER_RESET_SECONDS = 10.0
# A user who has left stops holding an open MCP session (HTTP client, event stream) within about a minute.
SESSION_IDLE_CLOSE_SECONDS = 45.0
HEALTH_INTERVAL_SECONDS = 30.0
MAX_AUDIT_ARGUMENT_CHARS = 20_000
MAX_AUDIT_ERROR_CHARS = 2_000
RECONNECT_ERRORS: tuple[type[Exception], ...] = (ReconnectRequired, NotConnected, TokenDecryptionFailed)


@dataclass
class _AuditQueue:
    """One event loop's audit rows waiting for the next write, and the task writing them."""

    pending: list[tuple[AuditEntry, asyncio.Future[None]]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None


_audit_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _AuditQueue] = weakref.WeakKeyDictionary()


class DatabaseAuditSink:
    """Writes each audited tool call as a row of ``audit_entries``.

    Group commit: the calls audited (through any sink of this event loop) while a write is under way
    are written together by the next one, in one transaction, and each ``record`` returns once its own
    row is committed. Under load that is one thread hop and one commit for many tool calls instead of
    one each. If a batch fails, its rows are written one by one, so only a bad row's caller hears of it.
    """

    async def record(self, entry: AuditEntry) -> None:
        loop = asyncio.get_running_loop()
        queue = _audit_queues.setdefault(loop, _AuditQueue())
        done = loop.create_future()
        queue.pending.append((entry, done))
        if queue.writer is None or queue.writer.done():
            queue.writer = loop.create_task(self._drain(queue))
        await done

    async def _drain(self, queue: _AuditQueue) -> None:
        while queue.pending:
            batch, queue.pending = queue.pending, []
            try:
                await asyncio.to_thread(self._write, [entry for entry, _ in batch])
            except Exception:  # noqa: BLE001 - retried row by row below
                for entry, done in batch:
                    await self._write_one(entry, done)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _write_one(self, entry: AuditEntry, done: asyncio.Future[None]) -> None:
        try:
            await asyncio.to_thread(self._write, [entry])
        except Exception as exc:  # noqa: BLE001 - the caller of this row decides what a failed audit means
            if not done.done():
                done.set_exception(exc)
            return
        if not done.done():
            done.set_result(None)

    @staticmethod
    def _write(entries: list[AuditEntry]) -> None:
        with session_scope() as s:
            s.add_all([_audit_row(entry) for entry in entries])


def _audit_row(entry: AuditEntry) -> AuditRow:
    arguments = json.dumps(entry.arguments, ensure_ascii=False, default=str, separators=(",", ":"))
    return AuditRow(
        user_id=entry.user_id,
        server_id=entry.server_id[:100],
        tool=entry.tool[:200],
        arguments=truncate(arguments, MAX_AUDIT_ARGUMENT_CHARS),
        outcome=entry.outcome,
        error=truncate(entry.error, MAX_AUDIT_ERROR_CHARS) if entry.error else None,
        latency_ms=round(entry.latency_ms, 3),
        at=entry.at,
    )


@dataclass
class McpRuntime:
    """What one event loop shares: the manager and the vault it draws tokens from."""

    manager: MCPClientManager
    vault: TokenVault
    loop: asyncio.AbstractEventLoop


_runtime: McpRuntime | None = None


def _build(loop: asyncio.AbstractEventLoop) -> McpRuntime:
    settings = get_settings()
    vault = TokenVault(get_oauth_client)
    manager = MCPClientManager(
        token_provider=vault,
        audit_sink=DatabaseAuditSink(),
        reconnect_errors=RECONNECT_ERRORS,
        enabled=settings.mcp_enabled,
        timeout_seconds=settings.mcp_timeout_seconds,
        breaker_reset_seconds=BREAKER_RESET_SECONDS,
        idle_close_seconds=SESSION_IDLE_CLOSE_SECONDS,
        health_interval=HEALTH_INTERVAL_SECONDS,
    )
    manager.start()
    return McpRuntime(manager=manager, vault=vault, loop=loop)


def get_runtime() -> McpRuntime:
    """This event loop's runtime, made on first use. Must be called with a running loop."""
    global _runtime
    loop = asyncio.get_running_loop()
    if _runtime is None or _runtime.loop is not loop:
        _runtime = _build(loop)
    return _runtime


def get_mcp_manager() -> MCPClientManager:
    """The MCP client manager of this process (see the module docstring)."""
    return get_runtime().manager


def get_vault() -> TokenVault:
    """The token vault the manager draws Microsoft 365 tokens from."""
    return get_runtime().vault


async def shutdown() -> None:
    """Close every MCP session of this process (on app shutdown)."""
    global _runtime
    runtime, _runtime = _runtime, None
    if runtime is not None and runtime.loop is asyncio.get_running_loop():
        await runtime.manager.close()


def ms365_config() -> ServerConfig:
    """The Microsoft 365 tool server of this installation (``MS365_MCP_URL``)."""
    return ms365_server(get_settings().effective_ms365_mcp_url)


def custom_config(row: McpServer) -> ServerConfig:
    """A user-added server as the manager sees it, its header value decrypted."""
    value = get_cipher().decrypt(row.header_value_enc) if row.header_value_enc else None
    return custom_server(
        row.id or 0, name=row.name, url=row.url, header_name=row.header_name, header_value=value, enabled=row.enabled
    )


def servers_for_user(user_id: int, refused: dict[str, str] | None = None) -> list[ServerConfig]:
    """The tool servers the user's assistant may use now (a quick database read; blocking).

    Microsoft 365 is included while the user's connection is active (not after a failed
    renewal, not after disconnecting); user-added servers while they are enabled and their address
    still passes the host policy (``MCP_ALLOWED_HOSTS``) when it is resolved now, so a name that has
    come to point at an internal address, or a server saved before the policy changed, is not used.
    The servers left out for that reason go into ``refused`` (server id → why), when given.
    """
    settings = get_settings()
    if not settings.mcp_enabled:
        return []
    servers: list[ServerConfig] = []
    with session_scope() as s:
        connection = connection_of(user_id, s)
        rows = s.exec(
            select(McpServer).where(McpServer.user_id == user_id, col(McpServer.enabled).is_(True)).order_by(col(McpServer.id))
        ).all()
    if connection is not None and connection.usable:
        servers.append(ms365_config())
    policy = url_policy.current_policy()
    for row in rows:
        try:
            policy.check(row.url)
        except url_policy.UrlRefused as exc:
            logger.warning("skipping tool server %s of user %s: its address is refused by the host policy", row.id,
                           user_id)
            if refused is not None:
                refused[f"{CUSTOM_SERVER_PREFIX}{row.id}"] = f"{row.name} is not used: {exc}"
            continue
        try:
            servers.append(custom_config(row))
        except (InvalidServerConfig, TokenDecryptionFailed) as exc:
            logger.warning("skipping tool server %s of user %s: %s", row.id, user_id, exc.code)
    return servers


async def add_user_tools(registry: ToolRegistry, user_id: int) -> None:
    """Register every tool the user's servers offer now on `registry`; when there are none, why, in `unavailable`."""
    from crm_app.tools.mcp_adapter import add_mcp_tools

    refused: dict[str, str] = {}
    servers = await asyncio.to_thread(servers_for_user, user_id, refused)
    registry.unavailable.update(refused)
    if not servers:
        registry.unavailable["ms365"] = await asyncio.to_thread(connection_hint, user_id)
        return
    await add_mcp_tools(registry, get_mcp_manager(), user_id, servers)


def connection_hint(user_id: int) -> str:
    """Why the user's assistant has no Microsoft 365 tools right now, in one sentence (blocking)."""
    settings = get_settings()
    if not settings.mcp_enabled:
        return "Microsoft 365 and other tool servers are turned off on this installation (MCP_ENABLED=false)."
    connection = connection_of(user_id)
    if connection is None:
        return "Microsoft 365 isn't connected yet. Open Settings → Microsoft 365 and click Connect, then ask again."
    if not connection.usable:
        return ("Your Microsoft 365 connection needs to be renewed (Reconnect needed). Open Settings → Microsoft 365 "
                "and click Connect; your CRM data is kept.")
    return "Microsoft 365 is connected, but its tool server gave no tools. Test the connection in Settings."


__all__ = [
    "MS365_SERVER_ID",
    "DatabaseAuditSink",
    "add_user_tools",
    "McpRuntime",
    "connection_hint",
    "custom_config",
    "get_mcp_manager",
    "get_runtime",
    "get_vault",
    "ms365_config",
    "servers_for_user",
    "shutdown",
]
