"""The server's one exception hierarchy and the wire form of a tool error.

Every failure a tool reports is an `Ms365Error`. It reaches the MCP client as a
result with `isError: true` whose text starts with one line of JSON::

    {"error": {"code": "...", "status": 401, "message": "..."}}

`code` is Microsoft Graph's error code where Graph gave one (for example
`InvalidAuthenticationToken`), otherwise one of `ValidationError`,
`GraphUnavailable` or `Timeout` (or a code named below). `message` says what
happened and what to do.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

INVALID_TOKEN_CODE = "InvalidAuthenticationToken"
VALIDATION_CODE = "ValidationError"
UNAVAILABLE_CODE = "GraphUnavailable"
TIMEOUT_CODE = "Timeout"
THROTTLED_CODE = "TooManyRequests"
NOT_TEXT_CODE = "NotTextFile"
NOT_FOUND_CODE = "NotFound"
UNKNOWN_TOOL_CODE = "UnknownTool"
TOOL_ERROR_CODE = "ToolError"
BODY_UNAVAILABLE_CODE = "BodyUnavailable"
INTERNAL_ERROR_CODE = "InternalError"


class Ms365Error(ToolError):
    """A failure a tool reports to its caller, with a code, an HTTP status and a message."""

    default_code = TOOL_ERROR_CODE
    default_status: int | None = None

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.status = self.default_status if status is None else status

    def payload(self) -> dict[str, Any]:
        """The error as the JSON object that opens the tool result's text."""
        return {"error": {"code": self.code, "status": self.status, "message": self.message}}

    def to_text(self) -> str:
        """One line of JSON, then the message again for a human reader."""
        return json.dumps(self.payload(), ensure_ascii=False, separators=(",", ":")) + "\n" + self.message


class GraphError(Ms365Error):
    """Microsoft Graph answered with an error status (4xx or 5xx)."""


class AuthenticationRequired(Ms365Error):
    """The MCP request carried no usable bearer token."""

    default_code = INVALID_TOKEN_CODE
    default_status = 401


class GraphUnavailable(Ms365Error):
    """Microsoft Graph could not be reached or answered with a server failure."""

    default_code = UNAVAILABLE_CODE


class GraphTimeout(Ms365Error):
    """Microsoft Graph did not answer within the configured timeout."""

    default_code = TIMEOUT_CODE


class ArgumentError(Ms365Error):
    """One or more tool arguments are invalid; the message names each of them."""

    default_code = VALIDATION_CODE

    def __init__(self, field: str, problem: str) -> None:
        self.fields = [field]
        super().__init__(f"Invalid argument '{field}': {problem}. Correct '{field}' and call the tool again.")

    @classmethod
    def from_problems(cls, problems: list[tuple[str, str]]) -> ArgumentError:
        """One error for several `(field, problem)` pairs."""
        first_field, first_problem = problems[0]
        error = cls(first_field, first_problem)
        if len(problems) > 1:
            error.fields = list(dict.fromkeys(field for field, _ in problems))
            listed = "; ".join(f"'{field}': {problem}" for field, problem in problems)
            error.message = f"Invalid arguments: {listed}. Correct them and call the tool again."
            error.args = (error.message,)
        return error


class NotFound(Ms365Error):
    """Something the caller named does not exist."""

    default_code = NOT_FOUND_CODE
    default_status = 404


class NotTextFile(Ms365Error):
    """A file asked to be read as text is not a text file."""

    default_code = NOT_TEXT_CODE
    default_status = 415
