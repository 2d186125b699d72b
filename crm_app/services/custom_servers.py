"""Further MCP servers a user adds in Settings: list, add, switch on or off, remove, test."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from sqlmodel import col, func, select

from crm_app.db import session_scope
from crm_app.mcp import InvalidServerConfig, custom_server
from crm_app.mcp.config import CUSTOM_SERVER_PREFIX
from crm_app.microsoft import get_cipher
from crm_app.models import McpServer
from crm_app.services import url_policy
from crm_app.services.errors import NotFound, ServiceError, ValidationFailed
from crm_app.services.integration_views import CustomServerView, ServerView, TestResult
from crm_app.services.live_checks import check_servers
from crm_app.services.mcp_runtime import custom_config, get_mcp_manager
from crm_app.settings import get_settings

logger = logging.getLogger(__name__)

MAX_CUSTOM_SERVERS = 20
MAX_SERVER_NAME = 100
MAX_SERVER_URL = 2000
MAX_HEADER_VALUE = 4000
GONE = "That tool server no longer exists. Reload Settings."

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
        checks = await check_servers(user_id, configs) if configs else {}
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
    server = (await check_servers(user_id, [config]))[config.id]
    view = _custom_view(row, server)
    if server.connected:
        latency = f" in {server.latency_ms:.0f} ms" if server.latency_ms is not None else ""
        return TestResult(True, f"{row.name} answered{latency} with {len(server.tools)} tools.", view)
    return TestResult(False, server.last_error or f"{row.name} did not answer. Check its address.", view)
