"""A small Microsoft Graph client: one pooled connection pool, a bearer per request.

The process holds one `httpx.AsyncClient`. It has no default credentials and no
cookie jar, so nothing from one user's request can reach another's: each call
passes the caller's token as its own `Authorization` header. Calls are
bounded by a timeout; throttling (429) and unavailability (502/503/504) are
retried for idempotent calls only, honouring `Retry-After` up to a cap; every
other failure becomes an `Ms365Error` that says what happened and what to do.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import httpx

from crm_app.ms365_mcp.errors import (
    INVALID_TOKEN_CODE,
    THROTTLED_CODE,
    VALIDATION_CODE,
    GraphError,
    GraphTimeout,
    GraphUnavailable,
    Ms365Error,
)
from crm_app.ms365_mcp.settings import Settings

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_JITTER = 0.25
MAX_KEEPALIVE_CONNECTIONS = 20
ERROR_TEXT_LIMIT = 300
USER_AGENT = "crm-app-ms365-mcp/1.0"
DOT_SEGMENTS = frozenset({".", ".."})

Params = Mapping[str, str | int | bool | None]
Sleep = Callable[[float], Awaitable[None]]


def clean_params(params: Params | None) -> dict[str, str]:
    """Drop absent and blank values, so nothing is ever sent as `None` or an empty string."""
    cleaned: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            cleaned[key] = "true" if value else "false"
            continue
        text = str(value).strip()
        if text:
            cleaned[key] = text
    return cleaned


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class Page:
    """Items gathered across one or more Graph pages."""

    items: list[dict[str, Any]] = field(default_factory=list)
    has_more: bool = False
    dropped: int = 0


def _cookie_jar_that_keeps_nothing() -> CookieJar:
    """A jar whose policy refuses every cookie, so no response state is shared between users."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class GraphClient:
    """Calls Microsoft Graph under `settings.graph_base_url` with a caller-supplied token.

    Use as an async context manager (or call `open()` / `aclose()`); the pooled
    client lives between the two. `transport` and `sleep` are injectable for tests.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.base_url = settings.graph_base_url.rstrip("/")
        self._base = urlsplit(self.base_url)
        self._transport = transport
        self._sleep = sleep
        self._client: httpx.AsyncClient | None = None

    async def open(self) -> None:
        if self._client is not None:
            return
        self._client = httpx.AsyncClient(
            transport=self._transport,
            timeout=httpx.Timeout(self.settings.graph_timeout_seconds),
            limits=httpx.Limits(
                max_connections=self.settings.graph_max_connections,
                max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS,
            ),
            cookies=_cookie_jar_that_keeps_nothing(),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("GraphClient is not open; use 'async with GraphClient(...)' or call open() first")
        return self._client

    def url_for(self, path_or_url: str) -> str:
        """An absolute URL under the Graph base URL for a path such as `/me/messages`.

        A relative path may not contain `.` or `..` segments: an id that is one would
        otherwise address a different resource (`/me/messages/..` is `/me`).
        An absolute URL (an `@odata.nextLink`) is accepted only when it points
        under the base URL's path; it is rebased onto the configured host, so the
        token is only ever sent to `GRAPH_BASE_URL`.
        """
        if not path_or_url.startswith(("http://", "https://")):
            path = path_or_url.lstrip("/")
            if DOT_SEGMENTS.intersection(path.split("?", 1)[0].split("/")):
                raise Ms365Error(
                    "An id given to the tool was '.' or '..', which names no Microsoft 365 item, so nothing was "
                    "requested. Pass an id exactly as a listing or search tool returned it.",
                    code=VALIDATION_CODE,
                )
            return self.base_url + "/" + path
        if path_or_url.startswith(self.base_url + "/"):
            return path_or_url
        parts = urlsplit(path_or_url)
        base_path = self._base.path.rstrip("/")
        if parts.path.startswith(base_path + "/"):
            return urlunsplit((self._base.scheme, self._base.netloc, parts.path, parts.query, ""))
        raise GraphUnavailable(
            "Microsoft Graph returned a link outside the configured Graph address, so it was not followed. "
            "Check that GRAPH_BASE_URL names the Graph endpoint itself (for example https://graph.microsoft.com/v1.0).",
            status=None,
        )

    async def request(
        self,
        method: str,
        path_or_url: str,
        *,
        token: str,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        stream: bool = False,
        follow_redirects: bool = False,
    ) -> httpx.Response:
        """Send one Graph request, retrying transient failures; return a successful response.

        With `stream=True` the body is left unread and the caller must close the response.
        """
        method = method.upper()
        retry_allowed = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        url = self.url_for(path_or_url)
        request_headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
        query = clean_params(params)
        label = f"{method} {urlsplit(url).path}"
        retries = self.settings.graph_max_retries
        attempt = 0
        while True:
            request = self._build(method, url, query, json, request_headers)
            try:
                response = await self.client.send(request, stream=stream, follow_redirects=follow_redirects)
            except httpx.TimeoutException as exc:
                raise self._timeout(label) from exc
            except httpx.TransportError as exc:
                never_sent = isinstance(exc, httpx.ConnectError)
                if not (retry_allowed or never_sent) or attempt >= retries:
                    raise self._unreachable(exc) from exc
                await self._pause(label, type(exc).__name__, attempt, self._backoff(attempt))
                attempt += 1
                continue
            status = response.status_code
            if status < 400:
                return response
            wait = parse_retry_after(response.headers.get("Retry-After")) if status in RETRYABLE_STATUSES else None
            delay = self._backoff(attempt) if wait is None else wait
            if (
                status in RETRYABLE_STATUSES
                and retry_allowed
                and attempt < retries
                and delay <= self.settings.max_retry_after_seconds
            ):
                await response.aclose()
                await self._pause(label, f"HTTP {status}", attempt, delay)
                attempt += 1
                continue
            raise await self._error_from(response, label, retry_after=wait)

    def _build(self, method: str, url: str, query: dict[str, str], json: Any, headers: dict[str, str]) -> httpx.Request:
        try:
            return self.client.build_request(method, url, params=query or None, json=json, headers=headers)
        except httpx.InvalidURL as exc:
            raise Ms365Error(
                f"The request could not be sent to Microsoft Graph ({exc}). Shorten the search words, names or ids "
                "given to the tool, then call it again.",
                code=VALIDATION_CODE,
            ) from exc

    async def _pause(self, label: str, reason: str, attempt: int, delay: float) -> None:
        logger.warning(
            "Graph %s failed (%s); retry %d/%d in %.2fs", label, reason, attempt + 1, self.settings.graph_max_retries,
            delay,
        )
        await self._sleep(delay)

    def _timeout(self, label: str) -> GraphTimeout:
        return GraphTimeout(
            f"Microsoft Graph did not answer within {self.settings.graph_timeout_seconds:g} seconds ({label}). "
            "Try again in a moment; if it keeps timing out, narrow the request (a shorter date range or a "
            "smaller 'top').",
            status=None,
        )

    def _unreachable(self, exc: httpx.TransportError) -> GraphUnavailable:
        return GraphUnavailable(
            f"Microsoft Graph could not be reached at {self._base.netloc} ({type(exc).__name__}). "
            "Microsoft 365 may be down or unreachable; try again in a few minutes.",
            status=None,
        )

    async def get_json(
        self,
        path_or_url: str,
        *,
        token: str,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.request("GET", path_or_url, token=token, params=params, headers=headers)
        return self._json_body(response)

    async def post_json(
        self,
        path: str,
        *,
        token: str,
        body: Any,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
    ) -> dict[str, Any]:
        """POST `body`; return the JSON answer, or `{}` for 202/204 with no content."""
        response = await self.request("POST", path, token=token, json=body, headers=headers, idempotent=idempotent)
        if response.status_code == 204 or not response.content:
            return {}
        return self._json_body(response)

    async def collect(
        self,
        path: str,
        *,
        token: str,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        limit: int,
        max_pages: int,
        keep: Callable[[dict[str, Any]], bool] | None = None,
    ) -> Page:
        """Follow `@odata.nextLink` until `limit` items are kept or `max_pages` pages are read.

        `keep` decides item by item whether an item counts; rejected items are
        counted in `Page.dropped`. `Page.has_more` says whether results were cut.
        """
        page = Page()
        next_url: str | None = path
        next_params: Params | None = params
        pages_read = 0
        while next_url is not None and pages_read < max_pages:
            data = await self.get_json(next_url, token=token, params=next_params, headers=headers)
            pages_read += 1
            values = data.get("value")
            if not isinstance(values, list):
                raise GraphUnavailable(
                    "Microsoft Graph answered without the expected list of results. Try again; "
                    "if it persists, check that GRAPH_BASE_URL points at Microsoft Graph.",
                    status=None,
                )
            for item in values:
                if not isinstance(item, dict):
                    continue
                if keep is not None and not keep(item):
                    page.dropped += 1
                    continue
                if len(page.items) >= limit:
                    page.has_more = True
                    break
                page.items.append(item)
            link = data.get("@odata.nextLink")
            next_url = link if isinstance(link, str) and link else None
            next_params = None
            if page.has_more or len(page.items) >= limit:
                break
        page.has_more = page.has_more or next_url is not None
        return page

    @asynccontextmanager
    async def download(
        self, path: str, *, token: str, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """Stream a file's content, following Graph's redirect to the download location.

        httpx drops the `Authorization` header when a redirect leaves Graph's host.
        """
        response = await self.request("GET", path, token=token, headers=headers, stream=True, follow_redirects=True)
        try:
            yield response
        finally:
            await response.aclose()

    def _backoff(self, attempt: int) -> float:
        base = BACKOFF_BASE_SECONDS * (2**attempt)
        delay = base + random.uniform(0, base * BACKOFF_JITTER)
        return min(delay, self.settings.max_retry_after_seconds)

    @staticmethod
    def _json_body(response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise GraphUnavailable(
                f"Microsoft Graph answered HTTP {response.status_code} with a body that is not JSON. "
                "Try again; if it persists, check that GRAPH_BASE_URL points at Microsoft Graph.",
                status=response.status_code,
            ) from exc
        if not isinstance(data, dict):
            raise GraphUnavailable(
                "Microsoft Graph answered with an unexpected JSON shape. Try again; if it persists, "
                "check that GRAPH_BASE_URL points at Microsoft Graph.",
                status=response.status_code,
            )
        return data

    async def _error_from(self, response: httpx.Response, label: str, retry_after: float | None = None) -> Ms365Error:
        await response.aread()
        status = response.status_code
        code, detail = _graph_error_fields(response)
        logger.info("Graph %s failed: HTTP %d %s", label, status, code or "")
        if status == 401:
            return GraphError(
                f"Microsoft 365 rejected the access token ({detail or 'unauthorized'}). "
                "Refresh the token or reconnect Microsoft 365, then retry.",
                code=code or INVALID_TOKEN_CODE,
                status=status,
            )
        if status == 403:
            return GraphError(
                f"Microsoft 365 denied access ({detail or 'forbidden'}). The signed-in account lacks permission "
                "for this item or action; ask its owner or an administrator for access, or choose another item.",
                code=code or "Forbidden",
                status=status,
            )
        if status == 404:
            return GraphError(
                f"Microsoft 365 could not find it ({detail or 'not found'}). Check the id, or list the items "
                "again to get a current id.",
                code=code or "ItemNotFound",
                status=status,
            )
        if status == 429:
            when = f"in {retry_after:g} seconds" if retry_after is not None else "in a minute"
            return GraphError(
                f"Microsoft 365 is throttling requests for this account ({detail or 'too many requests'}). "
                f"Wait and try again {when}.",
                code=code or THROTTLED_CODE,
                status=status,
            )
        if status >= 500:
            when = f"in {retry_after:g} seconds" if retry_after is not None else "in a few minutes"
            return GraphUnavailable(
                f"Microsoft 365 is unavailable (HTTP {status}{': ' + detail if detail else ''}). "
                f"Try again {when}.",
                status=status,
            )
        return GraphError(
            f"Microsoft 365 rejected the request ({detail or f'HTTP {status}'}). Adjust the arguments and try again.",
            code=code or f"HTTP{status}",
            status=status,
        )


def _graph_error_fields(response: httpx.Response) -> tuple[str | None, str]:
    """Graph's error code and message from an error response, tolerating non-JSON bodies."""
    try:
        data = response.json()
    except ValueError:
        return None, response.text.strip()[:ERROR_TEXT_LIMIT]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        return (code if isinstance(code, str) and code else None), (
            str(message).strip()[:ERROR_TEXT_LIMIT] if message else ""
        )
    return None, ""
