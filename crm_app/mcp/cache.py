"""A small in-memory cache whose entries expire after a fixed time (cachetools' ``TTLCache``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

DEFAULT_MAX_ENTRIES = 1024


class TtlCache(Generic[K, V]):
    """Entries live ``ttl`` seconds from when they were stored, by the injected ``clock``.

    At most ``max_entries`` are kept; past that the least recently used one goes first.
    """

    def __init__(
        self, ttl: float, *, clock: Callable[[], float] = time.monotonic, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        self._entries: TTLCache[K, V] = TTLCache(maxsize=max_entries, ttl=ttl, timer=clock)

    def get(self, key: K) -> V | None:
        self._entries.expire()
        return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)

    def drop_where(self, predicate: Callable[[K], bool]) -> int:
        """Drop every entry whose key matches; returns how many went."""
        doomed = [key for key in self._entries if predicate(key)]
        for key in doomed:
            self._entries.pop(key, None)
        return len(doomed)

    def __len__(self) -> int:
        self._entries.expire()
        return len(self._entries)
