"""OAuth 2.0 authorization code flow with PKCE against the Microsoft identity platform, via msal.

Every call here blocks (msal is synchronous): call it through ``asyncio.to_thread``.
One ``ConfidentialClientApplication`` per client serves every user. Its token cache
keeps nothing, so msal never holds one user's tokens where another's request could
find them: tokens live only in the encrypted vault.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msal
import requests

from crm_app.db import utcnow
from crm_app.microsoft.errors import (
    AuthorizationFailed,
    ConfigurationError,
    ConsentDeclined,
    IdentityUnavailable,
    ReconnectRequired,
)
from crm_app.microsoft.http import DEFAULT_TIMEOUT_SECONDS, IdentityHttpClient
from crm_app.microsoft.scopes import OFFLINE_ACCESS, split_scopes
from crm_app.settings import Settings, get_settings

logger = logging.getLogger(__name__)

# The answer comes back as a query (a top-level GET) so that the browser sends the
# SameSite=Lax session cookie with it, which binds the state to the signed-in session.
# The code in it is single-use, bound to the PKCE verifier and redeemed with the client
# secret, so msal's advice to prefer form_post does not apply here.
warnings.filterwarnings("ignore", message="response_mode='form_post' is recommended", category=UserWarning)

DEFAULT_EXPIRES_IN_SECONDS = 3600
RECONNECT_ERRORS = frozenset({"invalid_grant", "interaction_required", "consent_required", "login_required"})
CLIENT_ERRORS = frozenset({"invalid_client", "unauthorized_client", "invalid_request", "unsupported_grant_type"})
FLOW_KEYS = ("state", "redirect_uri", "scope", "auth_uri", "code_verifier", "nonce", "claims_challenge")


class TransientTokenCache(msal.TokenCache):
    """msal's token cache, keeping nothing: the caller stores tokens (encrypted) itself."""

    def add(self, event: dict[str, Any], now: Any = None) -> None:
        return None


@dataclass(frozen=True)
class OAuthConfig:
    """Where and as whom to sign in: the app registration and the authority."""

    client_id: str
    client_secret: str = field(repr=False)
    authority: str
    redirect_uri: str
    origin_map: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> OAuthConfig:
        """The configured Azure app, or the sandbox's demo app with its authority mapped to loopback."""
        settings = settings or get_settings()
        host = settings.oauth_authority_host.rstrip("/")
        origin_map = {host: settings.sandbox_url} if settings.uses_sandbox else {}
        return cls(
            client_id=settings.oauth_client_id,
            client_secret=settings.oauth_client_secret,
            authority=f"{host}/{settings.oauth_tenant}",
            redirect_uri=settings.oauth_redirect_uri,
            origin_map=origin_map,
        )


