"""Open MCP sessions, one per (user, server), reused until they die, go idle or change settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from crm_app.mcp.redact import scrub_urls
from crm_app.mcp.session import PooledSession
from crm_app.mcp.singleflight import SingleFlight

logger = logging.getLogger(__name__)

SessionKey = tuple[int, str]
"""(user id, server id)."""


class SessionPool:
    """Keeps at most one live session per key and opens a missing one exactly once.

    Sessions taken out of the pool are closed in the background after their calls in
    flight finish; ``aclose`` waits for all of that.
    """

    def __init__(self) -> None:
        self._sessions: dict[SessionKey, PooledSession] = {}
        self._opening: SingleFlight[tuple[SessionKey, str], PooledSession] = SingleFlight()
        self._closing: set[asyncio.Task[None]] = set()

    async def acquire(self, key: SessionKey, fingerprint: str, build: Callable[[], PooledSession]) -> PooledSession:
        """The live session for ``key`` with these settings, opening one if needed."""
        current = self._usable(key, fingerprint)
        if current is not None:
            return current
        return await self._opening.run((key, fingerprint), lambda: self._open(key, fingerprint, build))

    def items(self) -> list[tuple[SessionKey, PooledSession]]:
        return list(self._sessions.items())

    def discard(self, key: SessionKey, session: PooledSession) -> None:
        """Take ``session`` out of the pool (if it is still the one for ``key``) and close it."""
        if self._sessions.get(key) is session:
            del self._sessions[key]
        self._retire(session)

    def discard_dead(self, key: SessionKey) -> None:
        session = self._sessions.get(key)
        if session is not None and not session.alive:
            self.discard(key, session)

    def discard_where(self, predicate: Callable[[SessionKey], bool]) -> int:
        doomed = [(key, session) for key, session in self._sessions.items() if predicate(key)]
        for key, session in doomed:
            self.discard(key, session)
        return len(doomed)

    async def aclose(self) -> None:
        for key, session in list(self._sessions.items()):
            self.discard(key, session)
        while self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)

    def __len__(self) -> int:
        return len(self._sessions)

    def _usable(self, key: SessionKey, fingerprint: str) -> PooledSession | None:
        session = self._sessions.get(key)
        if session is not None and session.alive and session.fingerprint == fingerprint:
            return session
        return None

    async def _open(self, key: SessionKey, fingerprint: str, build: Callable[[], PooledSession]) -> PooledSession:
        current = self._usable(key, fingerprint)
        if current is not None:
            return current
        stale = self._sessions.pop(key, None)
        if stale is not None:
            self._retire(stale)
        session = build()
        await session.open()
        previous = self._sessions.get(key)
        if previous is not None and previous is not session:
            self._retire(previous)
        self._sessions[key] = session
        return session

    def _retire(self, session: PooledSession) -> None:
        task = asyncio.get_running_loop().create_task(session.close())
        self._closing.add(task)
        task.add_done_callback(self._closed)

    def _closed(self, task: asyncio.Task[None]) -> None:
        self._closing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("closing an MCP session failed: %s", scrub_urls(repr(task.exception())))
