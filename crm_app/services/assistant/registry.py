"""The user's tools for a turn: the registry (CRM tools plus connected MCP servers), lookup by capability, runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from crm_app.services import crm
from crm_app.services.assistant.turn import TurnFailed
from crm_app.settings import get_settings
from crm_app.tools.base import BaseTool, ToolContext, ToolRegistry, ToolResult
from crm_app.tools.crm_tools import crm_tools
from crm_app.tools.calls import CapabilityCall, call_capability
from crm_app.tools.discovery import find_tool, map_arguments, parse_overrides

MS365_AREA = {"mail": "mail", "calendar": "calendar", "files": "OneDrive", "sharepoint": "SharePoint", "teams": "Teams",
              "directory": "the directory"}


def crm_registry() -> ToolRegistry:
    """The CRM tools, their calls written to the audit table."""
    from crm_app.services.mcp_runtime import DatabaseAuditSink

    registry = ToolRegistry(audit=DatabaseAuditSink())
    registry.register_all(crm_tools(crm))
    return registry


async def build_registry(user_id: int) -> ToolRegistry:
    """CRM tools plus every tool the user's connected MCP servers offer right now."""
    from crm_app.services import mcp_runtime

    registry = crm_registry()
    await mcp_runtime.add_user_tools(registry, user_id)
    return registry


@dataclass
class UserTools:
    """One user's registry, built on first use, and the ways a turn runs its tools."""

    ctx: ToolContext
    registry: ToolRegistry | None = None
    overrides: dict[str, str] = field(default_factory=lambda: parse_overrides(get_settings().mcp_tool_overrides))

    async def loaded(self) -> ToolRegistry:
        if self.registry is None:
            self.registry = await build_registry(self.ctx.user_id)
        return self.registry

    async def get(self, name: str) -> BaseTool | None:
        return (await self.loaded()).get(name)

    async def find(self, capability: str) -> BaseTool | None:
        """The tool that offers `capability`, or None."""
        return find_tool(await self.loaded(), capability, self.overrides)

    async def tool_for(self, capability: str) -> BaseTool:
        """The tool that offers `capability`; TurnFailed saying why there is none."""
        tool = await self.find(capability)
        if tool is not None:
            return tool
        area = MS365_AREA.get(capability.split(".")[0], "that")
        reason = next(iter((await self.loaded()).unavailable.values()), "")
        if reason:
            raise TurnFailed(reason)
        raise TurnFailed(f"None of your connected tool servers offers a way to work with {area} for this request.")

    async def execute(self, name: str, args: dict[str, Any]) -> ToolResult:
        """Run the tool called `name` with arguments in its own names."""
        return await (await self.loaded()).execute(name, self.ctx, args)

    async def attempt(self, capability: str, canonical: dict[str, Any], tool: BaseTool) -> CapabilityCall:
        """Run `capability` on `tool` with canonical arguments placed on its own parameters; the call says which
        of them the tool applied, which were checked on its results here, and which were not applied (its
        result is None when a required input could not be found)."""
        return await call_capability(await self.loaded(), self.ctx, capability, tool, canonical, self.overrides)

    async def call(self, capability: str, canonical: dict[str, Any], tool: BaseTool | None = None) -> CapabilityCall:
        """`attempt` with the tool chosen for `capability`; TurnFailed when there is none or an input is missing."""
        call = await self.attempt(capability, canonical, tool or await self.tool_for(capability))
        if call.result is None:
            raise TurnFailed(call.problem)
        return call

    async def run(self, capability: str, canonical: dict[str, Any], tool: BaseTool | None = None) -> ToolResult:
        """`call`, for callers that need only the result."""
        return cast(ToolResult, (await self.call(capability, canonical, tool)).result)

    async def run_if_offered(self, capability: str, canonical: dict[str, Any]) -> ToolResult | None:
        """Run `capability` when a tool offers it and takes these arguments; None otherwise."""
        tool = await self.find(capability)
        if tool is None:
            return None
        return (await self.attempt(capability, canonical, tool)).result

    async def run_edited(self, tool: BaseTool, raw: dict[str, Any], edits: dict[str, Any]) -> ToolResult:
        """Run a model-proposed call as it was proposed, with the user's edits mapped onto the tool's names."""
        args = dict(raw)
        edited, _ = map_arguments(tool, edits)
        args.update(edited)
        return await self.execute(tool.name, args)
