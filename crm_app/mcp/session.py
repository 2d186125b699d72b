"""One MCP session over Streamable HTTP, owned by one user and one server.

Each ``PooledSession`` has its own ``httpx2.AsyncClient``; the user's credentials are put
on each request by that client's auth hook, so nothing on a session can carry another
user's token. The SDK's transport and session live inside a runner task that keeps them
open until the session is closed; calls from any task go through the open session.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import httpx2
import mcp_types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError as SdkMCPError
from mcp_types import CONNECTION_CLOSED, METHOD_NOT_FOUND, REQUEST_TIMEOUT
from pydantic import ValidationError

from crm_app.mcp.client_session import ClientSession
from crm_app.mcp.config import ServerConfig
from crm_app.mcp.errors import (
    CallTimeout,
    CredentialsRejected,
    MCPError,
    ProtocolError,
    ReconnectNeeded,
    ServerUnavailable,
)
from crm_app.mcp.redact import scrub_urls
from crm_app.mcp.tokens import TokenBroker

logger = logging.getLogger(__name__)

CLIENT_INFO = mcp_types.Implementation(name="crm-app", version="1.0")
MAX_TOOL_PAGES = 50
CLOSE_SECONDS = 5.0
RUNNER_SETTLE_SECONDS = 1.0
HTTP_UNAUTHORIZED = 401
HTTP_FORBIDDEN = 403
HTTP_NOT_FOUND = 404
HTTP_SERVER_ERROR = 500
SSE_READ_SECONDS = 300.0
MCP_SESSION_HEADER = "mcp-session-id"

T = TypeVar("T")

HttpClientFactory = Callable[[dict[str, str], httpx2.Auth, float], httpx2.AsyncClient]
"""Builds the HTTP client of one session from its static headers, auth hook and connect timeout."""

_UNDELIVERED = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout, httpx2.UnsupportedProtocol)


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """httpx2's default TLS context, built once per process: building one loads the CA bundle (milliseconds of CPU)."""
    return httpx2.create_ssl_context()


def default_http_client(headers: dict[str, str], auth: httpx2.Auth, connect_timeout: float) -> httpx2.AsyncClient:
    """An HTTP client for one session; reads may idle as long as a server-sent event stream does."""
    timeout = httpx2.Timeout(connect_timeout, read=SSE_READ_SECONDS)
    return httpx2.AsyncClient(headers=headers, auth=auth, timeout=timeout, verify=tls_context())


@dataclass
class RequestTrace:
    """What happened on the wire for one operation: HTTP statuses and the bearer token sent."""

    statuses: list[int] = field(default_factory=list)
    bearer_sent: str | None = None
    reconnect_needed: ReconnectNeeded | None = None
    auth_failure: MCPError | None = None
    sealed: bool = False

    @property
    def last_status(self) -> int | None:
        return self.statuses[-1] if self.statuses else None


_TRACE: contextvars.ContextVar[RequestTrace | None] = contextvars.ContextVar("crm_mcp_request_trace", default=None)


@contextlib.contextmanager
def traced() -> Iterator[RequestTrace]:
    """Record the HTTP exchanges made on behalf of the current task.

    The SDK's transport sends each message in the context of the task that sent it, so
    the auth hook finds this trace while handling that task's requests.
    """
    trace = RequestTrace()
    token = _TRACE.set(trace)
    try:
        yield trace
    finally:
        _TRACE.reset(token)


class SessionCredentials:
    """The credentials of one session's user: the latest bearer token, and how to renew it."""

    def __init__(self, user_id: int, server: ServerConfig, broker: TokenBroker | None, bearer: str | None) -> None:
        self.user_id = user_id
        self.server_id = server.id
        self.bearer = bearer
        self._broker = broker if server.auth == "ms365_bearer" else None

    @property
    def renewable(self) -> bool:
        return self._broker is not None

    async def renew(self, stale: str | None) -> str:
        """A replacement for ``stale`` after the server refused it; raises ``MCPError`` if there is none."""
        assert self._broker is not None
        fresh = await self._broker.refresh(self.user_id, stale, server_id=self.server_id)
        self.bearer = fresh
        return fresh


class SessionAuth(httpx2.Auth):
    """Puts the session user's bearer token on every request and renews it once on HTTP 401."""

    requires_request_body = True

    def __init__(self, credentials: SessionCredentials) -> None:
        self._credentials = credentials

    async def async_auth_flow(self, request: httpx2.Request) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        trace = _TRACE.get()
        if trace is None or trace.sealed:
            trace = RequestTrace()
        bearer = self._credentials.bearer
        response = yield self._authorize(request, bearer, trace)
        trace.statuses.append(response.status_code)
        if response.status_code != HTTP_UNAUTHORIZED or not self._credentials.renewable:
            return
        try:
            fresh = await self._credentials.renew(bearer)
        except ReconnectNeeded as exc:
            trace.reconnect_needed = exc
            return
        except MCPError as exc:
            trace.auth_failure = exc
            return
        response = yield self._authorize(request, fresh, trace)
        trace.statuses.append(response.status_code)

    @staticmethod
    def _authorize(request: httpx2.Request, bearer: str | None, trace: RequestTrace) -> httpx2.Request:
        if bearer is not None:
            request.headers["Authorization"] = f"Bearer {bearer}"
            trace.bearer_sent = bearer
        return request


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


