"""Shared column helpers for the table models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Field

from crm_app.db import UTCDateTime, utcnow


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def datetime_field(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


__all__ = ["created_at_field", "datetime_field", "dt"]
