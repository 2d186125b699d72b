"""The shapes the MCP client manager hands to the rest of the app."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import mcp_types

from crm_app.mcp.config import ServerConfig
from crm_app.mcp.errors import MCPError

AuditOutcome = Literal["ok", "tool_error", "transport_error", "timeout", "circuit_open", "auth_error"]
OutcomeKind = AuditOutcome | Literal["disabled"]
ServerState = Literal["connected", "unavailable", "reconnect_needed", "disabled"]


@dataclass(frozen=True)
class ToolFlags:
    """A tool's behaviour hints, with the MCP defaults applied when the server gives none.

    Per the MCP specification a tool that is not read-only is assumed destructive unless
    it says otherwise, and is not assumed idempotent.
    """

    read_only: bool = False
    destructive: bool = True
    idempotent: bool = False
    open_world: bool = True

    @classmethod
    def from_annotations(cls, annotations: mcp_types.ToolAnnotations | None) -> ToolFlags:
        if annotations is None:
            return cls()
        read_only = bool(annotations.read_only_hint)
        destructive = (not read_only) if annotations.destructive_hint is None else bool(annotations.destructive_hint)
        return cls(
            read_only=read_only,
            destructive=destructive and not read_only,
            idempotent=bool(annotations.idempotent_hint),
            open_world=True if annotations.open_world_hint is None else bool(annotations.open_world_hint),
        )

    @property
    def replay_safe(self) -> bool:
        """Whether sending the same call twice cannot do anything the first did not."""
        return self.read_only or self.idempotent


@dataclass(frozen=True)
class ToolInfo:
    """One tool offered by an MCP server."""

    name: str
    title: str | None
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    annotations: ToolFlags
    server_id: str

    @classmethod
    def from_mcp(cls, tool: mcp_types.Tool, server_id: str) -> ToolInfo:
        title = tool.title or (tool.annotations.title if tool.annotations is not None else None)
        return cls(
            name=tool.name,
            title=title,
            description=tool.description or "",
            input_schema=dict(tool.input_schema),
            output_schema=dict(tool.output_schema) if tool.output_schema is not None else None,
            annotations=ToolFlags.from_annotations(tool.annotations),
            server_id=server_id,
        )


class SharedTools:
    """One ``ToolInfo`` per distinct tool a server offers, however many users' tool lists hold it.

    Every user of a server is usually offered the same tools, and a tool's input and output schemas are most of
    the memory a tool list takes; without this each user's cached list kept its own copy of every schema. A tool
    is the same when the server describes it identically (its whole MCP description). An entry goes with the
    last tool list that holds it.
    """

    def __init__(self) -> None:
        self._known: weakref.WeakValueDictionary[tuple[str, str], ToolInfo] = weakref.WeakValueDictionary()

    def info(self, tool: mcp_types.Tool, server_id: str) -> ToolInfo:
        key = (server_id, tool.model_dump_json(by_alias=True))
        known = self._known.get(key)
        if known is None:
            known = ToolInfo.from_mcp(tool, server_id)
            self._known[key] = known
        return known

    def __len__(self) -> int:
        return len(self._known)


@dataclass(frozen=True)
class CallOutcome:
    """The result of one tool call; failures are outcomes too, never exceptions.

    ``ok`` is ``not is_error``. ``outcome`` says where a failure came from: the tool
    itself (``tool_error``), the connection (``transport_error``, ``timeout``,
    ``circuit_open``), the user's credentials (``auth_error``) or configuration
    (``disabled``). ``error_message`` is written for the user.
    """

    ok: bool
    structured: dict[str, Any] | None
    text: str
    is_error: bool
    error_code: str | None
    error_message: str | None
    latency_ms: float
    server_id: str
    tool: str
    outcome: OutcomeKind = "ok"

    @classmethod
    def failure(
        cls,
        error: MCPError,
        *,
        outcome: OutcomeKind,
        server_id: str,
        tool: str,
        latency_ms: float,
    ) -> CallOutcome:
        return cls(
            ok=False,
            structured=None,
            text="",
            is_error=True,
            error_code=error.code,
            error_message=error.message,
            latency_ms=latency_ms,
            server_id=server_id,
            tool=tool,
            outcome=outcome,
        )


@dataclass(frozen=True)
class ToolCall:
    """One call for ``MCPClientManager.call_many``."""

    server: ServerConfig
    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolListing:
    """Tools gathered from several servers, with the reason for each server that gave none."""

    tools: list[ToolInfo]
    errors: dict[str, MCPError]


@dataclass(frozen=True)
class ServerStatus:
    """How one tool server looks to one user right now."""

    server_id: str
    connected: bool
    state: ServerState
    tool_count: int
    tool_names: list[str]
    latency_ms: float | None
    last_error: str | None
    checked_at: datetime
