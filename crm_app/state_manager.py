"""Reflex's disk state manager with a bounded memory: idle tabs' states live on disk only.

Reflex's ``StateManagerDisk`` writes every tab's state to disk and also keeps it in a dict in memory
until the token expires (``redis_token_expiration``, an hour by default), so memory grows with every
tab opened in the last hour and does not come back down when the users leave. Here a tab whose state
has not been read or written for ``memory_idle_seconds`` (and has no write pending and no lock held)
is dropped from memory; its next event loads it back from disk, exactly as a new worker would. The
disk copy still expires after ``token_expiration``, and the expired files are looked for once a
minute rather than after every round of writes. After dropping states (at most once a minute), freed
heap pages go back to the operating system (glibc ``malloc_trim``), so the process's RSS follows.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import dataclasses
import gc
import logging
import time

from reflex.istate.manager.disk import StateManagerDisk

log = logging.getLogger(__name__)

MEMORY_IDLE_SECONDS = 45.0
CHECK_SECONDS = 10.0
DISK_PURGE_SECONDS = 60.0
RELEASE_SECONDS = 60.0


def _load_malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc.malloc_trim if libc is not None and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_MALLOC_TRIM = _load_malloc_trim()


def release_freed_memory() -> None:
    """Collect cycles, then hand freed heap pages back to the OS where the C library can."""
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


@dataclasses.dataclass
class BoundedDiskStateManager(StateManagerDisk):
    """``StateManagerDisk`` that keeps only recently used tabs' states in memory."""

    memory_idle_seconds: float = MEMORY_IDLE_SECONDS
    check_seconds: float = CHECK_SECONDS
    disk_purge_seconds: float = DISK_PURGE_SECONDS
    release_seconds: float = RELEASE_SECONDS
    _last_disk_purge: float = dataclasses.field(default=float("-inf"), init=False)
    _last_release: float = dataclasses.field(default=float("-inf"), init=False)
    _dropped_since_release: int = dataclasses.field(default=0, init=False)

    def _purge_expired_states(self):
        """Delete expired state files at most every ``disk_purge_seconds``.

        Reflex lists and stats every state file after each round of writes, which under load is
        many times a second; files expire after ``token_expiration`` (an hour), so once a minute is enough.
        """
        now = time.monotonic()
        if now - self._last_disk_purge < self.disk_purge_seconds:
            return
        self._last_disk_purge = now
        super()._purge_expired_states()

    def drop_idle_states(self, now: float | None = None) -> int:
        """Drop from memory the states untouched for ``memory_idle_seconds``; how many were dropped."""
        now = time.time() if now is None else now
        pending = {token.cache_key for token in self._write_queue}
        idle = [token for cache_key, (touched, token) in list(self._token_last_touched.items())
                if now - touched > self.memory_idle_seconds and cache_key not in pending
                and not self._is_locked(token)]
        for token in idle:
            self._purge_token(token)
        self._dropped_since_release += len(idle)
        mono = time.monotonic()
        if self._dropped_since_release and mono - self._last_release >= self.release_seconds:
            # A full collection and a heap trim cost real CPU on a large heap: at most once a minute.
            release_freed_memory()
            log.debug("Released the memory of %d idle tab states (%d kept)", self._dropped_since_release,
                      len(self.states))
            self._last_release, self._dropped_since_release = mono, 0
        return len(idle)

    async def _process_write_queue_delay(self):
        """Between write-queue rounds, drop idle states, and wake at least every ``check_seconds``."""
        self.drop_idle_states()
        try:
            await asyncio.wait_for(super()._process_write_queue_delay(), timeout=self.check_seconds)
        except TimeoutError:
            pass


def bound_state_memory(app) -> None:
    """Give ``app`` the bounded manager when it runs on Reflex's disk state manager (Redis keeps its own TTL)."""
    current = app._state_manager
    if type(current) is StateManagerDisk:
        app._state_manager = BoundedDiskStateManager()
