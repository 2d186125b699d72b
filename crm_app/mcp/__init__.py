"""MCP client manager: per-user pooled sessions to MCP servers, with caching, health and auditing."""

from __future__ import annotations

from crm_app.mcp.audit import AuditEntry, AuditSink, LoggingAuditSink
from crm_app.mcp.backoff import Backoff
from crm_app.mcp.breaker import BreakerState, CircuitBreaker
from crm_app.mcp.config import MS365_SERVER_ID, AuthMode, ServerConfig, custom_server, ms365_server
from crm_app.mcp.errors import (
    AuthError,
    CallTimeout,
    CircuitOpen,
    CredentialsRejected,
    InternalError,
    InvalidServerConfig,
    MCPDisabled,
    MCPError,
    ProtocolError,
    ReconnectNeeded,
    ServerDisabled,
    ServerUnavailable,
    TokenUnavailable,
)
from crm_app.mcp.manager import MCPClientManager
from crm_app.mcp.redact import redact
from crm_app.mcp.results import (
    AuditOutcome,
    CallOutcome,
    OutcomeKind,
    ServerState,
    ServerStatus,
    ToolCall,
    ToolFlags,
    ToolInfo,
    ToolListing,
)
from crm_app.mcp.session import HttpClientFactory
from crm_app.mcp.tokens import TokenProvider
from crm_app.mcp.tool_errors import ToolErrorInfo, parse_tool_error

__all__ = [
    "MS365_SERVER_ID",
    "AuditEntry",
    "AuditOutcome",
    "AuditSink",
    "AuthError",
    "AuthMode",
    "Backoff",
    "BreakerState",
    "CallOutcome",
    "CallTimeout",
    "CircuitBreaker",
    "CircuitOpen",
    "CredentialsRejected",
    "HttpClientFactory",
    "InternalError",
    "InvalidServerConfig",
    "LoggingAuditSink",
    "MCPClientManager",
    "MCPDisabled",
    "MCPError",
    "OutcomeKind",
    "ProtocolError",
    "ReconnectNeeded",
    "ServerConfig",
    "ServerDisabled",
    "ServerState",
    "ServerStatus",
    "ServerUnavailable",
    "TokenProvider",
    "TokenUnavailable",
    "ToolCall",
    "ToolErrorInfo",
    "ToolFlags",
    "ToolInfo",
    "ToolListing",
    "custom_server",
    "ms365_server",
    "parse_tool_error",
    "redact",
]
