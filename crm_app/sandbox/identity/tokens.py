"""Access tokens, refresh tokens and authorization codes: issue, check, rotate, revoke.

Tokens are opaque random strings (``sbx_at_...``, ``sbx_rt_...``); their lifetimes run on
the wall clock. Nothing here ever logs a token.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypeVar

from crm_app.sandbox.errors import GraphError, OAuthError
from crm_app.sandbox.identity.scopes import ScopeRequest

ACCESS_PREFIX = "sbx_at_"
REFRESH_PREFIX = "sbx_rt_"
CODE_PREFIX = "sbx_ac_"
CODE_LIFETIME_SECONDS = 600
TOKEN_BYTES = 32
GRANT_AUTHORIZATION_CODE = "authorization_code"
GRANT_REFRESH_TOKEN = "refresh_token"
GRANT_ADMIN = "admin"
INVALID_TOKEN_HEADER = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000", error="invalid_token"'
)


@dataclass
class Grant:
    """What a token stands for: user, client, scopes."""

    user: str
    client_id: str
    scopes: ScopeRequest


@dataclass
class IssuedToken:
    """An access or refresh token and its state."""

    kind: str
    token: str
    grant: Grant
    issued_at: float
    expires_at: float
    grant_type: str
    revoked: bool = False
    used: bool = False

    def describe(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "token": self.token,
            "user": self.grant.user,
            "client_id": self.grant.client_id,
            "scope": " ".join(self.grant.scopes.graph),
            "grant_type": self.grant_type,
            "issued_at": int(self.issued_at),
            "expires_at": int(self.expires_at),
            "revoked": self.revoked,
            "used": self.used,
        }


@dataclass
class AuthorizationCode:
    """A one-time code bound to the client, redirect URI, PKCE challenge and nonce."""

    grant: Grant
    redirect_uri: str
    code_challenge: str | None
    challenge_method: str | None
    nonce: str | None
    auth_time: int
    expires_at: float
    used: bool = False


@dataclass
class TokenPair:
    access: IssuedToken
    refresh: IssuedToken | None


Spendable = TypeVar("Spendable", IssuedToken, AuthorizationCode)


def _spend(record: Spendable, already_used: tuple[int, str], expired: tuple[int, str]) -> Spendable:
    """Mark a single-use code or refresh token used; one used before or past its lifetime is an
    ``invalid_grant`` with the given AADSTS code and description."""
    if record.used:
        raise OAuthError("invalid_grant", *already_used)
    if record.expires_at <= time.time():
        raise OAuthError("invalid_grant", *expired)
    record.used = True
    return record


@dataclass
class TokenService:
    """All tokens and codes ever issued by this process."""

    access_lifetime: int
    refresh_lifetime: int
    access: dict[str, IssuedToken] = field(default_factory=dict)
    refresh: dict[str, IssuedToken] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    issued: list[IssuedToken] = field(default_factory=list)
    grants: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def new_code(self, grant: Grant, redirect_uri: str, challenge: str | None, method: str | None,
                 nonce: str | None) -> str:
        now = time.time()
        self.codes = {k: v for k, v in self.codes.items() if v.expires_at > now and not v.used}
        code = CODE_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        self.codes[code] = AuthorizationCode(grant, redirect_uri, challenge, method, nonce, int(now),
                                             now + CODE_LIFETIME_SECONDS)
        return code

    def redeem_code(self, code: str, client_id: str) -> AuthorizationCode:
        record = self.codes.get(code)
        if record is None or record.grant.client_id != client_id:
            raise OAuthError(
                "invalid_grant", 9002313,
                "Invalid request. The authorization code is malformed or was not issued to this client. "
                "Start the sign-in again.",
            )
        return _spend(
            record,
            already_used=(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid "
                                 "code or use an existing refresh token."),
            expired=(70008, "The provided authorization code or refresh token has expired due to inactivity. "
                            "Send a new interactive authorization request for this user and resource."),
        )

    def issue(self, grant: Grant, grant_type: str, lifetime: int | None = None) -> TokenPair:
        now = time.time()
        access = IssuedToken("access_token", ACCESS_PREFIX + secrets.token_urlsafe(TOKEN_BYTES), grant, now,
                             now + (lifetime if lifetime is not None else self.access_lifetime), grant_type)
        self.access[access.token] = access
        self.issued.append(access)
        refresh = None
        if grant.scopes.offline:
            refresh = IssuedToken("refresh_token", REFRESH_PREFIX + secrets.token_urlsafe(TOKEN_BYTES), grant, now,
                                  now + self.refresh_lifetime, grant_type)
            self.refresh[refresh.token] = refresh
            self.issued.append(refresh)
        self.grants[grant.user][grant_type] += 1
        return TokenPair(access, refresh)

    def use_refresh_token(self, token: str, client_id: str) -> IssuedToken:
        """Check a refresh token and mark it used; it can never be used again (rotation)."""
        record = self.refresh.get(token)
        if record is None or record.grant.client_id != client_id:
            raise OAuthError(
                "invalid_grant", 9002313,
                "Invalid request. The refresh token is malformed or was not issued to this client. Sign in again.",
            )
        if record.revoked:
            raise OAuthError(
                "invalid_grant", 50173,
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. "
                "The user must sign in again.",
            )
        return _spend(
            record,
            already_used=(70000, "The provided value for the 'refresh_token' is not valid: it was already "
                                 "redeemed. Refresh tokens are single-use; use the newest one returned or sign in "
                                 "again."),
            expired=(700082, "The refresh token has expired due to inactivity. The user must sign in again."),
        )

    def authenticate(self, header: str | None) -> IssuedToken:
        """The access token in an ``Authorization: Bearer`` header, or a 401 Graph error."""
        if not header:
            raise self._unauthorized("Access token is empty. Send it as 'Authorization: Bearer <token>'.")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise self._unauthorized("The Authorization header must be 'Bearer <access token>'.")
        record = self.access.get(token)
        if record is None:
            raise self._unauthorized(
                "IDX14100: the access token is not well formed or was not issued by this tenant. Sign in again."
            )
        if record.revoked:
            raise self._unauthorized("The access token has been revoked. The user must sign in again.")
        if record.expires_at <= time.time():
            raise self._unauthorized(
                "Lifetime validation failed, the token is expired. Use the refresh token to get a new access token."
            )
        return record

    @staticmethod
    def _unauthorized(message: str) -> GraphError:
        return GraphError(401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": INVALID_TOKEN_HEADER})

    def revoke_user(self, user: str) -> int:
        """Revoke every access and refresh token of ``user``; returns how many were revoked."""
        count = 0
        for record in (*self.access.values(), *self.refresh.values()):
            if record.grant.user == user and not record.revoked:
                record.revoked = True
                count += 1
        return count

    def grant_counts(self) -> dict[str, dict[str, int]]:
        return {user: dict(counts) for user, counts in self.grants.items()}

    def reset_counts(self) -> None:
        self.grants.clear()
