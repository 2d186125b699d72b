"""Companies, with their contacts and deals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import select

from crm_app.db import session_scope, utcnow
from crm_app.models import Company, Contact, Deal
from crm_app.services import crm_search
from crm_app.services.crm.common import (
    DEFAULT_PAGE_SIZE, DOMAIN_RE, MAX_PAGE_SIZE, Page, check_optional, delete_row, get_row, iso, page_rows, paging,
    require, text_of
)
from crm_app.services.crm.contacts import contact_summary, emails_for, list_contacts
from crm_app.services.crm.deals import deal_dict
from crm_app.services.errors import ValidationFailed


def company_dict(c: Company) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "domain": c.domain or "",
        "industry": c.industry or "",
        "owner_id": c.owner_id,
        "created_at": iso(c.created_at),
    }


def _validate_company(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = text_of(data.get("name"))
    domain = text_of(data.get("domain")).lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/")
    industry = text_of(data.get("industry"))
    require(errors, "name", name, "Company name")
    if domain and not DOMAIN_RE.match(domain):
        errors["domain"] = "Enter a domain like acme.com."
    check_optional(errors, "industry", industry, "Industry", 100)
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "domain": domain or None, "industry": industry or None}


def create_company(data: dict[str, Any], user_id: int | None) -> dict[str, Any]:
    clean = _validate_company(data)
    with session_scope() as s:
        c = Company(**clean, owner_id=user_id, created_by_id=user_id)
        s.add(c)
        s.flush()
        return company_dict(c)


def update_company(company_id: int, data: dict[str, Any]) -> dict[str, Any]:
    clean = _validate_company(data)
    with session_scope() as s:
        c = get_row(s, Company, company_id, "company")
        for k, v in clean.items():
            setattr(c, k, v)
        c.updated_at = utcnow()
        s.add(c)
        return company_dict(c)


def delete_company(company_id: int) -> None:
    delete_row(Company, company_id, "company")


def get_company(company_id: int) -> dict[str, Any]:
    with session_scope() as s:
        c = get_row(s, Company, company_id, "company")
        out = company_dict(c)
        contacts = s.exec(select(Contact).where(Contact.company_id == c.id).order_by(Contact.last_name)).all()
        emails = emails_for(s, [x.id for x in contacts])
        out["contacts"] = [contact_summary(x, emails[x.id], c.name) for x in contacts]
        out["deals"] = [deal_dict(d, c.name, "") for d in s.exec(select(Deal).where(Deal.company_id == c.id)).all()]
        return out


COMPANY_SORTS = {"name": Company.name, "domain": Company.domain, "industry": Company.industry, "created": Company.created_at}


def list_companies(q: str = "", sort: str = "name", desc: bool = False, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    page, page_size = paging(page, page_size)
    with session_scope() as s:
        stmt = select(Company)
        count = select(func.count()).select_from(Company)
        if q := text_of(q):
            cond = crm_search.company_condition(s, q)
            stmt, count = stmt.where(cond), count.where(cond)
        col = COMPANY_SORTS.get(sort, Company.name)
        stmt = stmt.order_by(col.desc() if desc else col.asc(), Company.id)
        rows, total = page_rows(s, stmt, count, page, page_size, bool(q))
        return Page([company_dict(c) for c in rows], total, page, page_size)


def company_options() -> list[dict[str, Any]]:
    with session_scope() as s:
        return [{"id": c.id, "name": c.name} for c in s.exec(select(Company).order_by(Company.name).limit(1000)).all()]


def find_company_by_name(name: str) -> dict[str, Any] | None:
    name = text_of(name)
    if not name:
        return None
    with session_scope() as s:
        c = s.exec(select(Company).where(func.lower(Company.name) == name.lower())).first()
        return company_dict(c) if c else None



def contacts_of_company(name: str) -> list[dict[str, Any]]:
    comp = find_company_by_name(name)
    if comp is None:
        with session_scope() as s:
            c = s.exec(select(Company).where(crm_search.ilike(Company.name, text_of(name)))).first()
            comp = company_dict(c) if c else None
    if comp is None:
        return []
    return list_contacts(company_id=comp["id"], page_size=MAX_PAGE_SIZE).rows
