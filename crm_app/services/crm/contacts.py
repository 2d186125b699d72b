"""Contacts and their email addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm_app.db import session_scope, utcnow
from crm_app.models import Company, Contact, ContactEmail, Deal
from crm_app.services import crm_search
from crm_app.services.auth import validate_email
from crm_app.services.crm.common import (
    DEFAULT_PAGE_SIZE, MAX_NAME, PHONE_RE, Page, check_optional, delete_row, get_row, iso, page_rows, paging,
    require, text_of
)
from crm_app.services.crm.deals import deal_dict
from crm_app.services.errors import ValidationFailed


def contact_summary(c: Contact, emails: list[str], company_name: str) -> dict[str, Any]:
    return {
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "name": f"{c.first_name} {c.last_name}".strip(),
        "email": emails[0] if emails else "",
        "emails": emails,
        "phone": c.phone or "",
        "title": c.title or "",
        "company_id": c.company_id,
        "company": company_name,
        "created_at": iso(c.created_at),
    }


def emails_for(s: Session, contact_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each contact's addresses, primary first, in one query."""
    ids = list(contact_ids)
    out: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = s.exec(
        select(ContactEmail).where(ContactEmail.contact_id.in_(ids)).order_by(ContactEmail.is_primary.desc(), ContactEmail.id)
    ).all()
    for e in rows:
        out[e.contact_id].append(e.email)
    return out


