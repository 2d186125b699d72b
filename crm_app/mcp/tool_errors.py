"""Reading the error a tool returned in its text content."""

from __future__ import annotations

import json
from dataclasses import dataclass

from crm_app.mcp.redact import truncate

AUTH_ERROR_CODES = frozenset({"InvalidAuthenticationToken"})
UNAUTHORIZED = 401
MAX_ERROR_CHARS = 1000
NO_MESSAGE = "The tool reported an error without saying why. Try again, or try a different request."


@dataclass(frozen=True)
class ToolErrorInfo:
    """What a tool said went wrong: an optional code and HTTP status, and a message."""

    code: str | None
    status: int | None
    message: str

    @property
    def is_auth_failure(self) -> bool:
        """Whether the error says the access token was refused."""
        return self.code in AUTH_ERROR_CODES or self.status == UNAUTHORIZED


def parse_tool_error(text: str) -> ToolErrorInfo:
    """Parse a tool's error text.

    The Microsoft 365 tool server starts its error text with one line of JSON,
    ``{"error": {"code": …, "status": …, "message": …}}``, possibly followed by more
    text; a server that wraps errors may put a short prefix such as
    ``Error executing tool x: `` before that JSON. Any other text is taken as the message.
    """
    stripped = text.strip()
    first_line, _, rest = stripped.partition("\n")
    error = _json_error(first_line)
    if error is None:
        return ToolErrorInfo(code=None, status=None, message=truncate(stripped, MAX_ERROR_CHARS) or NO_MESSAGE)
    code = error.get("code")
    status = error.get("status")
    message = error.get("message")
    if not isinstance(message, str) or not message.strip():
        message = rest.strip() or NO_MESSAGE
    return ToolErrorInfo(
        code=str(code) if code is not None else None,
        status=_as_status(status),
        message=truncate(message.strip(), MAX_ERROR_CHARS),
    )


def _json_error(line: str) -> dict[str, object] | None:
    start = line.find("{")
    if start < 0:
        return None
    try:
        payload = json.loads(line[start:])
    except ValueError:
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, dict) else None


def _as_status(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
