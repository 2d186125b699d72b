"""What a call or a status check came to, built from the MCP result or the error (`CallOutcome`, `ServerStatus`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

import mcp_types

from crm_app.mcp.config import ServerConfig
from crm_app.mcp import errors
from crm_app.mcp.results import CallOutcome, OutcomeKind, ServerStatus, ToolInfo
from crm_app.mcp.tool_errors import parse_tool_error


def elapsed_ms(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading)."""
    return (time.perf_counter() - started) * 1000.0


def failure_kind(error: errors.MCPError) -> OutcomeKind:
    if isinstance(error, errors.CircuitOpen):
        return "circuit_open"
    if isinstance(error, errors.ServerUnavailable | errors.InternalError):
        return "transport_error"
    if isinstance(error, errors.CallTimeout):
        return "timeout"
    if isinstance(error, errors.AuthError):
        return "auth_error"
    if isinstance(error, errors.MCPDisabled | errors.ServerDisabled):
        return "disabled"
    return "tool_error"


def content_text(content: Sequence[mcp_types.ContentBlock]) -> str:
    parts: list[str] = []
    for block in content:
        if isinstance(block, mcp_types.TextContent):
            parts.append(block.text)
        elif isinstance(block, mcp_types.EmbeddedResource) and isinstance(
            block.resource, mcp_types.TextResourceContents
        ):
            parts.append(block.resource.text)
        elif isinstance(block, mcp_types.ResourceLink):
            parts.append(f"[linked resource: {block.uri}]")
        elif isinstance(block, mcp_types.ImageContent | mcp_types.AudioContent):
            parts.append(f"[{block.type} content, {block.mime_type}]")
        elif isinstance(block, mcp_types.EmbeddedResource):
            parts.append(f"[binary resource: {block.resource.uri}]")
    return "\n".join(parts)


def outcome_of(result: mcp_types.CallToolResult, server: ServerConfig, name: str) -> CallOutcome:
    """A tool's answer as an outcome: its text and structured content, or the error it reported."""
    text = content_text(result.content)
    structured = result.structured_content if isinstance(result.structured_content, dict) else None
    info = parse_tool_error(text) if result.is_error else None
    return CallOutcome(
        ok=info is None,
        structured=structured,
        text=text,
        is_error=info is not None,
        error_code=info.code if info else None,
        error_message=info.message if info else None,
        latency_ms=0.0,
        server_id=server.id,
        tool=name,
        outcome="ok" if info is None else "auth_error" if info.is_auth_failure else "tool_error",
    )


def failed_outcome(error: errors.MCPError, server: ServerConfig, name: str) -> CallOutcome:
    return CallOutcome.failure(error, outcome=failure_kind(error), server_id=server.id, tool=name, latency_ms=0.0)


def _status(server: ServerConfig, state: str, *, tools: Sequence[ToolInfo] = (), latency_ms: float | None = None,
            error: errors.MCPError | None = None) -> ServerStatus:
    return ServerStatus(
        server_id=server.id,
        connected=state == "connected",
        state=state,  # type: ignore[arg-type]
        tool_count=len(tools),
        tool_names=[tool.name for tool in tools],
        latency_ms=latency_ms,
        last_error=error.message if error else None,
        checked_at=datetime.now(UTC),
    )


def disabled_status(server: ServerConfig, refusal: errors.MCPError) -> ServerStatus:
    return _status(server, "disabled", error=refusal)


def connected_status(server: ServerConfig, tools: Sequence[ToolInfo], latency_ms: float) -> ServerStatus:
    return _status(server, "connected", tools=tools, latency_ms=latency_ms)


def failed_status(server: ServerConfig, error: errors.MCPError) -> ServerStatus:
    """Unavailable, or reconnect needed when the Microsoft 365 sign-in is what failed."""
    needs_reconnect = isinstance(error, errors.ReconnectNeeded) or (
        isinstance(error, errors.CredentialsRejected) and server.auth == "ms365_bearer"
    )
    return _status(server, "reconnect_needed" if needs_reconnect else "unavailable", error=error)
