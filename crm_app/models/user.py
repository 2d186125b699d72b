"""Accounts: users, server-side sessions and sign-in attempts."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field

from crm_app.db import UTCDateTime
from crm_app.models.base import Row, UserRow, created_at_field, datetime_field


class User(Row, table=True):
    __tablename__ = "users"

    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=400)
    timezone: str = Field(default="Europe/London", max_length=64)
    is_active: bool = Field(default=True)
    created_at: dt.datetime = created_at_field()


class AuthSession(UserRow, table=True):
    """A signed-in browser. Only a hash of the session token is stored."""

    __tablename__ = "auth_sessions"

    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: dt.datetime = created_at_field()
    expires_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_seen_at: dt.datetime | None = datetime_field()
    revoked_at: dt.datetime | None = datetime_field()


class SignInAttempt(Row, table=True):
    """Failed and successful sign-ins, for rate limiting."""

    __tablename__ = "signin_attempts"

    email: str = Field(max_length=320, index=True)
    success: bool = Field(default=False)
    at: dt.datetime = created_at_field()
