"""Across record kinds: one search over all of them, and how many there are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import Company, Contact, Deal
from crm_app.services.crm.companies import list_companies
from crm_app.services.crm.contacts import list_contacts
from crm_app.services.crm.deals import list_deals


def search_all(q: str, limit: int = 5) -> dict[str, list[dict[str, Any]]]:
    return {
        "contacts": list_contacts(q, page_size=limit).rows,
        "companies": list_companies(q, page_size=limit).rows,
        "deals": list_deals(q, page_size=limit).rows,
    }


def counts() -> dict[str, int]:
    with session_scope() as s:
        return {
            "contacts": s.exec(select(func.count()).select_from(Contact)).one(),
            "companies": s.exec(select(func.count()).select_from(Company)).one(),
            "deals": s.exec(select(func.count()).select_from(Deal)).one(),
        }
