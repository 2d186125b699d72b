"""The token vault: encrypted storage, renewal ahead of expiry, single-flight, reconnect on invalid_grant."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from crm_app.db import session_scope, utcnow
from crm_app.microsoft import (
    IdentityUnavailable,
    NotConnected,
    ReconnectRequired,
    TokenVault,
    connection_of,
    delete_connection,
    rotate_all,
    store_grant,
)
from crm_app.microsoft.crypto import SecretCipher, get_cipher
from crm_app.models import Integration, McpServer
from tests.unit.microsoft.conftest import FakeOAuth, grant

HOUR = dt.timedelta(hours=1)


def _row(user_id: int) -> Integration:
    with session_scope() as s:
        return s.exec(select(Integration).where(Integration.user_id == user_id)).one()


def _age(user_id: int, *, issued_ago: dt.timedelta, remaining: dt.timedelta) -> None:
    """Make the stored token look issued ``issued_ago`` with ``remaining`` left."""
    with session_scope() as s:
        row = s.exec(select(Integration).where(Integration.user_id == user_id)).one()
        row.updated_at = utcnow() - issued_ago
        row.token_expires_at = utcnow() + remaining
        s.add(row)


async def test_stored_tokens_are_encrypted_and_handed_back(make_user):
    user = make_user()
    connection = store_grant(user.id, grant("at-one", "rt-one", utcnow() + HOUR))
    assert connection.usable and connection.account_email == "avery.chen@northwind.example"
    assert "at-one" not in repr(connection)
    row = _row(user.id)
    assert "at-one" not in row.access_token_enc and "rt-one" not in row.refresh_token_enc
    fake = FakeOAuth()
    assert await TokenVault(fake).get_token(user.id) == "at-one"
    assert fake.calls == 0


async def test_not_connected_is_its_own_error(make_user):
    user = make_user()
    with pytest.raises(NotConnected):
        await TokenVault(FakeOAuth()).get_token(user.id)


async def test_a_token_is_renewed_a_few_minutes_before_it_expires(make_user):
    user = make_user()
    store_grant(user.id, grant("at-old", "rt-old", utcnow() + HOUR))
    fake = FakeOAuth()
    vault = TokenVault(fake)
    _age(user.id, issued_ago=dt.timedelta(minutes=50), remaining=dt.timedelta(minutes=10))
    assert await vault.get_token(user.id) == "at-old"
    _age(user.id, issued_ago=dt.timedelta(minutes=57), remaining=dt.timedelta(minutes=3))
    assert await vault.get_token(user.id) == "at-refreshed-1"
    assert fake.calls == 1 and fake.seen_scopes == [["Mail.Read", "User.Read"]]
    row = _row(user.id)
    assert get_cipher().decrypt(row.refresh_token_enc) == "rt-refreshed-1"
    assert await vault.get_token(user.id) == "at-refreshed-1"
    assert fake.calls == 1


async def test_a_short_lived_token_is_not_renewed_on_every_call(make_user):
    user = make_user()
    store_grant(user.id, grant("at-short", "rt", utcnow() + dt.timedelta(seconds=60)))
    fake = FakeOAuth(lifetime=dt.timedelta(seconds=60))
    vault = TokenVault(fake)
    for _ in range(5):
        assert await vault.get_token(user.id) == "at-short"
    assert fake.calls == 0


async def test_a_hundred_concurrent_callers_cause_one_refresh(make_user):
    user = make_user()
    store_grant(user.id, grant("at-expired", "rt", utcnow() - dt.timedelta(seconds=5)))
    fake = FakeOAuth(delay=0.2)
    vault = TokenVault(fake)
    tokens = await asyncio.gather(*(vault.get_token(user.id) for _ in range(100)))
    assert set(tokens) == {"at-refreshed-1"}
    assert fake.calls == 1 and vault.refreshes == 1


async def test_concurrent_forced_refreshes_of_one_stale_token_cause_one_refresh(make_user):
    user = make_user()
    store_grant(user.id, grant("at-rejected", "rt", utcnow() + HOUR))
    fake = FakeOAuth(delay=0.1)
    vault = TokenVault(fake)
    tokens = await asyncio.gather(*(vault.get_token(user.id, force_refresh=True) for _ in range(50)))
    assert set(tokens) == {"at-refreshed-1"} and fake.calls == 1


async def test_users_are_refreshed_independently(make_user):
    first, second = make_user(), make_user()
    for user in (first, second):
        store_grant(user.id, grant(f"at-{user.id}", f"rt-{user.id}", utcnow() - dt.timedelta(seconds=1)))
    fake = FakeOAuth(delay=0.05)
    vault = TokenVault(fake)
    a, b = await asyncio.gather(vault.get_token(first.id), vault.get_token(second.id))
    assert a != b and fake.calls == 2


async def test_invalid_grant_marks_reconnect_needed_and_never_loops(make_user):
    user = make_user()
    store_grant(user.id, grant("at-dead", "rt-revoked", utcnow() - dt.timedelta(seconds=1)))
    fake = FakeOAuth()
    fake.refused = "invalid_grant"
    vault = TokenVault(fake)
    results = await asyncio.gather(*(vault.get_token(user.id) for _ in range(20)), return_exceptions=True)
    assert all(isinstance(r, ReconnectRequired) for r in results)
    assert fake.calls == 1
    connection = connection_of(user.id)
    assert connection is not None and connection.needs_reconnect and not connection.usable
    assert "Reconnect" in (connection.last_error or "") and "invalid_grant" in (connection.last_error or "")
    with pytest.raises(ReconnectRequired):
        await vault.get_token(user.id, force_refresh=True)
    assert fake.calls == 1


async def test_a_passing_failure_changes_nothing(make_user):
    user = make_user()
    store_grant(user.id, grant("at-old", "rt-old", utcnow() - dt.timedelta(seconds=1)))
    fake = FakeOAuth()
    fake.unavailable = True
    vault = TokenVault(fake)
    with pytest.raises(IdentityUnavailable):
        await vault.get_token(user.id)
    assert connection_of(user.id).usable
    fake.unavailable = False
    assert await vault.get_token(user.id) == "at-refreshed-2"


async def test_two_processes_renewing_at_once_refresh_once(make_user):
    """Two vaults stand for two worker processes; refresh tokens are single-use, as at Microsoft."""
    user = make_user()
    store_grant(user.id, grant("at-old", "rt-old", utcnow() - dt.timedelta(seconds=1)))

    class Rotating(FakeOAuth):
        def __init__(self) -> None:
            super().__init__(delay=0.2)
            self.used: set[str] = set()

        def refresh(self, refresh_token, scopes):
            if refresh_token in self.used:
                self.calls += 1
                raise ReconnectRequired("invalid_grant")
            self.used.add(refresh_token)
            return super().refresh(refresh_token, scopes)

    fake = Rotating()
    first, second = TokenVault(fake), TokenVault(fake)
    tokens = await asyncio.gather(*(vault.get_token(user.id) for vault in (first, second) for _ in range(10)))
    assert set(tokens) == {"at-refreshed-1"}
    assert fake.calls == 1
    assert connection_of(user.id).usable


async def test_disconnect_deletes_the_tokens(make_user):
    user = make_user()
    store_grant(user.id, grant("at", "rt", utcnow() + HOUR))
    assert delete_connection(user.id) is True
    assert connection_of(user.id) is None
    assert delete_connection(user.id) is False
    with pytest.raises(NotConnected):
        await TokenVault(FakeOAuth()).get_token(user.id)


async def test_reconnecting_replaces_the_paused_connection(make_user):
    user = make_user()
    store_grant(user.id, grant("at", "rt", utcnow() - dt.timedelta(seconds=1)))
    fake = FakeOAuth()
    fake.refused = "invalid_grant"
    with pytest.raises(ReconnectRequired):
        await TokenVault(fake).get_token(user.id)
    store_grant(user.id, grant("at-new", "rt-new", utcnow() + HOUR))
    assert connection_of(user.id).usable and connection_of(user.id).last_error is None
    assert await TokenVault(FakeOAuth()).get_token(user.id) == "at-new"


def test_rotate_keys_reencrypts_every_stored_secret(make_user, monkeypatch):
    from crm_app.manage import main
    from crm_app.settings import reset_settings_cache

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", old)
    reset_settings_cache()
    user = make_user()
    store_grant(user.id, grant("at-rot", "rt-rot", utcnow() + HOUR))
    with session_scope() as s:
        s.add(McpServer(user_id=user.id, name="x", url="https://x.example/mcp", header_name="X-API-Key",
                        header_value_enc=get_cipher().encrypt("key-123")))
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", f"{new},{old}")
    reset_settings_cache()
    assert main(["rotate-keys"]) == 0
    assert rotate_all() == 0
    only_new = SecretCipher([new])
    row = _row(user.id)
    assert only_new.decrypt(row.access_token_enc) == "at-rot"
    assert only_new.decrypt(row.refresh_token_enc) == "rt-rot"
    with session_scope() as s:
        server = s.exec(select(McpServer)).one()
    assert only_new.decrypt(server.header_value_enc) == "key-123"
