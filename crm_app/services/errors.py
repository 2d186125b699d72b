"""The services' exception hierarchy. Every message is written for the person using the app."""

from __future__ import annotations

from crm_app.db import DatabaseUnavailable
from crm_app.errors import AuthError, NotFound, RateLimited, ServiceError, ValidationFailed
from crm_app.microsoft.errors import MicrosoftError

__all__ = ["AuthError", "DatabaseUnavailable", "MicrosoftError", "NotFound", "RateLimited", "ServiceError",
           "ValidationFailed"]
