"""In-process MS365 MCP server with a scripted Graph (httpx MockTransport) behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from crm_app.ms365_mcp.server import Ms365McpServer, create_app
from crm_app.ms365_mcp.settings import Settings

GRAPH_BASE = "https://graph.test/v1.0"
MCP_ORIGIN = "http://127.0.0.1:8001"

Handler = Callable[[httpx.Request], httpx.Response]
SessionFactory = Callable[..., AbstractAsyncContextManager[ClientSession]]


class ScriptedGraph:
    """Routes each Graph request to `handler` and keeps every request for inspection."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.handler: Handler = lambda request: httpx.Response(404, json={"error": {"code": "NotScripted"}})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


@pytest.fixture
def graph() -> ScriptedGraph:
    return ScriptedGraph()


@asynccontextmanager
async def running_server(
    graph: ScriptedGraph, customize: Callable[[Ms365McpServer], None] | None = None
) -> AsyncIterator[SessionFactory]:
    """Serve the app in-process (lifespan included); yield a factory of MCP client sessions.

    `customize` may register extra tools on the server before it starts.
    """
    settings = Settings(GRAPH_BASE_URL=GRAPH_BASE, GRAPH_MAX_RETRIES=0)
    app = create_app(settings, transport=httpx.MockTransport(graph))
    if customize is not None:
        customize(app.state.mcp_server)

    @asynccontextmanager
    async def open_session(token: str | None = "token-avery") -> AsyncIterator[ClientSession]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=MCP_ORIGIN, headers=headers)
        async with client, streamable_http_client(f"{MCP_ORIGIN}/mcp", http_client=client) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                yield session

    async with app.router.lifespan_context(app):
        yield open_session


@pytest.fixture
def mcp_server(graph: ScriptedGraph) -> Callable[..., AbstractAsyncContextManager[SessionFactory]]:
    """`async with mcp_server() as open_session:` runs the server around a test body."""
    return lambda customize=None: running_server(graph, customize)
