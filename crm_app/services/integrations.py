"""Connecting Microsoft 365 and further MCP servers: the use cases behind Settings and the JSON API.

No Reflex here. Blocking work (msal, the database) runs in worker threads; every
function is a coroutine for the event loop. Nothing returned holds a token or a
header value.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import col, func, select

from crm_app.db import session_scope, utcnow
from crm_app.mcp import (
    MS365_SERVER_ID,
    InvalidServerConfig,
    MCPError,
    ServerConfig,
    ServerStatus,
    ToolInfo,
    custom_server,
)
from crm_app.mcp.config import CUSTOM_SERVER_PREFIX
from crm_app.microsoft import (
    Connection,
    connection_of,
    delete_connection,
    get_cipher,
    get_oauth_client,
    store_grant,
)
from crm_app.microsoft.scopes import AREA_DIRECTORY, AREA_LABELS, parse_areas, scopes_for
from crm_app.microsoft.states import claim, new_state, save_pending
from crm_app.models import McpServer
from crm_app.services import url_policy
from crm_app.services.auth import SignedInUser
from crm_app.services.errors import NotFound, ServiceError, ValidationFailed
from crm_app.services.mcp_runtime import custom_config, get_mcp_manager, get_runtime, ms365_config
from crm_app.settings import get_settings

logger = logging.getLogger(__name__)

LIVE_CHECK_SECONDS = 8.0
MAX_CUSTOM_SERVERS = 20
MAX_SERVER_NAME = 100
MAX_SERVER_URL = 2000
MAX_HEADER_VALUE = 4000
AREA_OTHER = "other"
OTHER_LABEL = "Other tools"
GONE = "That tool server no longer exists. Reload Settings."

STATUS_NOT_CONNECTED = "not_connected"
STATUS_CONNECTED = "connected"
STATUS_UNAVAILABLE = "unavailable"
STATUS_RECONNECT = "reconnect_needed"
STATUS_DISABLED = "disabled"
STATUS_UNCHECKED = "unchecked"

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_AREA_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("sharepoint", frozenset({"sharepoint", "site", "sites"})),
    ("teams", frozenset({"teams", "team", "channel", "channels", "chat", "chats"})),
    ("calendar", frozenset({"calendar", "calendars", "event", "events", "meeting", "meetings", "schedule"})),
    ("files", frozenset({"onedrive", "drive", "file", "files", "document", "documents", "folder"})),
    ("mail", frozenset({"outlook", "mail", "email", "emails", "message", "messages", "inbox", "draft", "reply"})),
    (AREA_DIRECTORY, frozenset({"directory", "people", "person", "user", "users", "group", "groups", "contact"})),
)


class IntegrationError(ServiceError):
    """An integration action could not be done; the message says why and what to do."""


# ---- views (what the UI and the API show)


@dataclass(frozen=True)
class ToolView:
    """One tool as the Settings panel lists it."""

    name: str
    title: str
    description: str
    area: str
    area_label: str
    read_only: bool

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "title": self.title, "area": self.area, "read_only": self.read_only}


@dataclass(frozen=True)
class ServerView:
    """A tool server's live state for one user."""

    server_id: str
    name: str
    url: str
    enabled: bool
    state: str
    tools: tuple[ToolView, ...] = ()
    latency_ms: float | None = None
    last_error: str | None = None
    checked_at: dt.datetime | None = None

    @property
    def connected(self) -> bool:
        return self.state == STATUS_CONNECTED

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "enabled": self.enabled,
            "connected": self.connected,
            "state": self.state,
            "tool_count": len(self.tools),
            "tools": [tool.name for tool in self.tools],
            "latency_ms": round(self.latency_ms, 1) if self.latency_ms is not None else None,
            "last_error": self.last_error,
            "checked_at": _iso(self.checked_at),
        }


