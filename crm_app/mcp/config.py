"""Tool server settings: which MCP servers a user's assistant may use and how to authenticate."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args
from urllib.parse import urlsplit

from crm_app.mcp.errors import MICROSOFT_365, InvalidServerConfig

AuthMode = Literal["ms365_bearer", "static_headers", "none"]

MS365_SERVER_ID = "ms365"
CUSTOM_SERVER_PREFIX = "custom-"

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_RESERVED_HEADERS = frozenset(
    {"host", "content-length", "content-type", "accept", "mcp-session-id", "mcp-protocol-version"}
)


@dataclass(frozen=True)
class ServerConfig:
    """One MCP server reachable over Streamable HTTP.

    ``headers`` are sent with every request to this server (for example an API key);
    they are secrets and are never logged. With ``auth="ms365_bearer"`` the signed-in
    user's Microsoft 365 access token is sent as ``Authorization: Bearer``.
    """

    id: str
    name: str
    url: str
    auth: AuthMode = "none"
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    enabled: bool = True

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise InvalidServerConfig("A tool server needs an id. Give it one, then save again.")
        if not self.name.strip():
            raise InvalidServerConfig("A tool server needs a name. Give it one in Settings, then save again.")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidServerConfig(
                f"The address of the {self.name} tool server must be a full http:// or https:// URL, "
                "such as https://example.com/mcp. Correct it in Settings."
            )
        if self.auth not in get_args(AuthMode):
            raise InvalidServerConfig(
                f"The {self.name} tool server has an unknown sign-in mode. Choose one of: "
                + ", ".join(get_args(AuthMode))
                + "."
            )
        for name, value in self.headers.items():
            if not _HEADER_NAME.match(name) or name.lower() in _RESERVED_HEADERS:
                raise InvalidServerConfig(
                    f"The header name {name!r} for the {self.name} tool server cannot be used. Use a plain "
                    "header name such as X-API-Key."
                )
            if not isinstance(value, str) or "\r" in value or "\n" in value:
                raise InvalidServerConfig(
                    f"The value of header {name!r} for the {self.name} tool server must be one line of text. "
                    "Paste it again without line breaks."
                )
        object.__setattr__(self, "headers", dict(self.headers))

    def __hash__(self) -> int:
        return hash((self.id, self.name, self.enabled, self.fingerprint))

    @property
    def fingerprint(self) -> str:
        """A digest of everything that shapes a connection; it changes when the settings do."""
        material = json.dumps(
            {"url": self.url, "auth": self.auth, "headers": sorted(self.headers.items())}, separators=(",", ":")
        )
        return hashlib.sha256(material.encode()).hexdigest()


def ms365_server(url: str, *, name: str = MICROSOFT_365, enabled: bool = True) -> ServerConfig:
    """The Microsoft 365 tool server at ``url`` (``MS365_MCP_URL``), called with the user's Microsoft token."""
    return ServerConfig(id=MS365_SERVER_ID, name=name, url=url, auth="ms365_bearer", enabled=enabled)


def custom_server(
    number: int,
    *,
    name: str,
    url: str,
    header_name: str | None = None,
    header_value: str | None = None,
    enabled: bool = True,
) -> ServerConfig:
    """A server the user added in Settings, with an optional header such as an API key."""
    headers: dict[str, str] = {}
    if header_name:
        headers[header_name.strip()] = (header_value or "").strip()
    return ServerConfig(
        id=f"{CUSTOM_SERVER_PREFIX}{number}",
        name=name,
        url=url.strip(),
        auth="static_headers" if headers else "none",
        headers=headers,
        enabled=enabled,
    )
