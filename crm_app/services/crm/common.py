"""What every CRM record module shares: limits, validation, paging, lookup by id."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session

from crm_app.db import session_scope
from crm_app.services.errors import NotFound

MAX_NAME = 200
MAX_SHORT = 150
MAX_TEXT = 10_000
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
PHONE_RE = re.compile(r"^[0-9+()\-.\s/x]{3,50}$")


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


# ---------------------------------------------------------------- validation helpers
def text_of(value: Any) -> str:
    return "" if value is None else str(value).strip()


def require(errors: dict[str, str], field: str, value: str, label: str, limit: int = MAX_NAME) -> None:
    if not value:
        errors[field] = f"{label} can't be empty."
    elif len(value) > limit:
        errors[field] = f"{label} is limited to {limit} characters."


def check_optional(errors: dict[str, str], field: str, value: str, label: str, limit: int = MAX_SHORT) -> None:
    if value and len(value) > limit:
        errors[field] = f"{label} is limited to {limit} characters."


def paging(page: int, page_size: int) -> tuple[int, int]:
    page = max(1, int(page or 1))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size or DEFAULT_PAGE_SIZE)))
    return page, page_size


def page_rows(s: Session, stmt, count, page: int, page_size: int, searched: bool) -> tuple[list[Any], int]:
    """One page of ``stmt`` and the total of ``count``.

    With a search the total rides on the page query (``count(*) OVER ()``), so the matching rows are
    found once, not twice; a page past the end still counts on its own.
    """
    window = stmt.offset((page - 1) * page_size).limit(page_size)
    if not searched:
        return list(s.exec(window).all()), s.exec(count).one()
    width = len(stmt.column_descriptions)
    rows = s.execute(window.add_columns(func.count().over())).all()
    if not rows:
        return [], s.exec(count).one()
    return [row[0] if width == 1 else tuple(row[:width]) for row in rows], rows[0][width]


def iso(value: dt.datetime | dt.date | None) -> str:
    return value.isoformat() if value else ""



def get_row(s: Session, model: type, record_id: Any, label: str):
    try:
        obj = s.get(model, int(record_id))
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise NotFound(f"That {label} doesn't exist any more. It may have been deleted by a teammate.")
    return obj


def delete_row(model: type, record_id: Any, label: str) -> None:
    """Delete one record; a record that is already gone is `NotFound`."""
    with session_scope() as s:
        s.delete(get_row(s, model, record_id, label))
