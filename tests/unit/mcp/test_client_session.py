"""The app's MCP ``ClientSession``: tool results checked by a compiled validator, the SDK's errors kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp import ClientSession as SdkClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.server.mcpserver import MCPServer
from mcp_types import Tool
from pydantic import BaseModel

from crm_app.mcp.client_session import ClientSession

ORIGIN = "http://127.0.0.1:8001"


class Tally(BaseModel):
    count: int
    label: str


class PublishedSchemaServer(MCPServer):
    """Lists its tools with whatever output schema a test publishes, whatever the tool returns."""

    published: dict[str, Any] | None = None

    async def list_tools(self) -> list[Tool]:
        tools = await super().list_tools()
        if self.published is None:
            return tools
        return [tool.model_copy(update={"output_schema": self.published}) for tool in tools]


def build_server() -> PublishedSchemaServer:
    server = PublishedSchemaServer("tally")

    @server.tool(name="tally")
    async def tally() -> Tally:
        return Tally(count=3, label="three")

    return server


@asynccontextmanager
async def session_on(server: MCPServer) -> AsyncIterator[ClientSession]:
    app = server.streamable_http_app(stateless_http=True, json_response=True, host="127.0.0.1")
    client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=ORIGIN)
    async with app.router.lifespan_context(app), client:
        async with streamable_http_client(f"{ORIGIN}/mcp", http_client=client) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                yield session


@pytest.fixture
def sdk_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the tools whose results reached the SDK's own (pure-Python) check."""
    seen: list[str] = []
    original = SdkClientSession.validate_tool_result

    async def recording(self: SdkClientSession, name: str, result: Any) -> None:
        seen.append(name)
        await original(self, name, result)

    monkeypatch.setattr(SdkClientSession, "validate_tool_result", recording)
    return seen


async def test_a_conforming_result_is_accepted_without_the_sdk_check(sdk_checks: list[str]) -> None:
    async with session_on(build_server()) as session:
        await session.list_tools()
        result = await session.call_tool("tally", {})
    assert not result.is_error
    assert result.structured_content == {"count": 3, "label": "three"}
    assert sdk_checks == []


async def test_a_result_breaking_the_schema_gets_the_sdk_error(sdk_checks: list[str]) -> None:
    server = build_server()
    server.published = {
        "type": "object",
        "properties": {"count": {"type": "string"}, "label": {"type": "string"}},
        "required": ["count", "label"],
    }
    async with session_on(server) as session:
        await session.list_tools()
        with pytest.raises(RuntimeError, match="Invalid structured content returned by tool tally"):
            await session.call_tool("tally", {})
    assert sdk_checks == ["tally"]


async def test_an_unlisted_tool_is_checked_by_the_sdk(sdk_checks: list[str]) -> None:
    async with session_on(build_server()) as session:
        result = await session.call_tool("tally", {})
    assert not result.is_error
    assert sdk_checks == ["tally"]


async def test_a_schema_the_validator_cannot_compile_falls_back_to_the_sdk(sdk_checks: list[str]) -> None:
    server = build_server()
    remote = {"$ref": "https://schemas.example.invalid/count.json"}
    server.published = {"type": "object", "properties": {"count": remote}}
    async with session_on(server) as session:
        await session.list_tools()
        with pytest.raises(RuntimeError, match="Invalid schema for tool tally"):
            await session.call_tool("tally", {})
    assert sdk_checks == ["tally"]


async def test_a_relisted_schema_replaces_the_compiled_one(sdk_checks: list[str]) -> None:
    server = build_server()
    async with session_on(server) as session:
        await session.list_tools()
        await session.call_tool("tally", {})
        server.published = {"type": "object", "properties": {"label": {"type": "integer"}}}
        await session.list_tools()
        with pytest.raises(RuntimeError, match="Invalid structured content"):
            await session.call_tool("tally", {})
    assert sdk_checks == ["tally"]