def parse_emails(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        parts = re.split(r"[,;\s]+", text_of(value))
    seen: list[str] = []
    for p in parts:
        p = p.strip().lower()
        if p and p not in seen:
            seen.append(p)
    return seen


def _validate_contact(s: Session, data: dict[str, Any], contact_id: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    first = text_of(data.get("first_name"))
    last = text_of(data.get("last_name"))
    if not first and not last and text_of(data.get("name")):
        first, _, last = text_of(data.get("name")).partition(" ")
        first, last = first.strip(), last.strip()
    require(errors, "first_name", first, "First name", 100)
    check_optional(errors, "last_name", last, "Last name", 100)
    emails = parse_emails(data.get("emails", data.get("email", "")))
    if len(emails) > 10:
        errors["emails"] = "A contact can have at most 10 email addresses."
    for e in emails:
        if problem := validate_email(e):
            errors["emails"] = f"{e}: {problem}"
            break
    if emails and "emails" not in errors:
        q = select(ContactEmail).where(ContactEmail.email.in_(emails))
        if contact_id is not None:
            q = q.where(ContactEmail.contact_id != contact_id)
        taken = s.exec(q).first()
        if taken:
            owner = s.get(Contact, taken.contact_id)
            who = f"{owner.first_name} {owner.last_name}".strip() if owner else "another contact"
            errors["emails"] = f"{taken.email} already belongs to {who}."
    phone = text_of(data.get("phone"))
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = "Enter a phone number using digits, spaces, + ( ) - ."
    title = text_of(data.get("title"))
    check_optional(errors, "title", title, "Title")
    company_id = data.get("company_id") or None
    company_name = text_of(data.get("company"))
    if company_id not in (None, ""):
        try:
            company_id = int(company_id)
        except (TypeError, ValueError):
            errors["company_id"] = "Choose a company from the list."
            company_id = None
        if company_id is not None and s.get(Company, company_id) is None:
            errors["company_id"] = "That company no longer exists. Choose another."
    elif company_name:
        existing = s.exec(select(Company).where(func.lower(Company.name) == company_name.lower())).first()
        company_id = existing.id if existing else None
        if existing is None:
            if len(company_name) > MAX_NAME:
                errors["company"] = f"Company name is limited to {MAX_NAME} characters."
    if errors:
        raise ValidationFailed(errors)
    return {"first_name": first, "last_name": last, "emails": emails, "phone": phone or None, "title": title or None,
            "company_id": company_id, "new_company": company_name if (company_name and company_id is None) else ""}


def _set_emails(s: Session, contact_id: int, emails: list[str]) -> None:
    for e in s.exec(select(ContactEmail).where(ContactEmail.contact_id == contact_id)).all():
        s.delete(e)
    s.flush()
    for i, e in enumerate(emails):
        s.add(ContactEmail(contact_id=contact_id, email=e, is_primary=(i == 0)))


def create_contact(data: dict[str, Any], user_id: int | None) -> dict[str, Any]:
    with session_scope() as s:
        clean = _validate_contact(s, data, None)
        _add_new_company(s, clean, user_id)
        c = Contact(
            first_name=clean["first_name"], last_name=clean["last_name"], phone=clean["phone"], title=clean["title"],
            company_id=clean["company_id"], owner_id=user_id, created_by_id=user_id,
        )
        s.add(c)
        s.flush()
        _save_emails(s, c.id, clean["emails"])
        return _contact_out(s, c)


def update_contact(contact_id: int, data: dict[str, Any], user_id: int | None = None) -> dict[str, Any]:
    with session_scope() as s:
        c = get_row(s, Contact, contact_id, "contact")
        clean = _validate_contact(s, data, contact_id)
        _add_new_company(s, clean, user_id)
        for k in ("first_name", "last_name", "phone", "title", "company_id"):
            setattr(c, k, clean[k])
        c.updated_at = utcnow()
        s.add(c)
        _save_emails(s, c.id, clean["emails"])
        return _contact_out(s, c)


def _add_new_company(s: Session, clean: dict[str, Any], user_id: int | None) -> None:
    """The company a contact form named that does not exist yet: create it, and point the contact at it."""
    if clean["new_company"]:
        comp = Company(name=clean["new_company"], owner_id=user_id, created_by_id=user_id)
        s.add(comp)
        s.flush()
        clean["company_id"] = comp.id


def _save_emails(s: Session, contact_id: int, emails: list[str]) -> None:
    """Store the contact's addresses; one that already belongs to another contact is a validation error."""
    _set_emails(s, contact_id, emails)
    try:
        s.flush()
    except IntegrityError as exc:
        raise ValidationFailed({"emails": "One of these email addresses already belongs to another contact."}) from exc


def _contact_out(s: Session, c: Contact) -> dict[str, Any]:
    comp = s.get(Company, c.company_id) if c.company_id else None
    return contact_summary(c, emails_for(s, [c.id])[c.id], comp.name if comp else "")


def delete_contact(contact_id: int) -> None:
    delete_row(Contact, contact_id, "contact")


def get_contact(contact_id: int) -> dict[str, Any]:
    with session_scope() as s:
        c = get_row(s, Contact, contact_id, "contact")
        out = _contact_out(s, c)
        out["deals"] = [deal_dict(d, out["company"], out["name"]) for d in s.exec(select(Deal).where(Deal.contact_id == c.id)).all()]
        return out


CONTACT_SORTS = {
    "name": (Contact.last_name, Contact.first_name),
    "first_name": (Contact.first_name,),
    "title": (Contact.title,),
    "company": (Company.name,),
    "created": (Contact.created_at,),
}


def list_contacts(q: str = "", sort: str = "name", desc: bool = False, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE,
                  company_id: int | None = None) -> Page:
    """One page of contacts; only that page's rows are loaded, whatever the table's size."""
    page, page_size = paging(page, page_size)
    with session_scope() as s:
        stmt = select(Contact, Company.name).join(Company, Company.id == Contact.company_id, isouter=True)
        count = select(func.count()).select_from(Contact)
        conds = []
        if q := text_of(q):
            conds.append(crm_search.contact_condition(s, q))
        if company_id:
            conds.append(Contact.company_id == company_id)
        for cond in conds:
            stmt, count = stmt.where(cond), count.where(cond)
        cols = CONTACT_SORTS.get(sort, CONTACT_SORTS["name"])
        stmt = stmt.order_by(*[(c.desc() if desc else c.asc()) for c in cols], Contact.id)
        rows, total = page_rows(s, stmt, count, page, page_size, bool(q))
        emails = emails_for(s, [c.id for c, _ in rows])
        return Page([contact_summary(c, emails[c.id], cname or "") for c, cname in rows], total, page, page_size)


def find_contacts(name: str, limit: int = 10) -> list[dict[str, Any]]:
    """Contacts whose first name, last name or full name matches (for resolving people in chat)."""
    name = text_of(name).lower()
    if not name:
        return []
    with session_scope() as s:
        full = func.lower(Contact.first_name + " " + Contact.last_name)
        stmt = (
            select(Contact, Company.name)
            .join(Company, Company.id == Contact.company_id, isouter=True)
            .where(or_(func.lower(Contact.first_name) == name, func.lower(Contact.last_name) == name, full == name))
            .limit(limit)
        )
        rows = s.exec(stmt).all()
        emails = emails_for(s, [c.id for c, _ in rows])
        return [contact_summary(c, emails[c.id], cname or "") for c, cname in rows]


def contacts_by_emails(addresses: Iterable[str]) -> dict[str, dict[str, Any]]:
    addrs = [a.lower() for a in addresses if a]
    if not addrs:
        return {}
    with session_scope() as s:
        stmt = (
            select(ContactEmail.email, Contact, Company.name)
            .join(Contact, Contact.id == ContactEmail.contact_id)
            .join(Company, Company.id == Contact.company_id, isouter=True)
            .where(ContactEmail.email.in_(addrs))
        )
        rows = s.exec(stmt).all()
        emails = emails_for(s, {c.id for _, c, _ in rows})
        return {address: contact_summary(c, emails[c.id], cname or "") for address, c, cname in rows}
