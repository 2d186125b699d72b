"""Deals: validation, the pipeline board, stage moves."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from crm_app.db import session_scope, utcnow
from crm_app.formatting import money
from crm_app.models import DEFAULT_PROBABILITY, PIPELINE, Company, Contact, Deal, DealStage
from crm_app.services import crm_search
from crm_app.services.crm.common import (
    CURRENCIES, DEFAULT_PAGE_SIZE, Page, delete_row, get_row, iso, page_rows, paging, require, text_of
)
from crm_app.services.errors import ValidationFailed


def deal_dict(d: Deal, company_name: str, contact_name: str) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "amount": f"{d.amount:.2f}",
        "amount_display": money(d.amount, d.currency),
        "currency": d.currency,
        "stage": d.stage.value if isinstance(d.stage, DealStage) else str(d.stage),
        "probability": d.probability,
        "expected_close": iso(d.expected_close),
        "company_id": d.company_id,
        "company": company_name,
        "contact_id": d.contact_id,
        "contact": contact_name,
        "created_at": iso(d.created_at),
    }


def parse_stage(value: Any) -> DealStage | None:
    v = text_of(value).lower().replace(" ", "_")
    aliases = {"closed_won": "won", "closed_lost": "lost", "negotiating": "negotiation", "proposal_sent": "proposal"}
    v = aliases.get(v, v)
    try:
        return DealStage(v)
    except ValueError:
        return None


def _validate_deal(s: Session, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = text_of(data.get("title"))
    require(errors, "title", title, "Deal title")
    raw_amount = text_of(data.get("amount")).replace(",", "") or "0"
    try:
        amount = decimal.Decimal(raw_amount)
        if not amount.is_finite() or amount < 0 or amount >= decimal.Decimal("1e12"):
            raise decimal.InvalidOperation
        amount = amount.quantize(decimal.Decimal("0.01"))
    except decimal.InvalidOperation:
        errors["amount"] = "Enter an amount of 0 or more, like 12500 or 12500.50."
        amount = decimal.Decimal("0")
    currency = (text_of(data.get("currency")) or "USD").upper()
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
    elif text_of(close_raw):
        try:
            expected_close = dt.date.fromisoformat(text_of(close_raw))
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
        d = get_row(s, Deal, deal_id, "deal")
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
    delete_row(Deal, deal_id, "deal")


def get_deal(deal_id: int) -> dict[str, Any]:
    with session_scope() as s:
        return _deal_out(s, get_row(s, Deal, deal_id, "deal"))


DEAL_SORTS = {"title": Deal.title, "amount": Deal.amount, "stage": Deal.stage, "close": Deal.expected_close, "created": Deal.created_at}


def list_deals(q: str = "", sort: str = "created", desc: bool = True, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE,
               stage: str | None = None, close_from: dt.date | None = None,
               close_before: dt.date | None = None) -> Page:
    """Deals matching ``q``, in ``stage``, expected to close on or after ``close_from`` and before ``close_before``."""
    page, page_size = paging(page, page_size)
    with session_scope() as s:
        stmt = select(Deal)
        count = select(func.count()).select_from(Deal)
        conds = []
        if q := text_of(q):
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
        rows, total = page_rows(s, stmt, count, page, page_size, bool(q))
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
    name = text_of(name)
    if not name:
        return []
    with session_scope() as s:
        rows = s.exec(select(Deal).where(crm_search.deal_condition(s, name)).limit(limit)).all()
        return [_deal_out(s, d) for d in rows]