@dataclass(frozen=True)
class TokenGrant:
    """Tokens and account details from a token response. Tokens never appear in ``repr``."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: dt.datetime
    scopes: tuple[str, ...]
    account_email: str | None = None
    account_name: str | None = None


class OAuthClient:
    """The app's OAuth client for one app registration and authority."""

    def __init__(self, config: OAuthConfig, *, http_client: requests.Session | None = None) -> None:
        self.config = config
        self._http = http_client or IdentityHttpClient(config.origin_map, timeout=config.timeout)
        self._msal: msal.ConfidentialClientApplication | None = None
        self._msal_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    # msal

    def _app(self) -> msal.ConfidentialClientApplication:
        """The msal application, made on first use (it reads the authority's discovery document)."""
        with self._msal_lock:
            if self._msal is None:
                self._msal = self._build()
            return self._msal

    def _build(self) -> msal.ConfidentialClientApplication:
        try:
            return msal.ConfidentialClientApplication(
                self.config.client_id,
                client_credential=self.config.client_secret,
                authority=self.config.authority,
                instance_discovery=False,
                http_client=self._http,
                token_cache=TransientTokenCache(),
            )
        except requests.RequestException as exc:
            raise IdentityUnavailable(detail=type(exc).__name__) from exc
        except ValueError as exc:
            message = str(exc)
            if "Unable to get authority configuration" in message or "OIDC" in message:
                raise IdentityUnavailable(detail="discovery failed") from exc
            raise ConfigurationError(
                "The Microsoft sign-in settings are not usable (authority or client id). Check "
                "MICROSOFT_TENANT_ID, MICROSOFT_CLIENT_ID and MICROSOFT_AUTHORITY_HOST.",
                detail=type(exc).__name__,
            ) from exc

    # the three steps

    def begin(self, scopes: Sequence[str], state: str) -> dict[str, Any]:
        """Start an authorization: the msal flow (holding the PKCE verifier and nonce) with ``auth_uri``."""
        app = self._app()
        flow = app.initiate_auth_code_flow(list(scopes), redirect_uri=self.config.redirect_uri, state=state)
        return {key: flow[key] for key in FLOW_KEYS if key in flow}

    def complete(self, flow: Mapping[str, Any], auth_response: Mapping[str, str]) -> TokenGrant:
        """Check the redirect's answer against ``flow`` and redeem its code (with the PKCE verifier)."""
        if auth_response.get("error"):
            raise ConsentDeclined(str(auth_response["error"]), auth_response.get("error_description"))
        app = self._app()
        try:
            result = app.acquire_token_by_auth_code_flow(dict(flow), dict(auth_response))
        except requests.RequestException as exc:
            raise IdentityUnavailable(detail=type(exc).__name__) from exc
        except ValueError as exc:
            raise AuthorizationFailed("invalid_response", "The answer did not match the request.") from exc
        except RuntimeError as exc:
            raise AuthorizationFailed("nonce_mismatch", "The ID token did not match this request.") from exc
        if "error" in result:
            error = str(result.get("error"))
            if _is_transient(error):
                raise IdentityUnavailable(detail=error)
            raise AuthorizationFailed(error, result.get("error_description"))
        return _grant(result)

    def refresh(self, refresh_token: str, scopes: Sequence[str]) -> TokenGrant:
        """New tokens from ``refresh_token``.

        Raises ``ReconnectRequired`` when the identity provider will not renew the sign-in
        (``invalid_grant`` and the like), ``IdentityUnavailable`` for passing failures.
        """
        app = self._app()
        try:
            result = app.acquire_token_by_refresh_token(refresh_token, list(scopes))
        except requests.RequestException as exc:
            raise IdentityUnavailable(detail=type(exc).__name__) from exc
        if "error" in result:
            error = str(result.get("error"))
            if error in RECONNECT_ERRORS:
                raise ReconnectRequired(error)
            if error in CLIENT_ERRORS:
                raise ConfigurationError(
                    "Microsoft refused this app's credentials while renewing a sign-in. An administrator "
                    "should check MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET.",
                    detail=error,
                )
            raise IdentityUnavailable(detail=error)
        grant = _grant(result)
        if grant.refresh_token is None:
            grant = TokenGrant(
                access_token=grant.access_token,
                refresh_token=refresh_token,
                expires_at=grant.expires_at,
                scopes=grant.scopes,
                account_email=grant.account_email,
                account_name=grant.account_name,
            )
        return grant


def _is_transient(error: str) -> bool:
    return error in {"temporarily_unavailable", "server_error"}


def _grant(result: Mapping[str, Any]) -> TokenGrant:
    access = result.get("access_token")
    if not access:
        raise AuthorizationFailed("no_access_token", "The token response held no access token.")
    try:
        expires_in = int(result.get("expires_in", DEFAULT_EXPIRES_IN_SECONDS))
    except (TypeError, ValueError):
        expires_in = DEFAULT_EXPIRES_IN_SECONDS
    scopes = split_scopes(result.get("scope"))
    refresh = result.get("refresh_token") or None
    if refresh and OFFLINE_ACCESS not in scopes:
        scopes.append(OFFLINE_ACCESS)
    claims = result.get("id_token_claims") or {}
    email = claims.get("preferred_username") or claims.get("email") or claims.get("upn")
    return TokenGrant(
        access_token=str(access),
        refresh_token=str(refresh) if refresh else None,
        expires_at=utcnow() + dt.timedelta(seconds=max(0, expires_in)),
        scopes=tuple(scopes),
        account_email=str(email) if email else None,
        account_name=str(claims["name"]) if claims.get("name") else None,
    )


_clients: dict[tuple[str, ...], OAuthClient] = {}
_clients_lock = threading.Lock()


def get_oauth_client(settings: Settings | None = None) -> OAuthClient:
    """The process's OAuth client for the configured app registration (one per configuration)."""
    config = OAuthConfig.from_settings(settings)
    key = (config.client_id, config.authority, config.redirect_uri, *sorted(f"{k}>{v}" for k, v in config.origin_map.items()))
    with _clients_lock:
        client = _clients.get(key)
        if client is None or client.config != config:
            client = _clients[key] = OAuthClient(config)
        return client
