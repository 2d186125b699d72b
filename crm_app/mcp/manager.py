"""The MCP client manager: the app's one way to list and call tools on MCP servers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import mcp_types

from crm_app.mcp.audit import AuditSink, audit_call
from crm_app.mcp.backoff import Backoff
from crm_app.mcp.breaker import DEFAULT_FAILURE_THRESHOLD, DEFAULT_RESET_SECONDS, BreakerBoard, BreakerState, CircuitBreaker
from crm_app.mcp.cache import TtlCache
from crm_app.mcp.config import ServerConfig
from crm_app.mcp.errors import (
    AuthError,
    CallTimeout,
    CircuitOpen,
    CredentialsRejected,
    InternalError,
    MCPDisabled,
    MCPError,
    ProtocolError,
    ServerDisabled,
    ServerUnavailable,
)
from crm_app.mcp.health import HealthCheck
from crm_app.mcp.outcomes import connected_status, disabled_status, elapsed_ms, failed_outcome, failed_status, outcome_of
from crm_app.mcp.pool import SessionKey, SessionPool
from crm_app.mcp.retrying import transport_retrying
from crm_app.mcp.results import CallOutcome, ServerStatus, SharedTools, ToolCall, ToolFlags, ToolInfo, ToolListing
from crm_app.mcp.session import (
    HttpClientFactory,
    PooledSession,
    RequestTrace,
    SessionCredentials,
    default_http_client,
    traced,
)
from crm_app.mcp.singleflight import SingleFlight
from crm_app.mcp.tokens import TokenBroker, TokenProvider

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_TOOL_CACHE_TTL = 300.0
DEFAULT_IDLE_CLOSE_SECONDS = 300.0
DEFAULT_HEALTH_INTERVAL = 60.0
DEFAULT_OUTAGE_PROBE_SECONDS = 2.0
DEFAULT_MAX_PARALLEL = 4
DEFAULT_RETRIES = 2

T = TypeVar("T")
ToolCacheKey = tuple[int, str, str]
"""(user id, server id, settings fingerprint)."""


class MCPClientManager:
    """Lists and calls tools on MCP servers for many users at once.

    * One pooled session per (user, server), reused across calls, closed after
      ``idle_close_seconds`` without use, rebuilt transparently when the server forgets it.
    * The user's bearer token travels only on that user's session.
    * Tool lists are cached ``tool_cache_ttl`` seconds per (user, server) and dropped on
      ``notifications/tools/list_changed`` and on errors; a server's users share its ``ToolInfo``s.
    * Every call is bounded by ``timeout_seconds``, transport failures are retried with
      exponential backoff and jitter (a call that may have reached the server is resent
      only for read-only or idempotent tools), and a circuit breaker per server address
      pauses calls to a server that keeps failing (a call whose own tries open it reports its
      own failure). While paused, the health check asks the server every ``outage_probe_seconds``;
      once it answers, calls go through again at once (``HealthCheck``).
    * A tool's Microsoft Graph 401 makes the manager renew the user's token (once per
      stale token, however many calls saw it) and retry the call exactly once.
    * Every call is audited with its arguments redacted.
    * With ``enabled=False`` nothing is listed or called.

    ``start()`` begins the background health check; ``close()`` ends it and every session.
    ``reconnect_errors`` are exception types of the token provider that mean the user
    must connect Microsoft 365 again (besides ``ReconnectNeeded``).
    """

    def __init__(
        self,
        *,
        token_provider: TokenProvider,
        audit_sink: AuditSink,
        reconnect_errors: tuple[type[Exception], ...] = (),
        enabled: bool = True,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        tool_cache_ttl: float = DEFAULT_TOOL_CACHE_TTL,
        idle_close_seconds: float = DEFAULT_IDLE_CLOSE_SECONDS,
        health_interval: float = DEFAULT_HEALTH_INTERVAL,
        outage_probe_seconds: float = DEFAULT_OUTAGE_PROBE_SECONDS,
        max_parallel: int = DEFAULT_MAX_PARALLEL,
        retries: int = DEFAULT_RETRIES,
        breaker_failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        breaker_reset_seconds: float = DEFAULT_RESET_SECONDS,
        backoff: Backoff | None = None,
        http_client_factory: HttpClientFactory | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        if retries < 0:
            raise ValueError("retries must not be negative")
        self.enabled = enabled
        self._tokens = TokenBroker(token_provider, reconnect_errors=reconnect_errors, clock=clock)
        self._audit_sink = audit_sink
        self._timeout = timeout_seconds
        self._idle_close_seconds = idle_close_seconds
        self._health_interval = health_interval
        self._outage_probe_seconds = outage_probe_seconds
        self._max_parallel = max_parallel
        self._retries = retries
        self._backoff = backoff or Backoff()
        self._http_client_factory = http_client_factory or default_http_client
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self._pool = SessionPool()
        self._tool_cache: TtlCache[ToolCacheKey, list[ToolInfo]] = TtlCache(tool_cache_ttl, clock=clock)
        self._shared_tools = SharedTools()
        self._tool_generation: dict[SessionKey, int] = {}
        self._listing: SingleFlight[ToolCacheKey, list[ToolInfo]] = SingleFlight()
        self._breakers = BreakerBoard(
            failure_threshold=breaker_failure_threshold, reset_seconds=breaker_reset_seconds, clock=clock
        )
        self._health_task: asyncio.Task[None] | None = None
        self._health = HealthCheck(
            pool=self._pool,
            breakers=self._breakers,
            tools_changed=self._tools_changed,
            http_client_factory=self._http_client_factory,
            timeout=self._timeout,
            idle_close_seconds=idle_close_seconds,
        )

    async def __aenter__(self) -> MCPClientManager:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def start(self) -> None:
        """Start the background health check (every ``health_interval`` seconds)."""
        if not self.enabled or self._health_task is not None:
            return
        self._health_task = asyncio.get_running_loop().create_task(self._health_loop(), name="mcp-health")

    async def close(self) -> None:
        """Stop the health check and close every session."""
        task, self._health_task = self._health_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._pool.aclose()

    async def invalidate(self, user_id: int | None = None, server_id: str | None = None) -> None:
        """Forget cached tool lists and close sessions of one user, one server, both, or everyone."""

        def matches(key: SessionKey) -> bool:
            return (user_id is None or key[0] == user_id) and (server_id is None or key[1] == server_id)

        self._tool_cache.drop_where(lambda key: matches((key[0], key[1])))
        for key in [key for key in self._tool_generation if matches(key)]:
            self._tool_generation[key] += 1
        self._pool.discard_where(matches)
        if server_id is None:
            self._tokens.forget(user_id)

    # Tools

    async def list_tools(self, user_id: int, server: ServerConfig) -> list[ToolInfo]:
        """The server's tools for this user, from the cache when fresh.

        Returns nothing when MCP or the server is turned off; raises ``MCPError`` when the
        server cannot be asked.
        """
        if self._refusal(server) is not None:
            return []
        key: ToolCacheKey = (user_id, server.id, server.fingerprint)
        cached = self._tool_cache.get(key)
        if cached is not None:
            return list(cached)
        try:
            async with asyncio.timeout(self._timeout):
                tools = await self._listing.run(key, lambda: self._fetch_tools(user_id, server, key))
        except TimeoutError:
            raise CallTimeout(server.name, self._timeout, server_id=server.id) from None
        return list(tools)

    async def list_all_tools(self, user_id: int, servers: Sequence[ServerConfig]) -> ToolListing:
        """Tools of several servers gathered in parallel; a failing server adds its error instead."""
        tools: list[ToolInfo] = []
        errors: dict[str, MCPError] = {}
        results = await asyncio.gather(*(self._list_or_error(user_id, server) for server in servers))
        for server, result in zip(servers, results, strict=True):
            if isinstance(result, MCPError):
                errors[server.id] = result
            else:
                tools.extend(result)
        return ToolListing(tools=tools, errors=errors)

    async def call_tool(
        self, user_id: int, server: ServerConfig, name: str, arguments: Mapping[str, Any] | None = None
    ) -> CallOutcome:
        """Call one tool; every failure comes back as an outcome, and the call is audited."""
        args = dict(arguments or {})
        started = time.perf_counter()
        refusal = self._refusal(server)
        if refusal is not None:
            return CallOutcome.failure(refusal, outcome="disabled", server_id=server.id, tool=name, latency_ms=0.0)
        try:
            async with asyncio.timeout(self._timeout):
                outcome = await self._call(user_id, server, name, args)
        except TimeoutError:
            self._breaker(server).record_failure()
            outcome = failed_outcome(CallTimeout(server.name, self._timeout, server_id=server.id), server, name)
        except MCPError as exc:
            outcome = failed_outcome(exc, server, name)
        except Exception:
            logger.exception("tool call %s on %s failed unexpectedly", name, server.id)
            outcome = failed_outcome(InternalError(name), server, name)
        outcome = replace(outcome, latency_ms=elapsed_ms(started))
        await self._audit(user_id, server, name, args, outcome)
        return outcome

    async def call_many(self, user_id: int, calls: Sequence[ToolCall]) -> list[CallOutcome]:
        """Run independent calls in parallel, at most ``max_parallel`` at a time, in the given order."""
        gate = asyncio.Semaphore(self._max_parallel)

        async def one(call: ToolCall) -> CallOutcome:
            async with gate:
                return await self.call_tool(user_id, call.server, call.name, call.arguments)

        return list(await asyncio.gather(*(one(call) for call in calls)))

    # Status and health

    async def status(self, user_id: int, servers: Sequence[ServerConfig]) -> dict[str, ServerStatus]:
        """A live check of each server for this user: reachable, signed in, which tools."""
        results = await asyncio.gather(*(self._status_of(user_id, server) for server in servers))
        return {result.server_id: result for result in results}

    async def check_health(self) -> None:
        """One health round (see ``HealthCheck.run``)."""
        await self._health.run()

    def session_count(self) -> int:
        """How many sessions are open now."""
        return len(self._pool)

    # Internals

    def _refusal(self, server: ServerConfig) -> MCPError | None:
        if not self.enabled:
            return MCPDisabled()
        if not server.enabled:
            return ServerDisabled(server.name, server_id=server.id)
        return None

    def _breaker(self, server: ServerConfig) -> CircuitBreaker:
        return self._breakers.of(server)

    async def _list_or_error(self, user_id: int, server: ServerConfig) -> list[ToolInfo] | MCPError:
        refusal = self._refusal(server)
        if refusal is not None:
            return refusal
        try:
            return await self.list_tools(user_id, server)
        except MCPError as exc:
            return exc

    async def _fetch_tools(self, user_id: int, server: ServerConfig, key: ToolCacheKey) -> list[ToolInfo]:
        session_key: SessionKey = (user_id, server.id)
        generation = self._tool_generation.setdefault(session_key, 0)
        try:
            async with asyncio.timeout(self._timeout):
                listed, _ = await self._execute(user_id, server, lambda session: session.list_tools(), replay_safe=True)
        except TimeoutError:
            self._breaker(server).record_failure()
            self._tool_cache.drop(key)
            raise CallTimeout(server.name, self._timeout, server_id=server.id) from None
        except MCPError:
            self._tool_cache.drop(key)
            raise
        tools = [self._shared_tools.info(tool, server.id) for tool in listed]
        if self._tool_generation.get(session_key) == generation:
            self._tool_cache.put(key, tools)
        return tools

    def _tools_changed(self, session_key: SessionKey) -> None:
        self._tool_generation[session_key] = self._tool_generation.get(session_key, 0) + 1
        self._tool_cache.drop_where(lambda key: (key[0], key[1]) == session_key)

    def _flags(self, user_id: int, server: ServerConfig, name: str) -> ToolFlags | None:
        cached = self._tool_cache.get((user_id, server.id, server.fingerprint))
        for tool in cached or ():
            if tool.name == name:
                return tool.annotations
        return None

    async def _call(self, user_id: int, server: ServerConfig, name: str, arguments: dict[str, Any]) -> CallOutcome:
        flags = self._flags(user_id, server, name)
        replay_safe = flags is not None and flags.replay_safe

        async def invoke(session: PooledSession) -> mcp_types.CallToolResult:
            return await session.call_tool(name, arguments)

        result, trace = await self._execute(user_id, server, invoke, replay_safe=replay_safe)
        outcome = outcome_of(result, server, name)
        if outcome.outcome != "auth_error" or server.auth != "ms365_bearer":
            return outcome
        await self._tokens.refresh(user_id, trace.bearer_sent, server_id=server.id)
        result, _ = await self._execute(user_id, server, invoke, replay_safe=replay_safe)
        outcome = outcome_of(result, server, name)
        if outcome.outcome == "auth_error":
            rejected = CredentialsRejected(server.name, bearer=True, server_id=server.id)
            outcome = replace(outcome, error_message=rejected.message)
        return outcome

    async def _execute(
        self,
        user_id: int,
        server: ServerConfig,
        operation: Callable[[PooledSession], Awaitable[T]],
        *,
        replay_safe: bool,
    ) -> tuple[T, RequestTrace]:
        """Run ``operation`` on the user's session, retrying transport failures that allow it (tenacity)."""
        breaker = self._breaker(server)
        retrying = transport_retrying(
            retries=self._retries,
            server=server,
            user_id=user_id,
            breaker=breaker,
            replay_safe=replay_safe,
            jitter=self._backoff.strategy(self._rand),
            sleep=self._sleep,
        )
        failed: ServerUnavailable | None = None
        async for attempt in retrying:
            with attempt:
                try:
                    return await self._attempt(user_id, server, breaker, operation, failed)
                except ServerUnavailable as exc:
                    failed = exc
                    raise
        raise RuntimeError("the retry loop ended without an outcome")

    async def _attempt(
        self,
        user_id: int,
        server: ServerConfig,
        breaker: CircuitBreaker,
        operation: Callable[[PooledSession], Awaitable[T]],
        failed: ServerUnavailable | None,
    ) -> tuple[T, RequestTrace]:
        """One try of ``operation``, counted by the breaker. A try refused by the breaker after this call's own
        failure reports that failure."""
        session_key: SessionKey = (user_id, server.id)
        bearer = await self._tokens.current(user_id, server_id=server.id) if server.auth == "ms365_bearer" else None
        if not breaker.allow():
            raise failed or CircuitOpen(server.name, breaker.retry_after(), server_id=server.id)
        try:
            session = await self._session(user_id, server, bearer)
            if bearer is not None:
                session.credentials.bearer = bearer
            with traced() as trace:
                result = await operation(session)
        except ServerUnavailable as exc:
            self._pool.discard_dead(session_key)
            self._tools_changed(session_key)
            if exc.session_lost:
                breaker.record_success()
            else:
                breaker.record_failure()
            raise
        except CallTimeout:
            breaker.record_failure()
            self._pool.discard_dead(session_key)
            raise
        except (AuthError, ProtocolError):
            breaker.record_success()
            raise
        breaker.record_success()
        return result, trace

    async def _session(self, user_id: int, server: ServerConfig, bearer: str | None) -> PooledSession:
        session_key: SessionKey = (user_id, server.id)

        def build() -> PooledSession:
            return PooledSession(
                user_id=user_id,
                server=server,
                credentials=SessionCredentials(user_id, server, self._tokens, bearer),
                http_client_factory=self._http_client_factory,
                connect_timeout=self._timeout,
                on_tools_changed=lambda: self._tools_changed(session_key),
                clock=self._clock,
            )

        return await self._pool.acquire(session_key, server.fingerprint, build)

    async def _audit(
        self, user_id: int, server: ServerConfig, name: str, arguments: dict[str, Any], outcome: CallOutcome
    ) -> None:
        if outcome.outcome != "disabled":
            await audit_call(self._audit_sink, user_id=user_id, server_id=server.id, tool=name, arguments=arguments,
                             outcome=outcome.outcome, error=None if outcome.ok else outcome.error_message,
                             latency_ms=outcome.latency_ms)

    async def _status_of(self, user_id: int, server: ServerConfig) -> ServerStatus:
        refusal = self._refusal(server)
        if refusal is not None:
            return disabled_status(server, refusal)
        if self._breaker(server).state is not BreakerState.CLOSED and await self._health.answers(server):
            self._breaker(server).record_success()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout):
                await self._execute(user_id, server, lambda session: session.ping(), replay_safe=True)
                latency = elapsed_ms(started)
                tools = await self.list_tools(user_id, server)
        except TimeoutError:
            self._breaker(server).record_failure()
            return failed_status(server, CallTimeout(server.name, self._timeout, server_id=server.id))
        except MCPError as exc:
            return failed_status(server, exc)
        return connected_status(server, tools, latency)

    async def _health_loop(self) -> None:
        while True:
            await asyncio.sleep(self._health.next_round_in(self._health_interval, self._outage_probe_seconds))
            try:
                await self.check_health()
            except Exception:
                logger.exception("MCP health check failed")
