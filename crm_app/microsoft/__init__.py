"""Microsoft 365 sign-in: msal OAuth (authorization code + PKCE + state), the encrypted token vault."""

from __future__ import annotations

from crm_app.microsoft.crypto import SecretCipher, get_cipher
from crm_app.microsoft.errors import (
    AuthorizationFailed,
    ConfigurationError,
    ConsentDeclined,
    IdentityUnavailable,
    MicrosoftError,
    NotConnected,
    ReconnectRequired,
    StateRejected,
    TokenDecryptionFailed,
)
from crm_app.microsoft.oauth import OAuthClient, OAuthConfig, TokenGrant, get_oauth_client
from crm_app.microsoft.vault import (
    SERVICE_TYPE,
    Connection,
    TokenVault,
    connection_of,
    delete_connection,
    rotate_all,
    store_grant,
)

__all__ = [
    "SERVICE_TYPE",
    "AuthorizationFailed",
    "ConfigurationError",
    "Connection",
    "ConsentDeclined",
    "IdentityUnavailable",
    "MicrosoftError",
    "NotConnected",
    "OAuthClient",
    "OAuthConfig",
    "ReconnectRequired",
    "SecretCipher",
    "StateRejected",
    "TokenDecryptionFailed",
    "TokenGrant",
    "TokenVault",
    "connection_of",
    "delete_connection",
    "get_cipher",
    "get_oauth_client",
    "rotate_all",
    "store_grant",
]
