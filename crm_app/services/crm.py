"""CRM use cases: companies, contacts, deals and activities, with validation and paging.

Rows leave this module as plain dicts (the shapes the UI and the assistant's tools exchange),
never as table objects.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm_app.db import session_scope, utcnow
from crm_app.formatting import money
from crm_app.models import (
    DEFAULT_PROBABILITY,
    PIPELINE,
    Activity,
    ActivityKind,
    Company,
    Contact,
    ContactEmail,
    Deal,
    DealStage,
)
from crm_app.services import crm_search
from crm_app.services.auth import validate_email
from crm_app.services.errors import NotFound, ValidationFailed

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
def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _required(errors: dict[str, str], field: str, value: str, label: str, limit: int = MAX_NAME) -> None:
    if not value:
        errors[field] = f"{label} can't be empty."
    elif len(value) > limit:
        errors[field] = f"{label} is limited to {limit} characters."


def _optional(errors: dict[str, str], field: str, value: str, label: str, limit: int = MAX_SHORT) -> None:
    if value and len(value) > limit:
        errors[field] = f"{label} is limited to {limit} characters."


def _paging(page: int, page_size: int) -> tuple[int, int]:
    page = max(1, int(page or 1))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size or DEFAULT_PAGE_SIZE)))
    return page, page_size


def _page_rows(s: Session, stmt, count, page: int, page_size: int, searched: bool) -> tuple[list[Any], int]:
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


def _iso(value: dt.datetime | dt.date | None) -> str:
    return value.isoformat() if value else ""


# ---------------------------------------------------------------- companies
def company_dict(c: Company) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "domain": c.domain or "",
        "industry": c.industry or "",
        "owner_id": c.owner_id,
        "created_at": _iso(c.created_at),
    }


def _validate_company(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = _text(data.get("name"))
    domain = _text(data.get("domain")).lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/")
    industry = _text(data.get("industry"))
    _required(errors, "name", name, "Company name")
    if domain and not DOMAIN_RE.match(domain):
        errors["domain"] = "Enter a domain like acme.com."
    _optional(errors, "industry", industry, "Industry", 100)
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
        c = _get(s, Company, company_id, "company")
        for k, v in clean.items():
            setattr(c, k, v)
        c.updated_at = utcnow()
        s.add(c)
        return company_dict(c)


def delete_company(company_id: int) -> None:
    with session_scope() as s:
        s.delete(_get(s, Company, company_id, "company"))


def get_company(company_id: int) -> dict[str, Any]:
    with session_scope() as s:
        c = _get(s, Company, company_id, "company")
        out = company_dict(c)
        contacts = s.exec(select(Contact).where(Contact.company_id == c.id).order_by(Contact.last_name)).all()
        emails = emails_for(s, [x.id for x in contacts])
        out["contacts"] = [contact_summary(x, emails[x.id], c.name) for x in contacts]
        out["deals"] = [deal_dict(d, c.name, "") for d in s.exec(select(Deal).where(Deal.company_id == c.id)).all()]
        return out


COMPANY_SORTS = {"name": Company.name, "domain": Company.domain, "industry": Company.industry, "created": Company.created_at}


def list_companies(q: str = "", sort: str = "name", desc: bool = False, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    page, page_size = _paging(page, page_size)
    with session_scope() as s:
        stmt = select(Company)
        count = select(func.count()).select_from(Company)
        if q := _text(q):
            cond = crm_search.company_condition(s, q)
            stmt, count = stmt.where(cond), count.where(cond)
        col = COMPANY_SORTS.get(sort, Company.name)
        stmt = stmt.order_by(col.desc() if desc else col.asc(), Company.id)
        rows, total = _page_rows(s, stmt, count, page, page_size, bool(q))
        return Page([company_dict(c) for c in rows], total, page, page_size)


def company_options() -> list[dict[str, Any]]:
    with session_scope() as s:
        return [{"id": c.id, "name": c.name} for c in s.exec(select(Company).order_by(Company.name).limit(1000)).all()]


def find_company_by_name(name: str) -> dict[str, Any] | None:
    name = _text(name)
    if not name:
        return None
    with session_scope() as s:
        c = s.exec(select(Company).where(func.lower(Company.name) == name.lower())).first()
        return company_dict(c) if c else None


# ---------------------------------------------------------------- contacts
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
        "created_at": _iso(c.created_at),
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
        parts = re.split(r"[,;\s]+", _text(value))
    seen: list[str] = []
    for p in parts:
        p = p.strip().lower()
        if p and p not in seen:
            seen.append(p)
    return seen


def _validate_contact(s: Session, data: dict[str, Any], contact_id: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    first = _text(data.get("first_name"))
    last = _text(data.get("last_name"))
    if not first and not last and _text(data.get("name")):
        first, _, last = _text(data.get("name")).partition(" ")
        first, last = first.strip(), last.strip()
    _required(errors, "first_name", first, "First name", 100)
    _optional(errors, "last_name", last, "Last name", 100)
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
    phone = _text(data.get("phone"))
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = "Enter a phone number using digits, spaces, + ( ) - ."
    title = _text(data.get("title"))
    _optional(errors, "title", title, "Title")
    company_id = data.get("company_id") or None
    company_name = _text(data.get("company"))
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
        if clean["new_company"]:
            comp = Company(name=clean["new_company"], owner_id=user_id, created_by_id=user_id)
            s.add(comp)
            s.flush()
            clean["company_id"] = comp.id
        c = Contact(
            first_name=clean["first_name"], last_name=clean["last_name"], phone=clean["phone"], title=clean["title"],
            company_id=clean["company_id"], owner_id=user_id, created_by_id=user_id,
        )
        s.add(c)
        s.flush()
        _set_emails(s, c.id, clean["emails"])
        try:
            s.flush()
        except IntegrityError as exc:
            raise ValidationFailed({"emails": "One of these email addresses already belongs to another contact."}) from exc
        return _contact_out(s, c)


def update_contact(contact_id: int, data: dict[str, Any], user_id: int | None = None) -> dict[str, Any]:
    with session_scope() as s:
        c = _get(s, Contact, contact_id, "contact")
        clean = _validate_contact(s, data, contact_id)
        if clean["new_company"]:
            comp = Company(name=clean["new_company"], owner_id=user_id, created_by_id=user_id)
            s.add(comp)
            s.flush()
            clean["company_id"] = comp.id
        for k in ("first_name", "last_name", "phone", "title", "company_id"):
            setattr(c, k, clean[k])
        c.updated_at = utcnow()
        s.add(c)
        _set_emails(s, c.id, clean["emails"])
        try:
            s.flush()
        except IntegrityError as exc:
            raise ValidationFailed({"emails": "One of these email addresses already belongs to another contact."}) from exc
        return _contact_out(s, c)


def _contact_out(s: Session, c: Contact) -> dict[str, Any]:
    comp = s.get(Company, c.company_id) if c.company_id else None
    return contact_summary(c, emails_for(s, [c.id])[c.id], comp.name if comp else "")


def delete_contact(contact_id: int) -> None:
    with session_scope() as s:
        s.delete(_get(s, Contact, contact_id, "contact"))


def get_contact(contact_id: int) -> dict[str, Any]:
    with session_scope() as s:
        c = _get(s, Contact, contact_id, "contact")
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
    page, page_size = _paging(page, page_size)
    with session_scope() as s:
        stmt = select(Contact, Company.name).join(Company, Company.id == Contact.company_id, isouter=True)
        count = select(func.count()).select_from(Contact)
        conds = []
        if q := _text(q):
            conds.append(crm_search.contact_condition(s, q))
        if company_id:
            conds.append(Contact.company_id == company_id)
        for cond in conds:
            stmt, count = stmt.where(cond), count.where(cond)
        cols = CONTACT_SORTS.get(sort, CONTACT_SORTS["name"])
        stmt = stmt.order_by(*[(c.desc() if desc else c.asc()) for c in cols], Contact.id)
        rows, total = _page_rows(s, stmt, count, page, page_size, bool(q))
        emails = emails_for(s, [c.id for c, _ in rows])
        return Page([contact_summary(c, emails[c.id], cname or "") for c, cname in rows], total, page, page_size)


def find_contacts(name: str, limit: int = 10) -> list[dict[str, Any]]:
    """Contacts whose first name, last name or full name matches (for resolving people in chat)."""
    name = _text(name).lower()
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


def contacts_of_company(name: str) -> list[dict[str, Any]]:
    comp = find_company_by_name(name)
    if comp is None:
        with session_scope() as s:
            c = s.exec(select(Company).where(crm_search.ilike(Company.name, _text(name)))).first()
            comp = company_dict(c) if c else None
    if comp is None:
        return []
    return list_contacts(company_id=comp["id"], page_size=MAX_PAGE_SIZE).rows


# ---------------------------------------------------------------- deals
def deal_dict(d: Deal, company_name: str, contact_name: str) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "amount": f"{d.amount:.2f}",
        "amount_display": money(d.amount, d.currency),
        "currency": d.currency,
        "stage": d.stage.value if isinstance(d.stage, DealStage) else str(d.stage),
        "probability": d.probability,
        "expected_close": _iso(d.expected_close),
        "company_id": d.company_id,
        "company": company_name,
        "contact_id": d.contact_id,
        "contact": contact_name,
        "created_at": _iso(d.created_at),
    }


def parse_stage(value: Any) -> DealStage | None:
    v = _text(value).lower().replace(" ", "_")
    aliases = {"closed_won": "won", "closed_lost": "lost", "negotiating": "negotiation", "proposal_sent": "proposal"}
    v = aliases.get(v, v)
    try:
        return DealStage(v)
    except ValueError:
        return None


def _validate_deal(s: Session, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = _text(data.get("title"))
    _required(errors, "title", title, "Deal title")
    raw_amount = _text(data.get("amount")).replace(",", "") or "0"
    try:
        amount = decimal.Decimal(raw_amount)
        if not amount.is_finite() or amount < 0 or amount >= decimal.Decimal("1e12"):
            raise decimal.InvalidOperation
        amount = amount.quantize(decimal.Decimal("0.01"))
    except decimal.InvalidOperation:
        errors["amount"] = "Enter an amount of 0 or more, like 12500 or 12500.50."
        amount = decimal.Decimal("0")
    currency = (_text(data.get("currency")) or "USD").upper()
    if currency not in CURRENCIES:
        errors["currency"] = f"Choose one of {', '.join(CURRENCIES)}."
    stage = parse_stage(data.get("stage") or "lead")
    if stage is None:
        errors["stage"] = "Choose a stage from the pipeline."
    prob_raw = data.get("probability")
    probability: int | None = None
    if prob_raw not in (None, ""):
        try:
            probability = int(prob_raw)
            if not 0 <= probability <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["probability"] = "Probability is a whole number from 0 to 100."
    close_raw = data.get("expected_close")
    expected_close = None
    if isinstance(close_raw, dt.date):
        expected_close = close_raw
    elif _text(close_raw):
        try:
            expected_close = dt.date.fromisoformat(_text(close_raw))
        except ValueError:
            errors["expected_close"] = "Enter a date as YYYY-MM-DD."
    ids: dict[str, int | None] = {}
    for key, model, label in (("company_id", Company, "company"), ("contact_id", Contact, "contact")):
        raw = data.get(key)
        if raw in (None, "", 0, "0"):
            ids[key] = None
            continue
        try:
            ids[key] = int(raw)
        except (TypeError, ValueError):
            errors[key] = f"Choose a {label} from the list."
            continue
        if s.get(model, ids[key]) is None:
            errors[key] = f"That {label} no longer exists. Choose another."
    if errors:
        raise ValidationFailed(errors)
    assert stage is not None
    return {
        "title": title, "amount": amount, "currency": currency, "stage": stage,
        "probability": DEFAULT_PROBABILITY[stage] if probability is None else probability,
        "expected_close": expected_close, **ids,
    }


def _deal_out(s: Session, d: Deal) -> dict[str, Any]:
    comp = s.get(Company, d.company_id) if d.company_id else None
    cont = s.get(Contact, d.contact_id) if d.contact_id else None
    return deal_dict(d, comp.name if comp else "", f"{cont.first_name} {cont.last_name}".strip() if cont else "")


def create_deal(data: dict[str, Any], user_id: int | None) -> dict[str, Any]:
    with session_scope() as s:
        clean = _validate_deal(s, data)
        d = Deal(**clean, owner_id=user_id, created_by_id=user_id)
        s.add(d)
        s.flush()
        return _deal_out(s, d)


def update_deal(deal_id: int, data: dict[str, Any]) -> dict[str, Any]:
    with session_scope() as s:
        d = _get(s, Deal, deal_id, "deal")
        merged = {**deal_dict(d, "", ""), **data}
        if "stage" in data and "probability" not in data:
            merged["probability"] = None
        clean = _validate_deal(s, merged)
        for k, v in clean.items():
            setattr(d, k, v)
        d.updated_at = utcnow()
        s.add(d)
        return _deal_out(s, d)


def move_deal(deal_id: int, stage: str) -> dict[str, Any]:
    if parse_stage(stage) is None:
        raise ValidationFailed({"stage": f"Unknown stage {stage!r}. Use one of: {', '.join(s.value for s in PIPELINE)}."})
    return update_deal(deal_id, {"stage": stage})


def delete_deal(deal_id: int) -> None:
    with session_scope() as s:
        s.delete(_get(s, Deal, deal_id, "deal"))


def get_deal(deal_id: int) -> dict[str, Any]:
    with session_scope() as s:
        return _deal_out(s, _get(s, Deal, deal_id, "deal"))


DEAL_SORTS = {"title": Deal.title, "amount": Deal.amount, "stage": Deal.stage, "close": Deal.expected_close, "created": Deal.created_at}


def list_deals(q: str = "", sort: str = "created", desc: bool = True, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE,
               stage: str | None = None, close_from: dt.date | None = None,
               close_before: dt.date | None = None) -> Page:
    """Deals matching ``q``, in ``stage``, expected to close on or after ``close_from`` and before ``close_before``."""
    page, page_size = _paging(page, page_size)
    with session_scope() as s:
        stmt = select(Deal)
        count = select(func.count()).select_from(Deal)
        conds = []
        if q := _text(q):
            conds.append(crm_search.deal_condition(s, q))
        if stage and (st := parse_stage(stage)):
            conds.append(Deal.stage == st)
        if close_from is not None:
            conds.append(Deal.expected_close >= close_from)
        if close_before is not None:
            conds.append(Deal.expected_close < close_before)
        for cond in conds:
            stmt, count = stmt.where(cond), count.where(cond)
        col = DEAL_SORTS.get(sort, Deal.created_at)
        stmt = stmt.order_by(col.desc() if desc else col.asc(), Deal.id)
        rows, total = _page_rows(s, stmt, count, page, page_size, bool(q))
        return Page([_deal_out(s, d) for d in rows], total, page, page_size)


def deal_board(limit_per_stage: int = 50) -> dict[str, dict[str, Any]]:
    """Deals grouped by pipeline stage, with each column's count and total."""
    board: dict[str, dict[str, Any]] = {}
    with session_scope() as s:
        for st in PIPELINE:
            rows = s.exec(select(Deal).where(Deal.stage == st).order_by(Deal.updated_at.desc()).limit(limit_per_stage)).all()
            n = s.exec(select(func.count()).select_from(Deal).where(Deal.stage == st)).one()
            sums = s.exec(select(Deal.currency, func.sum(Deal.amount)).where(Deal.stage == st)
                          .group_by(Deal.currency).order_by(Deal.currency)).all()
            total = " · ".join(money(amount, cur) for cur, amount in sums)
            board[st.value] = {"deals": [_deal_out(s, d) for d in rows], "count": n, "total": total}
    return board


