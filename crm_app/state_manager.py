"""Reflex's disk state manager with a bounded memory: idle tabs' states live on disk only.

Reflex's ``StateManagerDisk`` writes every tab's state to disk and also keeps it in a dict in memory
until the token expires (``redis_token_expiration``, an hour by default), so memory grows with every
tab opened in the last hour and does not come back down when the users leave. Here a tab whose state
has not been read or written for ``memory_idle_seconds`` (and has no write pending and no lock held)
is dropped from memory; its next event loads it back from disk, exactly as a new worker would. The
disk copy still expires after ``token_expiration``, and the expired files are looked for once a
minute rather than after every round of writes.

Once states have been dropped and no tab has had an event for ``quiet_seconds``, cyclic garbage is
collected and freed heap pages go back to the operating system (glibc ``malloc_trim``), so the
process's RSS follows. That repeats every ``release_seconds`` for as long as a release still gives
memory back, which catches what other idle timers free later (MCP sessions close after 45 s unused).
A full collection stops the event loop for a moment on a large heap, so while users are active it
runs at most every ``busy_release_seconds``: under load the freed memory is reused anyway.
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
QUIET_SECONDS = 10.0
RELEASE_SECONDS = 30.0
BUSY_RELEASE_SECONDS = 600.0


def _load_malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc.malloc_trim if libc is not None and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_MALLOC_TRIM = _load_malloc_trim()


def release_freed_memory() -> bool:
    """Collect cycles, then hand freed heap pages back to the OS where the C library can; whether any went back."""
    unreachable = gc.collect()
    if _MALLOC_TRIM is None:
        return unreachable > 0
    return bool(_MALLOC_TRIM(0))


@dataclasses.dataclass
class BoundedDiskStateManager(StateManagerDisk):
    """``StateManagerDisk`` that keeps only recently used tabs' states in memory."""

    memory_idle_seconds: float = MEMORY_IDLE_SECONDS
    check_seconds: float = CHECK_SECONDS
    disk_purge_seconds: float = DISK_PURGE_SECONDS
    quiet_seconds: float = QUIET_SECONDS
    release_seconds: float = RELEASE_SECONDS
    busy_release_seconds: float = BUSY_RELEASE_SECONDS
    _last_disk_purge: float = dataclasses.field(default=float("-inf"), init=False)
    _last_release: float = dataclasses.field(default_factory=time.monotonic, init=False)
    _dropped_since_release: int = dataclasses.field(default=0, init=False)
    _release_pending: bool = dataclasses.field(default=False, init=False)

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
        self._release_pending = self._release_pending or bool(idle)
        self._release_if_due(now)
        return len(idle)

    def is_quiet(self, now: float) -> bool:
        """Whether no tab state still in memory has been used for ``quiet_seconds``."""
        return all(now - touched > self.quiet_seconds for touched, _ in self._token_last_touched.values())

    def _release_if_due(self, now: float) -> None:
        mono = time.monotonic()
        interval = self.release_seconds if self.is_quiet(now) else self.busy_release_seconds
        if not self._release_pending or mono - self._last_release < interval:
            return
        gave_back = release_freed_memory()
        log.debug("Released freed memory after dropping %d idle tab states (%d kept; more to come: %s)",
                  self._dropped_since_release, len(self.states), gave_back)
        self._last_release, self._dropped_since_release = mono, 0
        self._release_pending = gave_back

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
