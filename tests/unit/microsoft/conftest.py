"""Fixtures for the Microsoft 365 layer's tests: signed-in users in a migrated database, a fake OAuth client."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
import uuid
from collections.abc import Callable

import pytest

from crm_app.db import utcnow
from crm_app.microsoft.errors import IdentityUnavailable, ReconnectRequired
from crm_app.microsoft.oauth import TokenGrant
from crm_app.services import auth
from crm_app.services.auth import SignedInUser


@pytest.fixture
def make_user(database) -> Callable[[], SignedInUser]:
    """Sign up and sign in a fresh user; returns the signed-in user (with its session id)."""

    def make() -> SignedInUser:
        email = f"user-{uuid.uuid4().hex[:8]}@example.com"
        auth.sign_up(email, "correct horse battery", "Test User")
        user, _token = auth.sign_in(email, "correct horse battery")
        return user

    return make


class FakeOAuth:
    """Stands in for ``OAuthClient.refresh``: counts calls, can be slow, can refuse."""

    def __init__(self, *, lifetime: dt.timedelta = dt.timedelta(hours=1), delay: float = 0.0) -> None:
        self.lifetime = lifetime
        self.delay = delay
        self.calls = 0
        self.refused: str | None = None
        self.unavailable = False
        self.seen_scopes: list[list[str]] = []
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def refresh(self, refresh_token: str, scopes) -> TokenGrant:
        with self._lock:
            self.calls += 1
            n = next(self._counter)
        self.seen_scopes.append(list(scopes))
        if self.delay:
            time.sleep(self.delay)
        if self.unavailable:
            raise IdentityUnavailable(detail="temporarily_unavailable")
        if self.refused:
            raise ReconnectRequired(self.refused)
        return grant(f"at-refreshed-{n}", f"rt-refreshed-{n}", utcnow() + self.lifetime)


def grant(access: str, refresh: str | None, expires_at: dt.datetime, email: str = "avery.chen@northwind.example"):
    return TokenGrant(access_token=access, refresh_token=refresh, expires_at=expires_at,
                      scopes=("Mail.Read", "User.Read", "openid", "profile", "offline_access"),
                      account_email=email, account_name="Avery Chen")