def find_deals(name: str, limit: int = 10) -> list[dict[str, Any]]:
    """Deals whose title or company matches, for resolving "the Acme deal" in chat."""
    name = _text(name)
    if not name:
        return []
    with session_scope() as s:
        rows = s.exec(select(Deal).where(crm_search.deal_condition(s, name)).limit(limit)).all()
        return [_deal_out(s, d) for d in rows]


# ---------------------------------------------------------------- activities
def activity_dict(a: Activity) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind.value if isinstance(a.kind, ActivityKind) else str(a.kind),
        "subject": a.subject,
        "body": a.body,
        "occurred_at": _iso(a.occurred_at),
        "due_at": _iso(a.due_at),
        "done": a.done,
        "contact_id": a.contact_id,
        "company_id": a.company_id,
        "deal_id": a.deal_id,
        "email_message_id": a.email_message_id or "",
        "email_web_link": a.email_web_link or "",
    }


def add_activity(data: dict[str, Any], user_id: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    try:
        kind = ActivityKind(_text(data.get("kind")) or "note")
    except ValueError:
        errors["kind"] = "Choose note, task, email or meeting."
        kind = ActivityKind.note
    subject = _text(data.get("subject"))
    body = _text(data.get("body"))
    _optional(errors, "subject", subject, "Subject", 300)
    if len(body) > MAX_TEXT:
        errors["body"] = f"Text is limited to {MAX_TEXT:,} characters."
    if not subject and not body:
        errors["body"] = "Write something first."
    due_at = data.get("due_at")
    if isinstance(due_at, str) and due_at.strip():
        try:
            due_at = dt.datetime.fromisoformat(due_at.strip())
            if due_at.tzinfo is None:
                due_at = due_at.replace(tzinfo=dt.timezone.utc)
        except ValueError:
            errors["due_at"] = "Enter a due date as YYYY-MM-DD."
            due_at = None
    elif isinstance(due_at, dt.date) and not isinstance(due_at, dt.datetime):
        due_at = dt.datetime.combine(due_at, dt.time(17, 0), dt.timezone.utc)
    elif not isinstance(due_at, dt.datetime):
        due_at = None
    targets = {k: data.get(k) for k in ("contact_id", "company_id", "deal_id") if data.get(k)}
    if not targets:
        errors["target"] = "Choose a contact, company or deal for this activity."
    if errors:
        raise ValidationFailed(errors)
    with session_scope() as s:
        for key, model in (("contact_id", Contact), ("company_id", Company), ("deal_id", Deal)):
            if key in targets and s.get(model, int(targets[key])) is None:
                raise NotFound(f"That {key.removesuffix('_id')} no longer exists.")
        occurred = data.get("occurred_at")
        if isinstance(occurred, str) and occurred:
            try:
                occurred = dt.datetime.fromisoformat(occurred.replace("Z", "+00:00"))
            except ValueError:
                occurred = None
        a = Activity(
            kind=kind, subject=subject, body=body, due_at=due_at,
            occurred_at=occurred if isinstance(occurred, dt.datetime) and occurred.tzinfo else utcnow(),
            email_message_id=_text(data.get("email_message_id")) or None,
            email_web_link=_text(data.get("email_web_link")) or None,
            created_by_id=user_id, **{k: int(v) for k, v in targets.items()},
        )
        s.add(a)
        s.flush()
        return activity_dict(a)


def set_task_done(activity_id: int, done: bool) -> dict[str, Any]:
    with session_scope() as s:
        a = _get(s, Activity, activity_id, "activity")
        a.done = done
        s.add(a)
        return activity_dict(a)


def delete_activity(activity_id: int) -> None:
    with session_scope() as s:
        s.delete(_get(s, Activity, activity_id, "activity"))


def timeline(*, contact_id: int | None = None, company_id: int | None = None, deal_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Activities on a record, newest first. A company's timeline includes its contacts' and deals'."""
    with session_scope() as s:
        stmt = select(Activity)
        if contact_id:
            stmt = stmt.where(Activity.contact_id == contact_id)
        elif company_id:
            contact_ids = select(Contact.id).where(Contact.company_id == company_id)
            deal_ids = select(Deal.id).where(Deal.company_id == company_id)
            stmt = stmt.where(or_(Activity.company_id == company_id, Activity.contact_id.in_(contact_ids), Activity.deal_id.in_(deal_ids)))
        elif deal_id:
            stmt = stmt.where(Activity.deal_id == deal_id)
        else:
            return []
        rows = s.exec(stmt.order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit)).all()
        return [activity_dict(a) for a in rows]


def email_already_logged(message_id: str, contact_id: int) -> bool:
    with session_scope() as s:
        return s.exec(
            select(Activity.id).where(Activity.email_message_id == message_id, Activity.contact_id == contact_id)
        ).first() is not None


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


# ---------------------------------------------------------------- shared
def _get(s: Session, model: type, record_id: Any, label: str):
    try:
        obj = s.get(model, int(record_id))
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise NotFound(f"That {label} doesn't exist any more. It may have been deleted by a teammate.")
    return obj
