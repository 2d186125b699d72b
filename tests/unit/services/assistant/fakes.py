"""In-process stand-ins for the registry's tools: each answers with fixed data and records its calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crm_app.services.auth import SignedInUser
from crm_app.tools.base import BaseTool, ToolContext, ToolRegistry, ToolResult, ToolSchema

USER = SignedInUser(id=1, email="avery@example.com", name="Avery Chen", timezone="Europe/London", session_id=1)


@dataclass
class FakeTool(BaseTool):
    """An MCP-like tool with the given parameters; answers `data`, or fails with `error`."""

    name_: str
    params: dict[str, Any]
    required: list[str] = field(default_factory=list)
    data: dict[str, Any] | None = None
    error: str = ""
    text: str = ""
    read_only: bool = True
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.schema = ToolSchema(name=self.name_, description=self.name_.replace("_", " "), source="ms365",
                                 parameters={"type": "object", "properties": self.params, "required": self.required},
                                 read_only=self.read_only)

    async def run(self, ctx: ToolContext, arguments: dict[str, Any]) -> ToolResult:
        self.calls.append(dict(arguments))
        if self.error:
            return ToolResult.failure(self.name_, "ms365", self.error)
        return ToolResult(ok=True, tool=self.name_, source="ms365", data=self.data, text=self.text)


def registry_of(*tools: BaseTool, unavailable: dict[str, str] | None = None) -> ToolRegistry:
    registry = ToolRegistry(unavailable=dict(unavailable or {}))
    registry.register_all(tools)
    return registry


def teams_tools(channels: list[dict[str, str]] | None = None) -> tuple[FakeTool, FakeTool]:
    teams = FakeTool("teams_list_teams", {}, data={"teams": [{"id": "t1", "display_name": "Sales"}]})
    listed = channels if channels is not None else [{"id": "c1", "display_name": "General"}]
    chans = FakeTool("teams_list_channels", {"team_id": {"type": "string"}}, required=["team_id"],
                     data={"channels": listed})
    return teams, chans
