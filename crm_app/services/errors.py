"""The services' exception hierarchy. Every message is written for the person using the app."""

from __future__ import annotations

from crm_app.db import DatabaseUnavailable

__all__ = ["AuthError", "DatabaseUnavailable", "NotFound", "RateLimited", "ServiceError", "ValidationFailed"]


class ServiceError(Exception):
    """Base class: `str(exc)` is a sentence the user can act on."""


class ValidationFailed(ServiceError):
    """Input was rejected; `fields` maps a form field to what is wrong with it."""

    def __init__(self, fields: dict[str, str], message: str = "Please correct the highlighted fields.") -> None:
        super().__init__(message)
        self.fields = fields


class NotFound(ServiceError):
    pass


class AuthError(ServiceError):
    pass


class RateLimited(AuthError):
    pass
