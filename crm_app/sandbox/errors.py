"""The sandbox's exception hierarchy.

Every error a client can meet is one of these; each carries what happened and what to
do about it, and knows how it is rendered on the wire (Graph JSON, OAuth JSON or an
HTML page).
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base of every error raised by the sandbox."""


class ConfigurationError(SandboxError):
    """A setting or the demo data file is invalid; the process cannot start."""


class GraphError(SandboxError):
    """A Microsoft Graph error response: ``{"error": {"code", "message"}}`` with a status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(GraphError):
    """400 ``BadRequest``: a malformed query or body."""

    def __init__(self, message: str, code: str = "BadRequest") -> None:
        super().__init__(400, code, message)


class NotFound(GraphError):
    """404 for an item that does not exist (code depends on the workload)."""

    def __init__(self, message: str, code: str = "ErrorItemNotFound") -> None:
        super().__init__(404, code, message)


class ODataError(BadRequest):
    """A ``$filter``, ``$orderby``, ``$select`` or ``$search`` expression that cannot be used."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class OAuthError(SandboxError):
    """An Entra ID (AADSTS) error: ``{"error", "error_description", "error_codes", ...}``."""

    def __init__(self, error: str, aadsts: int, description: str, status: int = 400) -> None:
        super().__init__(f"AADSTS{aadsts}: {description}")
        self.error = error
        self.aadsts = aadsts
        self.description = description
        self.status = status
