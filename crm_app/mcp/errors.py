"""Errors of the MCP client manager.

Every error's ``str()`` is a message for the user: it says what happened and what to do.
``code`` is a stable machine-readable name; ``detail`` holds technical context for logs
and never contains credentials.
"""

from __future__ import annotations

from typing import ClassVar

MICROSOFT_365 = "Microsoft 365"


class MCPError(Exception):
    """Base class of every error raised by ``crm_app.mcp``."""

    code: ClassVar[str] = "mcp_error"

    def __init__(self, message: str, *, server_id: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.server_id = server_id
        self.detail = detail


class MCPDisabled(MCPError):
    """Tool servers are switched off for the whole installation (``MCP_ENABLED=false``)."""

    code = "mcp_disabled"

    def __init__(self) -> None:
        super().__init__(
            "Tool servers are turned off on this installation (MCP_ENABLED=false), so the assistant "
            "works with CRM data only. Ask your administrator to turn them on to use Microsoft 365 "
            "and other tools."
        )


class InternalError(MCPError):
    """A tool call failed inside this app rather than on the server."""

    code = "internal_error"

    def __init__(self, tool: str) -> None:
        super().__init__(
            f"The call to the tool {tool} failed inside this app. Try again; if it keeps failing, report it to "
            "your administrator with the time it happened."
        )


class InvalidServerConfig(MCPError, ValueError):
    """A tool server's settings cannot be used as given."""

    code = "invalid_server_config"


class ServerDisabled(MCPError):
    """The user turned this tool server off in Settings."""

    code = "server_disabled"

    def __init__(self, server_name: str, *, server_id: str | None = None) -> None:
        super().__init__(
            f"The {server_name} tool server is turned off in Settings. Turn it on there to use its tools.",
            server_id=server_id,
        )


class ServerUnavailable(MCPError):
    """The tool server could not be reached, or the connection to it broke.

    ``delivered`` is False when the request certainly never reached the server (the
    connection was refused, or the server no longer knew the session), so sending it
    again cannot repeat any effect.
    """

    code = "server_unavailable"

    def __init__(
        self,
        server_name: str,
        *,
        server_id: str | None = None,
        detail: str | None = None,
        delivered: bool = True,
        session_lost: bool = False,
        message: str | None = None,
    ) -> None:
        super().__init__(
            message or f"The {server_name} tool server is not answering. Check that it is running, then try again.",
            server_id=server_id,
            detail=detail,
        )
        self.delivered = delivered
        self.session_lost = session_lost


class CircuitOpen(ServerUnavailable):
    """Calls to a tool server are paused: its recent tries failed and the health check has not seen it back."""

    code = "circuit_open"

    def __init__(self, server_name: str, retry_after: float, *, server_id: str | None = None) -> None:
        seconds = max(1, round(retry_after))
        super().__init__(
            server_name,
            server_id=server_id,
            delivered=False,
            message=(
                f"The {server_name} tool server is not answering right now, so calls to it are paused for "
                f"about {seconds} s. Check that it is running, then try again."
            ),
        )
        self.retry_after = retry_after


class CallTimeout(MCPError):
    """The tool server did not answer within the configured time."""

    code = "timeout"

    def __init__(self, server_name: str, timeout_seconds: float, *, server_id: str | None = None) -> None:
        super().__init__(
            f"The {server_name} tool server did not answer within {timeout_seconds:g} s. Try again; if it "
            "keeps happening, check the server or raise MCP_TIMEOUT_SECONDS.",
            server_id=server_id,
        )
        self.timeout_seconds = timeout_seconds


class AuthError(MCPError):
    """The user's credentials for a tool server are missing or were refused."""

    code = "auth_error"


class ReconnectNeeded(AuthError):
    """The user must connect their Microsoft 365 account again.

    A ``TokenProvider`` raises this when it has no usable token and cannot refresh one.
    """

    code = "reconnect_needed"

    def __init__(self, message: str | None = None, *, server_id: str | None = None) -> None:
        super().__init__(
            message
            or f"Your {MICROSOFT_365} connection has expired or was revoked. Reconnect {MICROSOFT_365} in "
            "Settings, then try again.",
            server_id=server_id,
        )


class TokenUnavailable(AuthError):
    """The token store failed for a reason other than an expired connection."""

    code = "token_unavailable"

    def __init__(self, *, server_id: str | None = None, detail: str | None = None) -> None:
        super().__init__(
            f"Your {MICROSOFT_365} sign-in could not be read just now. Try again; if it keeps failing, "
            f"reconnect {MICROSOFT_365} in Settings.",
            server_id=server_id,
            detail=detail,
        )


class CredentialsRejected(AuthError):
    """The tool server refused the credentials sent with the request (HTTP 401/403)."""

    code = "credentials_rejected"

    def __init__(self, server_name: str, *, bearer: bool, server_id: str | None = None) -> None:
        if bearer:
            message = (
                f"The {server_name} tool server refused your {MICROSOFT_365} sign-in, even after it was "
                f"renewed. Reconnect {MICROSOFT_365} in Settings, then try again."
            )
        else:
            message = (
                f"The {server_name} tool server refused the credentials it was given. Check the API key "
                "or header for this server in Settings."
            )
        super().__init__(message, server_id=server_id)


class ProtocolError(MCPError):
    """The server answered, but not with a usable MCP response."""

    code = "protocol_error"

    def __init__(self, server_name: str, problem: str, *, server_id: str | None = None, detail: str | None = None):
        super().__init__(
            f"The {server_name} tool server {problem}. Check that the server address in Settings points "
            "at an MCP server, or contact its maintainer.",
            server_id=server_id,
            detail=detail,
        )
