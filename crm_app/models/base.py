"""Shared column helpers for the table models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Field, SQLModel

from crm_app.db import UTCDateTime, utcnow


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def user_ref_field() -> Any:
    """A user the row points at, cleared when that user is deleted."""
    return Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class Row(SQLModel):
    """A table row with an integer primary key."""

    id: int | None = Field(default=None, primary_key=True)


class UserRow(Row):
    """A row owned by one user, deleted with that user."""

    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")


def datetime_field(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


__all__ = ["Row", "UserRow", "created_at_field", "datetime_field", "dt", "user_ref_field"]