class PooledSession:
    """An initialized MCP session kept open for reuse by one user against one server."""

    def __init__(
        self,
        *,
        user_id: int,
        server: ServerConfig,
        credentials: SessionCredentials,
        http_client_factory: HttpClientFactory,
        connect_timeout: float,
        on_tools_changed: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user_id = user_id
        self.server = server
        self.fingerprint = server.fingerprint
        self.credentials = credentials
        self._http_client_factory = http_client_factory
        self._connect_timeout = connect_timeout
        self._on_tools_changed = on_tools_changed
        self._clock = clock
        self._session: ClientSession | None = None
        self._ready = asyncio.Event()
        self._closing = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._in_flight = 0
        self._runner: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None
        self._lost = False
        self.last_used = clock()
        self.initializations = 0

    @property
    def alive(self) -> bool:
        return (
            self._session is not None
            and not self._lost
            and not self._closing.is_set()
            and self._runner is not None
            and not self._runner.done()
        )

    def idle_for(self) -> float:
        return 0.0 if self._in_flight else self._clock() - self.last_used

    async def open(self) -> None:
        """Connect and initialize, within the connect timeout; raises ``MCPError`` on failure."""
        trace = RequestTrace()
        self._runner = asyncio.get_running_loop().create_task(
            self._run(trace), name=f"mcp-session-{self.server.id}-{self.user_id}"
        )
        try:
            await asyncio.wait_for(self._ready.wait(), self._connect_timeout)
        except TimeoutError:
            await self._stop_runner()
            raise CallTimeout(self.server.name, self._connect_timeout, server_id=self.server.id) from None
        if self._session is None:
            await self._settle_runner()
            raise self._open_failure(trace)

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> mcp_types.CallToolResult:
        return await self._request(lambda session: session.call_tool(name, arguments))

    async def list_tools(self) -> list[mcp_types.Tool]:
        async def walk(session: ClientSession) -> list[mcp_types.Tool]:
            tools: list[mcp_types.Tool] = []
            cursor: str | None = None
            for _ in range(MAX_TOOL_PAGES):
                params = mcp_types.PaginatedRequestParams(cursor=cursor) if cursor else None
                page = await session.list_tools(params=params)
                tools.extend(page.tools)
                cursor = page.next_cursor
                if not cursor:
                    break
            return tools

        return await self._request(walk)

    async def ping(self, *, touch: bool = True) -> None:
        """Check the session is alive; with ``touch=False`` it does not count as use."""
        await self._request(lambda session: session.send_ping(), touch=touch)

    async def close(self, *, drain_seconds: float = CLOSE_SECONDS) -> None:
        """Let calls in flight finish (up to ``drain_seconds``), then end the session."""
        self._lost = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), drain_seconds)
        await self._stop_runner()

    async def _request(self, operation: Callable[[ClientSession], Awaitable[T]], *, touch: bool = True) -> T:
        session = self._session
        if session is None or not self.alive:
            raise self._session_lost("session closed")
        self._in_flight += 1
        self._idle.clear()
        if touch:
            self.last_used = self._clock()
        trace = _TRACE.get()
        try:
            with contextlib.ExitStack() as stack:
                if trace is None:
                    trace = stack.enter_context(traced())
                try:
                    return await operation(session)
                except SdkMCPError as exc:
                    raise await self._call_failure(exc, trace) from exc
                except (anyio.ClosedResourceError, anyio.BrokenResourceError) as exc:
                    raise self._session_lost(type(exc).__name__) from exc
                except (ValidationError, RuntimeError) as exc:
                    problem = (
                        "sent a reply this app could not read"
                        if isinstance(exc, ValidationError)
                        else "sent a result that does not match what the tool promises"
                    )
                    raise ProtocolError(
                        self.server.name, problem, server_id=self.server.id, detail=str(exc)[:300]
                    ) from exc
        finally:
            self._in_flight -= 1
            if touch:
                self.last_used = self._clock()
            if not self._in_flight:
                self._idle.set()

    async def _run(self, trace: RequestTrace) -> None:
        _TRACE.set(trace)
        auth = SessionAuth(self.credentials)
        headers = dict(self.server.headers)
        if self.server.auth == "ms365_bearer":
            headers = {key: value for key, value in headers.items() if key.lower() != "authorization"}
        try:
            async with AsyncExitStack() as stack:
                client = await stack.enter_async_context(
                    self._http_client_factory(headers, auth, self._connect_timeout)
                )
                read, write = await stack.enter_async_context(
                    streamable_http_client(self.server.url, http_client=client)
                )
                session = await stack.enter_async_context(
                    ClientSession(read, write, message_handler=self._on_message, client_info=CLIENT_INFO)
                )
                await session.initialize()
                self.initializations += 1
                self._session = session
                trace.sealed = True
                _TRACE.set(None)
                self._ready.set()
                await self._closing.wait()
        except Exception as exc:
            self._failure = exc
            logger.debug("MCP session %s/%s ended: %s", self.server.id, self.user_id, scrub_urls(repr(exc)))
        finally:
            self._lost = True
            self._ready.set()

    async def _on_message(self, message: Any) -> None:
        if isinstance(message, mcp_types.ToolListChangedNotification):
            self._on_tools_changed()
        elif isinstance(message, Exception):
            logger.debug("MCP transport reported %s on %s", scrub_urls(repr(message)), self.server.id)

    async def _stop_runner(self) -> None:
        self._closing.set()
        runner = self._runner
        if runner is None or runner.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(runner), CLOSE_SECONDS)
        except TimeoutError:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner

    async def _settle_runner(self) -> None:
        """Give a failing runner a moment to finish, so its cause can be read."""
        runner = self._runner
        if runner is not None and not runner.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(runner), RUNNER_SETTLE_SECONDS)

    def _open_failure(self, trace: RequestTrace) -> MCPError:
        leaves = _leaves(self._failure) if self._failure is not None else []
        for leaf in leaves:
            if isinstance(leaf, MCPError):
                return leaf
        auth = self._auth_failure(trace)
        if auth is not None:
            return auth
        status = trace.last_status
        sdk_errors = [leaf for leaf in leaves if isinstance(leaf, SdkMCPError)]
        if status == HTTP_NOT_FOUND or any(err.error.code == METHOD_NOT_FOUND for err in sdk_errors):
            return ProtocolError(
                self.server.name,
                "has no MCP endpoint at the configured address",
                server_id=self.server.id,
                detail=f"HTTP {status}",
            )
        if any(isinstance(leaf, _UNDELIVERED) for leaf in leaves):
            return self._unavailable(leaves, delivered=False)
        if any(isinstance(leaf, httpx2.TransportError) for leaf in leaves) or (status or 0) >= HTTP_SERVER_ERROR:
            return self._unavailable(leaves, delivered=False, status=status)
        if sdk_errors or any(isinstance(leaf, ValidationError | RuntimeError) for leaf in leaves):
            detail = "; ".join(scrub_urls(str(leaf))[:200] for leaf in leaves)
            return ProtocolError(
                self.server.name, "did not complete the MCP handshake", server_id=self.server.id, detail=detail
            )
        return self._unavailable(leaves, delivered=False, status=status)

    async def _call_failure(self, exc: SdkMCPError, trace: RequestTrace) -> MCPError:
        auth = self._auth_failure(trace)
        if auth is not None:
            return auth
        code = exc.error.code
        status = trace.last_status
        if status == HTTP_NOT_FOUND:
            return self._session_lost("the server no longer knows this session")
        if code == REQUEST_TIMEOUT:
            return CallTimeout(self.server.name, self._connect_timeout, server_id=self.server.id)
        if code == CONNECTION_CLOSED:
            self._lost = True
            await self._settle_runner()
            leaves = _leaves(self._failure) if self._failure is not None else []
            delivered = not leaves or not all(isinstance(leaf, _UNDELIVERED) for leaf in leaves)
            return self._unavailable(leaves, delivered=delivered)
        if status is not None and status >= HTTP_SERVER_ERROR:
            return self._unavailable([], delivered=True, status=status)
        return ProtocolError(
            self.server.name,
            "rejected the request",
            server_id=self.server.id,
            detail=f"JSON-RPC error {code}: {exc.error.message}"[:300],
        )

    def _auth_failure(self, trace: RequestTrace) -> MCPError | None:
        if trace.reconnect_needed is not None:
            return trace.reconnect_needed
        if trace.auth_failure is not None:
            return trace.auth_failure
        if trace.last_status in (HTTP_UNAUTHORIZED, HTTP_FORBIDDEN):
            return CredentialsRejected(
                self.server.name, bearer=self.server.auth == "ms365_bearer", server_id=self.server.id
            )
        return None

    def _session_lost(self, detail: str) -> ServerUnavailable:
        """The session is gone but the server did not see the request, so it may be sent on a new one."""
        self._lost = True
        return ServerUnavailable(
            self.server.name, server_id=self.server.id, delivered=False, session_lost=True, detail=detail
        )

    def _unavailable(
        self, leaves: list[BaseException], *, delivered: bool, status: int | None = None
    ) -> ServerUnavailable:
        causes = [scrub_urls(f"{type(leaf).__name__}: {leaf}")[:200] for leaf in leaves]
        if status is not None:
            causes.append(f"HTTP {status}")
        return ServerUnavailable(
            self.server.name, server_id=self.server.id, delivered=delivered, detail="; ".join(causes) or None
        )
