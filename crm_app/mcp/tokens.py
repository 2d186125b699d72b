"""Users' access tokens for tool servers that act on their behalf."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

from crm_app.mcp.errors import ReconnectNeeded, TokenUnavailable

logger = logging.getLogger(__name__)

REMEMBERED_REPLACEMENTS = 8
REPLACEMENT_TTL_SECONDS = 60.0


class TokenProvider(Protocol):
    """Source of a user's Microsoft 365 access token (the token vault).

    ``get_token`` answers from its store while the token is valid, and refreshes it when
    it has expired or when ``force_refresh`` is set. It raises
    ``crm_app.mcp.errors.ReconnectNeeded``, or one of the ``reconnect_errors`` given to
    the manager, when the user has to connect again.
    """

    async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str: ...


class TokenBroker:
    """Gets users' tokens from a ``TokenProvider`` and refreshes each rejected token once.

    When many calls of one user are refused with the same stale token, only the first
    asks the provider for a forced refresh; the others wait for it and reuse its result.
    Tokens of different users never meet: each user has their own lock and history.
    A replacement is remembered for ``replacement_ttl`` seconds; a token refused after
    that is refreshed again.
    """

    def __init__(
        self,
        provider: TokenProvider,
        *,
        reconnect_errors: tuple[type[Exception], ...] = (),
        replacement_ttl: float = REPLACEMENT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._provider = provider
        self._reconnect_errors: tuple[type[Exception], ...] = (ReconnectNeeded, *reconnect_errors)
        self._replacement_ttl = replacement_ttl
        self._clock = clock
        self._locks: dict[int, asyncio.Lock] = {}
        self._replaced: dict[int, dict[str, tuple[str, float]]] = {}

    async def current(self, user_id: int, *, server_id: str | None = None) -> str:
        """The user's token as the provider holds it now."""
        return await self._ask(user_id, force_refresh=False, server_id=server_id)

    async def refresh(self, user_id: int, stale: str | None, *, server_id: str | None = None) -> str:
        """A token to use instead of ``stale``, which a server refused.

        If another call already replaced ``stale``, its replacement is returned without
        asking the provider again.
        """
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            replacement = self._replacement_for(user_id, stale)
            if replacement is not None:
                return replacement
            fresh = await self._ask(user_id, force_refresh=True, server_id=server_id)
            if stale is not None:
                history = self._replaced.setdefault(user_id, {})
                history.pop(stale, None)
                history[stale] = (fresh, self._clock())
                while len(history) > REMEMBERED_REPLACEMENTS:
                    del history[next(iter(history))]
            return fresh

    def forget(self, user_id: int | None = None) -> None:
        """Drop what is remembered about one user's tokens, or about everyone's."""
        if user_id is None:
            self._replaced.clear()
            self._locks.clear()
        else:
            self._replaced.pop(user_id, None)
            self._locks.pop(user_id, None)

    def _replacement_for(self, user_id: int, stale: str | None) -> str | None:
        history = self._replaced.get(user_id, {})
        oldest = self._clock() - self._replacement_ttl
        token = stale
        seen: set[str] = set()
        while token is not None and token not in seen and token in history and history[token][1] >= oldest:
            seen.add(token)
            token = history[token][0]
        return token if seen else None

    async def _ask(self, user_id: int, *, force_refresh: bool, server_id: str | None) -> str:
        try:
            token = await self._provider.get_token(user_id, force_refresh=force_refresh)
        except self._reconnect_errors as exc:
            message = exc.message if isinstance(exc, ReconnectNeeded) else None
            raise ReconnectNeeded(message, server_id=server_id) from exc
        except Exception as exc:
            logger.warning("token provider failed for user %s: %s", user_id, type(exc).__name__)
            raise TokenUnavailable(server_id=server_id, detail=type(exc).__name__) from exc
        if not token:
            raise ReconnectNeeded(server_id=server_id)
        return token
