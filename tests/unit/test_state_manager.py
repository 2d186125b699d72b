"""The bounded disk state manager drops idle tabs' states from memory and nothing else."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time

import pytest

from crm_app.state_manager import BoundedDiskStateManager, bound_state_memory


@dataclasses.dataclass(frozen=True)
class Token:
    cache_key: str
    lock_key: str


@pytest.fixture
def manager(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(tmp_path / "states"))
    return BoundedDiskStateManager(memory_idle_seconds=30.0)


def _touch(manager, key: str, seconds_ago: float, now: float) -> Token:
    token = Token(cache_key=key, lock_key=f"lock-{key}")
    manager.states[key] = {"tab": key}
    manager._token_last_touched[key] = (now - seconds_ago, token)
    return token


def test_idle_states_leave_memory_busy_ones_stay(manager):
    now = time.time()
    _touch(manager, "idle", 31, now)
    _touch(manager, "recent", 5, now)
    pending = _touch(manager, "pending", 120, now)
    locked = _touch(manager, "locked", 120, now)
    manager._write_queue[pending] = object()
    lock = asyncio.Lock()
    manager._states_locks[locked.lock_key] = lock

    async def hold():
        async with lock:
            return manager.drop_idle_states(now)

    assert asyncio.run(hold()) == 1
    assert set(manager.states) == {"recent", "pending", "locked"}
    assert "idle" not in manager._token_last_touched
    assert manager.drop_idle_states(now) == 1  # the lock is released now: that state goes too
    assert set(manager.states) == {"recent", "pending"}
    assert manager.drop_idle_states(now + 60) == 1  # only what has no write pending
    assert set(manager.states) == {"pending"}


def test_only_the_default_disk_manager_is_replaced(manager):
    from reflex.istate.manager.disk import StateManagerDisk

    class App:
        _state_manager = None

    app = App()
    app._state_manager = StateManagerDisk()
    bound_state_memory(app)
    assert type(app._state_manager) is BoundedDiskStateManager
    app._state_manager = other = object()
    bound_state_memory(app)
    assert app._state_manager is other


def test_expired_state_files_are_looked_for_at_most_once_a_minute(manager, tmp_path):
    states = manager.states_directory
    old = states / "old.pkl"
    old.write_bytes(b"x")
    expired = time.time() - manager.token_expiration - 10
    os.utime(old, (expired, expired))
    manager._last_disk_purge = time.monotonic()  # a purge just ran
    manager._purge_expired_states()
    assert old.exists()
    manager._last_disk_purge -= manager.disk_purge_seconds + 1
    manager._purge_expired_states()
    assert not old.exists()


def _releases(monkeypatch, answers: list[bool]) -> list[int]:
    """Count releases; each gives back what the next answer says (then nothing)."""
    from crm_app import state_manager

    releases: list[int] = []

    def release() -> bool:
        releases.append(1)
        return answers.pop(0) if answers else False

    monkeypatch.setattr(state_manager, "release_freed_memory", release)
    return releases


def test_a_quiet_app_releases_freed_memory_until_a_release_gives_nothing_back(manager, monkeypatch):
    releases = _releases(monkeypatch, [True, True, False])
    now = time.time()
    manager._last_release -= manager.release_seconds
    assert manager.drop_idle_states(now) == 0 and releases == []  # nothing dropped yet: nothing to release
    _touch(manager, "a", 100, now)
    assert manager.drop_idle_states(now) == 1 and len(releases) == 1
    _touch(manager, "b", 100, now)
    assert manager.drop_idle_states(now) == 1 and len(releases) == 1  # not again within release_seconds
    for expected in (2, 3, 3, 3):  # it gave back twice, then nothing: it stops looking
        manager._last_release -= manager.release_seconds
        assert manager.drop_idle_states(now) == 0 and len(releases) == expected
    _touch(manager, "c", 100, now)
    manager._last_release -= manager.release_seconds
    assert manager.drop_idle_states(now) == 1 and len(releases) == 4  # a new drop starts it again


def test_while_tabs_are_active_freed_memory_waits_for_the_busy_interval(manager, monkeypatch):
    releases = _releases(monkeypatch, [True])
    now = time.time()
    _touch(manager, "idle", 100, now)
    _touch(manager, "active", 2, now)
    assert not manager.is_quiet(now)
    manager._last_release -= manager.release_seconds
    assert manager.drop_idle_states(now) == 1 and releases == []  # a user is active: not every 30 s
    manager._last_release -= manager.busy_release_seconds
    assert manager.drop_idle_states(now) == 0 and len(releases) == 1
    assert manager.is_quiet(now + manager.quiet_seconds + 3)
