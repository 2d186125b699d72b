"""`ToolSchema`, `ToolResult`, `BaseTool` and `ToolRegistry`: the one shape every tool takes."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crm_app.mcp.audit import AuditSink, audit_call

CRM_SOURCE = "crm"


@dataclass(frozen=True)
class ToolSchema:
    """What a tool is called, what it takes and whether it changes anything."""

    name: str
    description: str
    parameters: dict[str, Any]
    source: str = CRM_SOURCE
    title: str | None = None
    read_only: bool = True
    destructive: bool = False
    output_schema: dict[str, Any] | None = None

    @property
    def side_effect(self) -> bool:
        return not self.read_only

    @property
    def properties(self) -> dict[str, Any]:
        return dict(self.parameters.get("properties") or {})

    @property
    def required(self) -> list[str]:
        return list(self.parameters.get("required") or [])

    def to_openai(self) -> dict[str, Any]:
        """The function-calling shape litellm passes to every provider."""
        params = self.parameters if self.parameters.get("type") == "object" else {"type": "object", "properties": {}}
        return {"type": "function", "function": {"name": self.name, "description": self.description[:1024], "parameters": params}}


@dataclass(frozen=True)
class ToolResult:
    """The outcome of one tool run. Failures are results too, with a message for the user."""

    ok: bool
    tool: str
    source: str
    data: dict[str, Any] | None = None
    text: str = ""
    error_code: str | None = None
    error_message: str | None = None
    latency_ms: float = 0.0

    @classmethod
    def failure(cls, tool: str, source: str, message: str, code: str = "ToolError", latency_ms: float = 0.0) -> ToolResult:
        return cls(ok=False, tool=tool, source=source, error_code=code, error_message=message, latency_ms=latency_ms)


@dataclass(frozen=True)
class ToolContext:
    """Who a tool runs for."""

    user_id: int
    user_email: str = ""
    timezone: str = "UTC"


class BaseTool(abc.ABC):
    """A tool the assistant can run."""

    schema: ToolSchema

    @property
    def name(self) -> str:
        return self.schema.name

    @abc.abstractmethod
    async def run(self, ctx: ToolContext, arguments: dict[str, Any]) -> ToolResult: ...


@dataclass
class ToolRegistry:
    """The tools one user's assistant may use right now, by name.

    MCP tools whose names clash with a registered tool get the server id as a prefix.
    `unavailable` records why a tool server contributed nothing (shown to the user).
    CRM tool calls are written to `audit` here; MCP tool calls are audited by the MCP client manager.
    """

    _tools: dict[str, BaseTool] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    audit: AuditSink | None = None

    def register(self, tool: BaseTool) -> str:
        name = tool.name
        if name in self._tools:
            raise ValueError(f"a tool named {name!r} is already registered")
        self._tools[name] = tool
        return name

    def register_all(self, tools: Iterable[BaseTool]) -> None:
        for tool in tools:
            self.register(tool)

    def get(self, name: str) -> BaseTool | None:
        return self._tools.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._tools

    def tools(self, source: str | None = None) -> list[BaseTool]:
        return [t for t in self._tools.values() if source is None or t.schema.source == source]

    def schemas(self) -> list[ToolSchema]:
        return [t.schema for t in self._tools.values()]

    async def execute(self, name: str, ctx: ToolContext, arguments: dict[str, Any]) -> ToolResult:
        tool = self.get(name)
        if tool is None:
            return ToolResult.failure(name, "registry", f"The tool {name!r} is not available right now.", "UnknownTool")
        result = await tool.run(ctx, arguments)
        if self.audit is not None and tool.schema.source == CRM_SOURCE:
            await audit_call(self.audit, user_id=ctx.user_id, server_id=CRM_SOURCE, tool=name,
                             arguments=dict(arguments), outcome="ok" if result.ok else "tool_error",
                             error=result.error_message, latency_ms=result.latency_ms)
        return result
