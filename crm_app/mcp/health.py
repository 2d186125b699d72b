"""The health check of tool servers: ping pooled sessions, and ask paused servers whether they answer again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx2

from crm_app.mcp.breaker import BreakerBoard
from crm_app.mcp.config import ServerConfig
from crm_app.mcp.errors import MCPError, ServerUnavailable
from crm_app.mcp.pool import SessionKey, SessionPool
from crm_app.mcp.session import HttpClientFactory, PooledSession, traced

logger = logging.getLogger(__name__)

HTTP_SERVER_ERROR = 500


async def answers_http(server: ServerConfig, http_client_factory: HttpClientFactory, timeout: float) -> bool:
    """Whether the server answers HTTP (any status below 500) within ``timeout`` seconds."""
    try:
        async with asyncio.timeout(timeout):
            async with http_client_factory({}, httpx2.Auth(), timeout) as client:
                async with client.stream("GET", server.url, headers={"Accept": "text/event-stream"}) as response:
                    return response.status_code < HTTP_SERVER_ERROR
    except (TimeoutError, httpx2.HTTPError, OSError):
        return False


@dataclass(kw_only=True)
class HealthCheck:
    """One round at a time: idle sessions closed, the others pinged, paused servers asked over plain HTTP."""

    pool: SessionPool
    breakers: BreakerBoard
    tools_changed: Callable[[SessionKey], None]
    http_client_factory: HttpClientFactory
    timeout: float
    idle_close_seconds: float

    def next_round_in(self, interval: float, outage_interval: float) -> float:
        """Seconds until the next round: ``outage_interval`` while a server's calls are paused."""
        return min(interval, outage_interval) if self.breakers.paused() else interval

    async def run(self) -> None:
        """Close idle sessions and ping the others; a session that fails its ping is dropped.

        One round counts once per server towards its circuit breaker, however many users'
        sessions it pinged there: a stopped server is one failure, not one per session.
        A server whose calls are paused is asked whether it answers again; if it does, its
        calls resume at once.
        """
        await self.resume_answering_servers()
        pinged: list[tuple[SessionKey, PooledSession]] = []
        for key, session in self.pool.items():
            if session.idle_for() >= self.idle_close_seconds:
                self.pool.discard(key, session)
            else:
                pinged.append((key, session))
        outcomes = await asyncio.gather(*(self._ping(key, session) for key, session in pinged))
        by_server: dict[str, tuple[ServerConfig, set[bool]]] = {}
        for (_, session), outcome in zip(pinged, outcomes, strict=True):
            if outcome is not None:
                by_server.setdefault(session.server.url, (session.server, set()))[1].add(outcome)
        for server, seen in by_server.values():
            if False in seen:
                self.breakers.of(server).record_failure()
            else:
                self.breakers.of(server).record_success()

    async def resume_answering_servers(self) -> None:
        paused = self.breakers.paused()
        answers = await asyncio.gather(*(self.answers(server) for server in paused))
        for server, answered in zip(paused, answers, strict=True):
            if answered:
                logger.info("health check: %s answers again; its calls resume", server.id)
                self.breakers.of(server).record_success()

    async def answers(self, server: ServerConfig) -> bool:
        return await answers_http(server, self.http_client_factory, self.timeout)

    async def _ping(self, key: SessionKey, session: PooledSession) -> bool | None:
        """Ping one pooled session, dropping it when the ping fails.

        True: the server answered. False: the server failed (it is down or timed out).
        None: says nothing about the server (only this session was lost, or it refused this user).
        """
        try:
            async with asyncio.timeout(self.timeout):
                with traced():
                    await session.ping(touch=False)
        except (TimeoutError, ServerUnavailable) as exc:
            logger.info("health check: %s for user %s failed, closing its session", session.server.id, key[0])
            self.pool.discard(key, session)
            self.tools_changed(key)
            return None if isinstance(exc, ServerUnavailable) and exc.session_lost else False
        except MCPError as exc:
            logger.info("health check: %s for user %s: %s", session.server.id, key[0], exc.code)
            self.pool.discard(key, session)
            self.tools_changed(key)
            return None
        return True
