"""Activities on a record: notes, tasks, logged emails and meetings, and the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_
from sqlmodel import select

from crm_app.db import session_scope, utcnow
from crm_app.models import Activity, ActivityKind, Company, Contact, Deal
from crm_app.services.crm.common import delete_row, get_row, iso, check_optional, text_of, MAX_TEXT
from crm_app.services.errors import NotFound, ValidationFailed


def activity_dict(a: Activity) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind.value if isinstance(a.kind, ActivityKind) else str(a.kind),
        "subject": a.subject,
        "body": a.body,
        "occurred_at": iso(a.occurred_at),
        "due_at": iso(a.due_at),
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
        kind = ActivityKind(text_of(data.get("kind")) or "note")
    except ValueError:
        errors["kind"] = "Choose note, task, email or meeting."
        kind = ActivityKind.note
    subject = text_of(data.get("subject"))
    body = text_of(data.get("body"))
    check_optional(errors, "subject", subject, "Subject", 300)
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
            email_message_id=text_of(data.get("email_message_id")) or None,
            email_web_link=text_of(data.get("email_web_link")) or None,
            created_by_id=user_id, **{k: int(v) for k, v in targets.items()},
        )
        s.add(a)
        s.flush()
        return activity_dict(a)


def set_task_done(activity_id: int, done: bool) -> dict[str, Any]:
    with session_scope() as s:
        a = get_row(s, Activity, activity_id, "activity")
        a.done = done
        s.add(a)
        return activity_dict(a)


def delete_activity(activity_id: int) -> None:
    delete_row(Activity, activity_id, "activity")


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
