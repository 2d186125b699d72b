"""Handles on the sandbox (admin API) and on an MS365 MCP server (an MCP client), for the integration tests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from tests.support.procs import ServerProcess

SANDBOX_NOW = "2025-06-16T12:00:00+00:00"
AVERY = "avery.chen@northwind.example"
JORDAN = "jordan.patel@northwind.example"
ALL_SCOPES = [
    "User.Read", "User.ReadBasic.All", "Group.Read.All", "People.Read", "Mail.ReadWrite", "Mail.Send",
    "Calendars.ReadWrite", "Calendars.Read.Shared", "Files.ReadWrite.All", "Sites.Read.All", "Team.ReadBasic.All",
    "Channel.ReadBasic.All", "ChannelMessage.Read.All", "ChannelMessage.Send",
]


@dataclass
class Sandbox:
    """The sandbox process and its admin API."""

    process: ServerProcess

    @property
    def graph_url(self) -> str:
        return f"{self.process.url}/v1.0"

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.request(method, f"{self.process.url}/_admin/{path}", json=body, timeout=30)
        assert response.status_code < 300, response.text
        return response.json()

    def token(self, user: str = AVERY, lifetime: int = 3600, scopes: list[str] | None = None) -> str:
        answer = self.admin("POST", "tokens", {"user": user, "scopes": scopes or ALL_SCOPES, "lifetime": lifetime})
        return str(answer["access_token"])

    def fault(self, **rule: Any) -> None:
        self.admin("POST", "faults", rule)

    def clear_faults(self) -> None:
        self.admin("DELETE", "faults")

    def stats(self) -> dict[str, Any]:
        return self.admin("GET", "stats")

    def requests_to(self, path: str) -> int:
        return int(self.stats()["requests_by_path"].get(path, 0))

    def inject(self, **message: Any) -> dict[str, Any]:
        return self.admin("POST", "messages", {"user": AVERY, **message})


@dataclass
class Mcp:
    """An MS365 MCP server process and an MCP client for it."""

    process: ServerProcess

    @property
    def url(self) -> str:
        return f"{self.process.url}/mcp"

    @asynccontextmanager
    async def session(self, token: str | None) -> AsyncIterator[ClientSession]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
            async with streamable_http_client(self.url, http_client=http) as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    await session.initialize()
                    yield session

    async def call(self, token: str | None, tool: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
        async with self.session(token) as session:
            return await session.call_tool(tool, arguments or {})

    async def data(self, token: str | None, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """The structured result of a call that must succeed."""
        result = await self.call(token, tool, arguments)
        assert not result.is_error, result.content[0].text
        assert isinstance(result.structured_content, dict)
        return result.structured_content


def tool_error(result: CallToolResult) -> dict[str, Any]:
    """The `{"code", "status", "message"}` object that opens a failed tool result's text."""
    assert result.is_error, result.structured_content
    return json.loads(result.content[0].text.splitlines()[0])["error"]
