"""The one adapter that turns every MCP tool the user's servers offer into a registry tool."""

from __future__ import annotations

from typing import Any

from crm_app.mcp.config import ServerConfig
from crm_app.mcp.manager import MCPClientManager
from crm_app.mcp.results import ToolInfo
from crm_app.tools.base import BaseTool, ToolContext, ToolRegistry, ToolResult, ToolSchema


class MCPTool(BaseTool):
    def __init__(self, info: ToolInfo, server: ServerConfig, manager: MCPClientManager, name: str | None = None) -> None:
        self.info = info
        self.server = server
        self.manager = manager
        self.schema = ToolSchema(
            name=name or info.name,
            title=info.title,
            description=info.description,
            parameters=info.input_schema or {"type": "object", "properties": {}},
            source=server.id,
            read_only=info.annotations.read_only,
            destructive=info.annotations.destructive,
            output_schema=info.output_schema,
        )

    async def run(self, ctx: ToolContext, arguments: dict[str, Any]) -> ToolResult:
        outcome = await self.manager.call_tool(ctx.user_id, self.server, self.info.name, arguments)
        if not outcome.ok:
            return ToolResult(ok=False, tool=self.name, source=self.server.id, data=outcome.structured, text=outcome.text,
                              error_code=outcome.error_code or outcome.outcome,
                              error_message=outcome.error_message or f"{self.server.name} could not run {self.info.name}.",
                              latency_ms=outcome.latency_ms)
        return ToolResult(ok=True, tool=self.name, source=self.server.id, data=outcome.structured, text=outcome.text,
                          latency_ms=outcome.latency_ms)


async def add_mcp_tools(registry: ToolRegistry, manager: MCPClientManager, user_id: int,
                        servers: list[ServerConfig]) -> None:
    """Register every tool of every enabled server; a server that fails is recorded, not fatal."""
    if not servers:
        return
    listing = await manager.list_all_tools(user_id, servers)
    by_id = {s.id: s for s in servers}
    for info in listing.tools:
        server = by_id.get(info.server_id)
        if server is None:
            continue
        name = info.name if info.name not in registry else f"{server.id}__{info.name}"
        registry.register(MCPTool(info, server, manager, name=name))
    for server_id, error in listing.errors.items():
        registry.unavailable[server_id] = error.message