@dataclass(frozen=True)
class Ms365View:
    """The Microsoft 365 card: the connection and, when live-checked, its tool server."""

    status: str
    demo_tenant: bool
    mcp_enabled: bool
    connection: Connection | None
    server: ServerView | None = None
    requested_scopes: tuple[str, ...] = ()

    @property
    def connected(self) -> bool:
        return self.status == STATUS_CONNECTED

    @property
    def last_error(self) -> str | None:
        own = self.connection.last_error if self.connection is not None else None
        if self.server is not None and self.server.last_error and (self.status == STATUS_UNAVAILABLE or not own):
            return self.server.last_error
        return own

    def to_json(self) -> dict[str, object]:
        conn = self.connection
        return {
            "connected": self.connected,
            "status": self.status,
            "demo_tenant": self.demo_tenant,
            "mcp_enabled": self.mcp_enabled,
            "account": {"email": conn.account_email, "name": conn.account_name} if conn else None,
            "connected_at": _iso(conn.connected_at) if conn else None,
            "token_expires_at": _iso(conn.token_expires_at) if conn else None,
            "scopes": list(conn.scopes) if conn else [],
            "sync": {"emails": conn.sync_emails, "calendars": conn.sync_calendars, "files": conn.sync_files}
            if conn else None,
            "last_error": self.last_error,
            "tools": [tool.to_json() for tool in self.server.tools] if self.server else [],
            "latency_ms": round(self.server.latency_ms, 1) if self.server and self.server.latency_ms else None,
            "checked_at": _iso(self.server.checked_at) if self.server else None,
        }


@dataclass(frozen=True)
class CustomServerView:
    """A server the user added, with its live state when checked. The header value is never shown."""

    number: int
    name: str
    url: str
    header_name: str | None
    enabled: bool
    server: ServerView | None = None

    @property
    def server_id(self) -> str:
        return f"{CUSTOM_SERVER_PREFIX}{self.number}"


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str
    view: Ms365View | CustomServerView = field(repr=False)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---- tools by area


def tool_area(name: str) -> str:
    """The area a tool belongs to, judged from the words of its name (any server's naming)."""
    words = {word.lower() for word in _WORD.findall(name.replace("-", "_"))}
    for area, vocabulary in _AREA_WORDS:
        if words & vocabulary:
            return area
    return AREA_OTHER


def tool_views(tools: Iterable[ToolInfo]) -> tuple[ToolView, ...]:
    """Tools sorted by area (in ``AREA_LABELS`` order, other tools last), then by name."""
    order = {area: index for index, area in enumerate(AREA_LABELS)}
    views = [
        ToolView(
            name=tool.name,
            title=tool.title or tool.name,
            description=tool.description,
            area=(area := tool_area(tool.name)),
            area_label=AREA_LABELS.get(area, OTHER_LABEL),
            read_only=tool.annotations.read_only,
        )
        for tool in tools
    ]
    return tuple(sorted(views, key=lambda v: (order.get(v.area, len(order)), v.name)))


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
        server = (await _check(user_id, [config]))[config.id]
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


# ---- live checks


async def _check(user_id: int, servers: Sequence[ServerConfig]) -> dict[str, ServerView]:
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
    from crm_app.services.mcp_runtime import servers_for_user

    settings = get_settings()
    if not settings.mcp_enabled:
        return {"enabled": False, "servers": {}}
    servers = await asyncio.to_thread(servers_for_user, user_id)
    views = await _check(user_id, servers) if servers else {}
    return {"enabled": True, "servers": {server_id: view.to_json() for server_id, view in views.items()}}


# ---- further MCP servers


def _rows(user_id: int) -> list[McpServer]:
    with session_scope() as s:
        return list(s.exec(select(McpServer).where(McpServer.user_id == user_id).order_by(col(McpServer.id))).all())


def _row(user_id: int, number: int) -> McpServer:
    with session_scope() as s:
        row = s.exec(select(McpServer).where(McpServer.id == number, McpServer.user_id == user_id)).first()
    if row is None:
        raise NotFound(GONE)
    return row


def _custom_view(row: McpServer, server: ServerView | None = None) -> CustomServerView:
    return CustomServerView(
        number=row.id or 0,
        name=row.name,
        url=row.url,
        header_name=row.header_name,
        enabled=row.enabled,
        server=server,
    )


async def list_custom_servers(user_id: int, *, live: bool = False) -> list[CustomServerView]:
    """The servers the user added; with ``live``, the enabled ones checked now."""
    rows = await asyncio.to_thread(_rows, user_id)
    checks: dict[str, ServerView] = {}
    if live and get_settings().mcp_enabled:
        configs = []
        for row in rows:
            if row.enabled:
                try:
                    configs.append(custom_config(row))
                except (InvalidServerConfig, ServiceError) as exc:
                    logger.warning("tool server %s of user %s is unusable: %s", row.id, user_id, exc)
        checks = await _check(user_id, configs) if configs else {}
    return [_custom_view(row, checks.get(f"{CUSTOM_SERVER_PREFIX}{row.id}")) for row in rows]


