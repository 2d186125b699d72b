"""A small in-memory cache whose entries expire after a fixed time and whose size is bounded."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


DEFAULT_MAX_ENTRIES = 1024


class TtlCache(Generic[K, V]):
    """Entries live ``ttl`` seconds from when they were stored, by the injected ``clock``.

    At most ``max_entries`` are kept: storing into a full cache first drops the expired entries,
    then, if it is still full, the oldest stored.
    """

    def __init__(self, ttl: float, *, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._ttl = ttl
        self._clock = clock
        self._max_entries = max(1, max_entries)
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, value = entry
        if self._clock() - stored_at >= self._ttl:
            del self._entries[key]
            return None
        return value

    def put(self, key: K, value: V) -> None:
        now = self._clock()
        self._entries.pop(key, None)
        if len(self._entries) >= self._max_entries:
            expired = [k for k, (stored_at, _) in self._entries.items() if now - stored_at >= self._ttl]
            for k in expired:
                del self._entries[k]
            while len(self._entries) >= self._max_entries:
                del self._entries[next(iter(self._entries))]
        self._entries[key] = (now, value)

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)

    def drop_where(self, predicate: Callable[[K], bool]) -> int:
        """Drop every entry whose key matches; returns how many went."""
        doomed = [key for key in self._entries if predicate(key)]
        for key in doomed:
            del self._entries[key]
        return len(doomed)

    def __len__(self) -> int:
        return len(self._entries)
