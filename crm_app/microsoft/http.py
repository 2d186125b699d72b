"""The HTTP client msal uses to reach the identity provider.

msal accepts only ``https://`` authorities. A locally run identity provider (the
Microsoft 365 sandbox) answers plain HTTP on loopback, so its https authority origin is
mapped to that loopback address here. For the real Microsoft identity platform the
mapping is empty and every request goes out unchanged: one code path for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

DEFAULT_TIMEOUT_SECONDS = 15.0
CONNECT_RETRIES = 1


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, with default ports left out."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme.lower()}://{host}{port}"


class IdentityHttpClient(requests.Session):
    """A ``requests`` session for msal that rewrites mapped origins and bounds every request.

    ``origin_map`` maps an origin msal sees (``https://127.0.0.1:8002``) to the origin to
    send to (``http://127.0.0.1:8002``). Paths, queries and bodies are untouched.
    """

    def __init__(self, origin_map: Mapping[str, str] | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        super().__init__()
        self._origin_map = {origin_of(src): origin_of(dst) for src, dst in (origin_map or {}).items()}
        self._timeout = timeout
        adapter = HTTPAdapter(max_retries=CONNECT_RETRIES)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def map_url(self, url: str) -> str:
        """The URL to send a request for ``url`` to."""
        target = self._origin_map.get(origin_of(url))
        if target is None:
            return url
        parts = urlsplit(url)
        mapped = urlsplit(target)
        return urlunsplit((mapped.scheme, mapped.netloc, parts.path, parts.query, parts.fragment))

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        target = url.decode() if isinstance(url, bytes) else url
        verb = method.decode() if isinstance(method, bytes) else method
        return super().request(verb, self.map_url(target), *args, **kwargs)