def _validated(name: str, url: str, header_name: str, header_value: str) -> tuple[str, str, str | None, str | None]:
    name, url = (name or "").strip(), (url or "").strip()
    header_name, header_value = (header_name or "").strip(), (header_value or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the server a name, such as “Everything demo”."
    elif len(name) > MAX_SERVER_NAME:
        errors["name"] = f"Names are limited to {MAX_SERVER_NAME} characters."
    if not url:
        errors["url"] = "Enter the server's MCP address, such as https://example.com/mcp."
    elif len(url) > MAX_SERVER_URL:
        errors["url"] = f"Addresses are limited to {MAX_SERVER_URL} characters."
    else:
        try:
            custom_server(0, name=name or "server", url=url)
        except InvalidServerConfig as exc:
            errors["url"] = exc.message
    if header_value and not header_name:
        errors["header_name"] = "Name the header the value goes in, such as X-API-Key or Authorization."
    if header_name:
        if len(header_value) > MAX_HEADER_VALUE:
            errors["header_value"] = f"Header values are limited to {MAX_HEADER_VALUE} characters."
        else:
            try:
                custom_server(0, name=name or "server", url="https://example.com", header_name=header_name,
                              header_value=header_value)
            except InvalidServerConfig as exc:
                errors["header_name"] = exc.message
    if errors:
        raise ValidationFailed(errors)
    return name, url, header_name or None, header_value if header_name else None


async def add_custom_server(user_id: int, *, name: str, url: str, header_name: str = "",
                            header_value: str = "") -> CustomServerView:
    """Add a server (enabled). Raises ``ValidationFailed`` with a message per field."""
    name, url, header, value = _validated(name, url, header_name, header_value)
    await asyncio.to_thread(url_policy.check_server_url, url)

    def add() -> McpServer:
        with session_scope() as s:
            count = s.exec(select(func.count()).select_from(McpServer).where(McpServer.user_id == user_id)).one()
            if count >= MAX_CUSTOM_SERVERS:
                raise ValidationFailed({"url": f"You can add up to {MAX_CUSTOM_SERVERS} tool servers. Remove one "
                                               "you no longer use first."})
            row = McpServer(user_id=user_id, name=name, url=url, header_name=header,
                            header_value_enc=get_cipher().encrypt(value) if value else None, enabled=True)
            s.add(row)
            s.flush()
            s.refresh(row)
            return row

    return _custom_view(await asyncio.to_thread(add))


async def set_custom_server_enabled(user_id: int, number: int, enabled: bool) -> CustomServerView:
    def update() -> McpServer:
        with session_scope() as s:
            row = s.exec(select(McpServer).where(McpServer.id == number, McpServer.user_id == user_id)).first()
            if row is None:
                raise NotFound(GONE)
            row.enabled = enabled
            s.add(row)
            s.flush()
            return row

    row = await asyncio.to_thread(update)
    await get_mcp_manager().invalidate(user_id, f"{CUSTOM_SERVER_PREFIX}{number}")
    return _custom_view(row)


async def remove_custom_server(user_id: int, number: int) -> None:
    def remove() -> None:
        with session_scope() as s:
            row = s.exec(select(McpServer).where(McpServer.id == number, McpServer.user_id == user_id)).first()
            if row is None:
                raise NotFound(GONE)
            s.delete(row)

    await asyncio.to_thread(remove)
    await get_mcp_manager().invalidate(user_id, f"{CUSTOM_SERVER_PREFIX}{number}")


async def test_custom_server(user_id: int, number: int) -> TestResult:
    """Check one added server now (even when it is disabled): reachable, and which tools."""
    row = await asyncio.to_thread(_row, user_id, number)
    if not get_settings().mcp_enabled:
        return TestResult(False, "Tool servers are turned off on this installation (MCP_ENABLED=false).",
                          _custom_view(row))
    config = dataclasses.replace(custom_config(row), enabled=True)
    await get_mcp_manager().invalidate(user_id, config.id)
    server = (await _check(user_id, [config]))[config.id]
    view = _custom_view(row, server)
    if server.connected:
        latency = f" in {server.latency_ms:.0f} ms" if server.latency_ms is not None else ""
        return TestResult(True, f"{row.name} answered{latency} with {len(server.tools)} tools.", view)
    return TestResult(False, server.last_error or f"{row.name} did not answer. Check its address.", view)
