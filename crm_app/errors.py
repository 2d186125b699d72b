"""The app's exception hierarchy for use cases. Every message is written for the person using the app.

It sits at the bottom of the layers so that tools and services raise and catch the same classes;
`crm_app.services.errors` is where the services layer names them.
"""

from __future__ import annotations


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
