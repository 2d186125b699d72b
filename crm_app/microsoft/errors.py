"""Errors of the Microsoft 365 connection layer (OAuth, token vault).

``str()`` of every error is a message for the user: what happened and what to do.
``code`` is a stable machine-readable name. No error ever carries a token.
"""

from __future__ import annotations

from typing import ClassVar

MICROSOFT_365 = "Microsoft 365"


class MicrosoftError(Exception):
    """Base class of every error raised by ``crm_app.microsoft``."""

    code: ClassVar[str] = "microsoft_error"

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class ConfigurationError(MicrosoftError):
    """The installation's Microsoft 365 settings cannot be used."""

    code = "configuration_error"


class IdentityUnavailable(MicrosoftError):
    """The Microsoft sign-in service could not be reached or failed for a passing reason."""

    code = "identity_unavailable"

    def __init__(self, *, detail: str | None = None) -> None:
        super().__init__(
            f"The {MICROSOFT_365} sign-in service is not answering right now. Nothing was changed; "
            "try again in a minute.",
            detail=detail,
        )


class StateRejected(MicrosoftError):
    """The ``state`` of an OAuth callback is missing, unknown, used, expired or someone else's."""

    code = "state_rejected"

    REASONS: ClassVar[dict[str, str]] = {
        "missing": "The sign-in answer from Microsoft carried no state, so it cannot be matched to a "
        "connection you started.",
        "unknown": "The sign-in answer does not match any connection started from this app. It may have "
        "been altered or come from another site.",
        "used": "This sign-in answer was already used. Each answer works only once.",
        "expired": "This sign-in took longer than 10 minutes and has expired.",
        "foreign": "This sign-in was started by another account or another browser session.",
    }

    def __init__(self, reason: str) -> None:
        explanation = self.REASONS.get(reason, self.REASONS["unknown"])
        super().__init__(f"{explanation} Nothing was changed. Start again from Settings with Connect.")
        self.reason = reason


class ConsentDeclined(MicrosoftError):
    """The person declined the consent, or Microsoft refused the authorization request."""

    code = "consent_declined"

    def __init__(self, error: str, description: str | None) -> None:
        reason = (description or "").strip().splitlines()[0][:300] if description else ""
        if error == "access_denied":
            message = f"{MICROSOFT_365} was not connected because the permission request was declined."
        else:
            message = f"{MICROSOFT_365} refused the connection ({error})."
        if reason:
            message += f" Microsoft said: {reason}"
        super().__init__(message + " You can try again with Connect.")
        self.error = error
        self.reason = reason


class AuthorizationFailed(MicrosoftError):
    """The authorization code could not be exchanged for tokens."""

    code = "authorization_failed"

    def __init__(self, error: str, description: str | None = None) -> None:
        reason = (description or "").strip().splitlines()[0][:300] if description else ""
        message = f"{MICROSOFT_365} did not complete the connection ({error})."
        if reason:
            message += f" Microsoft said: {reason}"
        super().__init__(message + " Start again from Settings with Connect.", detail=error)
        self.error = error


class NotConnected(MicrosoftError):
    """The user has not connected Microsoft 365."""

    code = "not_connected"

    def __init__(self) -> None:
        super().__init__(f"{MICROSOFT_365} is not connected. Connect it in Settings to use its tools.")


class ReconnectRequired(MicrosoftError):
    """The stored sign-in can no longer be renewed; the user must connect again."""

    code = "reconnect_required"

    def __init__(self, reason: str | None = None) -> None:
        message = (
            f"Your {MICROSOFT_365} connection has expired or was revoked, so its tools are paused. "
            f"Reconnect {MICROSOFT_365} in Settings."
        )
        super().__init__(message, detail=reason)


class TokenDecryptionFailed(MicrosoftError):
    """A stored token cannot be decrypted with any configured key."""

    code = "token_decryption_failed"

    def __init__(self) -> None:
        super().__init__(
            f"Your stored {MICROSOFT_365} sign-in cannot be read with this installation's encryption keys. "
            f"Reconnect {MICROSOFT_365} in Settings; an administrator should check TOKEN_ENCRYPTION_KEYS."
        )
