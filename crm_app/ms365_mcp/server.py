"""The MS365 MCP server: tools over Microsoft Graph, served as Streamable HTTP at `/mcp`.

The server keeps no user state. Each MCP HTTP request carries the user's
delegated Graph token as `Authorization: Bearer ...`; a tool reads it from
that request and passes it on to Graph for that call only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp_types import CallToolResult, InputRequiredResult, TextContent
from mcp_types import Tool as MCPTool
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from crm_app.ms365_mcp.errors import INTERNAL_ERROR_CODE, TOOL_ERROR_CODE, UNKNOWN_TOOL_CODE, ArgumentError, Ms365Error
from crm_app.ms365_mcp.graph import GraphClient
from crm_app.ms365_mcp.schema import compact_schema
from crm_app.ms365_mcp.settings import Settings
from crm_app.ms365_mcp.tools import calendar, directory, files, mail, sharepoint, teams
from crm_app.ms365_mcp.tools.common import add_tools

logger = logging.getLogger(__name__)

SERVER_NAME = "ms365"
SERVER_VERSION = "1.0.0"
MCP_PATH = "/mcp"
HEALTH_PATH = "/health"
INSTRUCTIONS = (
    "Tools over the signed-in user's Microsoft 365 (Outlook mail and calendar, OneDrive, SharePoint, Teams, "
    "directory). Email search results carry only a 255-character preview: fetch the full body with "
    "outlook_get_email before quoting or summarising an email. Tools that send, create, share or post act at "
    "once and cannot be undone: confirm with the user first. A result with isError starts with a JSON line "
    "{\"error\": {\"code\", \"status\", \"message\"}}; report the message honestly and never invent data."
)


class Ms365McpServer(MCPServer):
    """`MCPServer` whose tool failures all follow the one-line-JSON error format
    and whose output schemas are published in compact form (see `compact_schema`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listed: list[MCPTool] | None = None

    def add_tool(self, *args: Any, **kwargs: Any) -> None:
        self._listed = None
        super().add_tool(*args, **kwargs)

    def remove_tool(self, name: str) -> None:
        self._listed = None
        super().remove_tool(name)

    async def list_tools(self) -> list[MCPTool]:
        if self._listed is None:
            tools = await super().list_tools()
            self._listed = [
                tool.model_copy(update={"output_schema": compact_schema(tool.output_schema)})
                if tool.output_schema else tool
                for tool in tools
            ]
        return self._listed

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context | None = None
    ) -> CallToolResult | InputRequiredResult:
        started = time.perf_counter()
        try:
            result = await super().call_tool(name, arguments, context)
        except ToolError as exc:
            error = self._as_ms365_error(name, exc)
            logger.info(
                "tool %s failed in %.0f ms: %s (status %s)",
                name, (time.perf_counter() - started) * 1000, error.code, error.status,
            )
            return CallToolResult(content=[TextContent(type="text", text=error.to_text())], is_error=True)
        logger.info("tool %s ok in %.0f ms", name, (time.perf_counter() - started) * 1000)
        return result

    @staticmethod
    def _as_ms365_error(name: str, exc: ToolError) -> Ms365Error:
        cause = exc.__cause__
        if isinstance(cause, Ms365Error):
            return cause
        if isinstance(cause, ValidationError):
            return validation_error(cause)
        if isinstance(exc, UnexpectedToolError):
            logger.error("tool %s crashed", name, exc_info=cause or exc)
            return Ms365Error(
                f"The tool {name} failed unexpectedly on the server; the failure has been logged. "
                "Try again; if it keeps failing, report it to the administrator.",
                code=INTERNAL_ERROR_CODE,
                status=500,
            )
        if str(exc).startswith("Unknown tool"):
            return Ms365Error(f"{exc}. Call tools/list to see the available tool names.", code=UNKNOWN_TOOL_CODE)
        return Ms365Error(f"{exc}. Correct the request and try again.", code=TOOL_ERROR_CODE)


def validation_error(error: ValidationError) -> ArgumentError:
    """An `ArgumentError` naming each invalid argument and what is wrong with it."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in item["loc"]) or "arguments"
        message = str(item.get("msg") or "invalid value").removeprefix("Value error, ")
        problems.append((field, message))
    return ArgumentError.from_problems(problems or [("arguments", "invalid value")])


def build_server(graph: GraphClient) -> Ms365McpServer:
    """The MCP server with every tool registered, calling Graph through `graph`."""
    server = Ms365McpServer(
        SERVER_NAME,
        title="Microsoft 365",
        instructions=INSTRUCTIONS,
        version=SERVER_VERSION,
        log_level=graph.settings.log_level,
    )
    for module in (mail, calendar, files, sharepoint, teams, directory):
        add_tools(server, graph, module.TOOLS)
    return server


def create_app(settings: Settings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> Starlette:
    """The ASGI application: `/mcp` (Streamable HTTP, stateless, JSON responses) and `/health`.

    The pooled Graph client opens with the application and closes with it.
    """
    settings = settings or Settings()
    graph = GraphClient(settings, transport=transport)
    server = build_server(graph)
    @server.custom_route(HEALTH_PATH, methods=["GET"])
    async def health(_: Request) -> JSONResponse:
        return JSONResponse(
            {"status": "ok", "server": SERVER_NAME, "version": SERVER_VERSION, "tools": len(await server.list_tools()),
             "graph_base_url": settings.graph_base_url}
        )

    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        host=settings.host,
    )
    serve_sessions = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(asgi_app: Starlette) -> AsyncIterator[None]:
        async with graph, serve_sessions(asgi_app):
            yield

    app.router.lifespan_context = lifespan
    app.state.graph = graph
    app.state.mcp_server = server
    return app
