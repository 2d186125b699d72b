"""CRM tools: search, get, create, update, move, notes, tasks, log an email.

The tools work on a `CrmStore`, the record operations of the services layer. The tools layer sits below
services, so the store is handed in: `crm_tools(store)`, or the store `use_store` set (the services package
sets its own `crm` module when it is imported).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from crm_app.db import DatabaseUnavailable
from crm_app.errors import NotFound, ServiceError, ValidationFailed
from crm_app.tools.base import CRM_SOURCE, BaseTool, ToolContext, ToolResult, ToolSchema

ENTITY = {"type": "string", "enum": ["contact", "company", "deal"], "description": "Which kind of CRM record."}
RECORD_ID = {"type": "integer", "description": "The record's id (from a search result)."}
REF = {"type": "string", "description": "The record's name or title, when the id is not known."}


Record = dict[str, Any]


class Page(Protocol):
    rows: list[Record]


class CrmStore(Protocol):
    """The CRM record operations the tools use (`crm_app.services.crm` provides them)."""

    MAX_TEXT: int

    def get_contact(self, contact_id: int) -> Record: ...
    def get_company(self, company_id: int) -> Record: ...
    def get_deal(self, deal_id: int) -> Record: ...
    def find_contacts(self, name: str, limit: int = ...) -> list[Record]: ...
    def find_company_by_name(self, name: str) -> Record | None: ...
    def find_deals(self, name: str, limit: int = ...) -> list[Record]: ...
    def list_contacts(self, q: str = ..., *, page_size: int = ...) -> Page: ...
    def list_companies(self, q: str = ..., *, page_size: int = ...) -> Page: ...
    def list_deals(self, q: str = ..., *, page_size: int = ..., stage: str | None = ...,
                   close_from: dt.date | None = ..., close_before: dt.date | None = ...) -> Page: ...
    def search_all(self, q: str, limit: int = ...) -> dict[str, list[Record]]: ...
    def timeline(self, *, contact_id: int | None = ..., company_id: int | None = ..., deal_id: int | None = ...,
                 limit: int = ...) -> list[Record]: ...
    def create_contact(self, data: dict[str, Any], user_id: int | None) -> Record: ...
    def create_company(self, data: dict[str, Any], user_id: int | None) -> Record: ...
    def create_deal(self, data: dict[str, Any], user_id: int | None) -> Record: ...
    def update_contact(self, contact_id: int, data: dict[str, Any], user_id: int | None = ...) -> Record: ...
    def update_company(self, company_id: int, data: dict[str, Any]) -> Record: ...
    def update_deal(self, deal_id: int, data: dict[str, Any]) -> Record: ...
    def move_deal(self, deal_id: int, stage: str) -> Record: ...
    def delete_contact(self, contact_id: int) -> None: ...
    def delete_company(self, company_id: int) -> None: ...
    def delete_deal(self, deal_id: int) -> None: ...
    def add_activity(self, data: dict[str, Any], user_id: int | None) -> Record: ...
    def contacts_by_emails(self, addresses: Iterable[str]) -> dict[str, Record]: ...
    def email_already_logged(self, message_id: str, contact_id: int) -> bool: ...


_default_store: CrmStore | None = None


def use_store(store: CrmStore) -> None:
    """The store `crm_tools()` and `resolve_record` use when none is passed."""
    global _default_store
    _default_store = store


def store_or_default(store: CrmStore | None) -> CrmStore:
    if store is not None:
        return store
    if _default_store is None:
        raise RuntimeError("No CRM store is set: import crm_app.services, or pass the store to crm_tools().")
    return _default_store


ToolFn = Callable[[CrmStore, ToolContext, dict[str, Any]], dict[str, Any]]


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], "additionalProperties": False}


class CrmTool(BaseTool):
    """A CRM tool: runs a blocking service call in a worker thread and reports failures honestly."""

    def __init__(self, schema: ToolSchema, fn: ToolFn, store: CrmStore) -> None:
        self.schema = schema
        self._fn = fn
        self._store = store

    async def run(self, ctx: ToolContext, arguments: dict[str, Any]) -> ToolResult:
        started = time.perf_counter()
        ms = lambda: (time.perf_counter() - started) * 1000  # noqa: E731
        try:
            data = await asyncio.to_thread(self._fn, self._store, ctx, dict(arguments or {}))
        except ValidationFailed as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            return ToolResult.failure(self.name, CRM_SOURCE, f"{exc} {detail}".strip(), "ValidationError", ms())
        except NotFound as exc:
            return ToolResult.failure(self.name, CRM_SOURCE, str(exc), "NotFound", ms())
        except DatabaseUnavailable as exc:
            return ToolResult.failure(self.name, CRM_SOURCE, exc.user_message, "DatabaseUnavailable", ms())
        except ServiceError as exc:
            return ToolResult.failure(self.name, CRM_SOURCE, str(exc), "ServiceError", ms())
        return ToolResult(ok=True, tool=self.name, source=CRM_SOURCE, data=data, latency_ms=ms())


# ---------------------------------------------------------------- resolution helpers
def resolve_record(entity: str, args: dict[str, Any], store: CrmStore | None = None) -> dict[str, Any]:
    """The one record an id or a name points at; ambiguity and absence are errors the user can act on."""
    crm = store_or_default(store)
    entity = (entity or "").lower()
    getter = {"contact": crm.get_contact, "company": crm.get_company, "deal": crm.get_deal}.get(entity)
    if getter is None:
        raise ValidationFailed({"entity": "Say whether you mean a contact, a company or a deal."})
    if args.get("id"):
        return getter(int(args["id"]))
    ref = str(args.get("ref") or "").strip()
    if not ref:
        raise ValidationFailed({"ref": f"Say which {entity} you mean."})
    matches = find_records(crm, entity, ref)
    if not matches:
        raise NotFound(f"I couldn't find a {entity} called “{ref}” in the CRM.")
    if len(matches) > 1:
        names = ", ".join(m.get("name") or m.get("title", "") for m in matches[:5])
        raise ValidationFailed({"ref": f"“{ref}” matches several {entity} records ({names}); say which one."})
    return getter(int(matches[0]["id"]))


def find_records(crm: CrmStore, entity: str, query: str, limit: int = 10) -> list[dict[str, Any]]:
    if entity == "contact":
        exact = crm.find_contacts(query)
        return exact or crm.list_contacts(query, page_size=limit).rows
    if entity == "company":
        exact = crm.find_company_by_name(query)
        return [exact] if exact else crm.list_companies(query, page_size=limit).rows
    if entity == "deal":
        return crm.find_deals(query, limit)
    return []


# ---------------------------------------------------------------- tool functions
def _close_date(a: dict[str, Any], key: str) -> dt.date | None:
    value = a.get(key)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationFailed({key: f"“{value}” is not a date: write it as YYYY-MM-DD."}) from None


def _search(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    entity, q = a.get("entity") or "", str(a.get("query") or "")
    limit = max(1, min(int(a.get("limit") or 10), 50))
    close_from, close_before = _close_date(a, "close_from"), _close_date(a, "close_before")
    if close_from or close_before:
        entity = "deal"  # only deals have a close date
    if entity == "contact":
        rows = crm.list_contacts(q, page_size=limit).rows
    elif entity == "company":
        rows = crm.list_companies(q, page_size=limit).rows
    elif entity == "deal":
        rows = crm.list_deals(q, page_size=limit, stage=a.get("stage") or None, close_from=close_from,
                              close_before=close_before).rows
    else:
        found = crm.search_all(q, limit)
        return {"entity": "all", "records": [{"entity": k.rstrip("s").replace("companie", "company"), **r}
                                             for k, rows in found.items() for r in rows]}
    return {"entity": entity, "records": [{"entity": entity, **r} for r in rows]}


def _get(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    rec = resolve_record(a.get("entity", ""), a, crm)
    entity = a.get("entity")
    rec["timeline"] = crm.timeline(**{f"{entity}_id": rec["id"]}, limit=10)
    return {"entity": entity, "record": rec}


def _create_contact(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    return {"entity": "contact", "record": crm.create_contact(a, ctx.user_id), "status": "created"}


def _create_company(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    return {"entity": "company", "record": crm.create_company(a, ctx.user_id), "status": "created"}


def _create_deal(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    a = dict(a)
    if a.get("company") and not a.get("company_id"):
        comp = crm.find_company_by_name(a["company"])
        if comp is None:
            raise NotFound(f"There is no company called “{a['company']}” in the CRM. Create it first.")
        a["company_id"] = comp["id"]
    return {"entity": "deal", "record": crm.create_deal(a, ctx.user_id), "status": "created"}


def _update(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    entity = a.get("entity", "")
    rec = resolve_record(entity, a, crm)
    fields = dict(a.get("fields") or {})
    if entity == "contact":
        merged = {**rec, **fields}
        if "emails" not in fields and "email" not in fields:
            merged["emails"] = rec["emails"]
        out = crm.update_contact(rec["id"], merged, ctx.user_id)
    elif entity == "company":
        out = crm.update_company(rec["id"], {**rec, **fields})
    else:
        out = crm.update_deal(rec["id"], fields)
    return {"entity": entity, "record": out, "status": "updated"}


def _move_deal(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    rec = resolve_record("deal", a, crm)
    return {"entity": "deal", "record": crm.move_deal(rec["id"], str(a.get("stage") or "")), "status": "moved"}


def _delete(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    entity = a.get("entity", "")
    rec = resolve_record(entity, a, crm)
    {"contact": crm.delete_contact, "company": crm.delete_company, "deal": crm.delete_deal}[entity](rec["id"])
    return {"entity": entity, "record": rec, "status": "deleted"}


def _add_activity(kind: str) -> ToolFn:
    def run(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
        entity = a.get("entity") or ""
        payload: dict[str, Any] = {"kind": kind, "body": a.get("text") or "", "subject": a.get("subject") or "",
                                   "due_at": a.get("due")}
        rec = None
        if entity:
            rec = resolve_record(entity, a, crm)
            payload[f"{entity}_id"] = rec["id"]
            if entity == "deal":
                payload["company_id"] = rec.get("company_id")
                payload["contact_id"] = rec.get("contact_id")
        activity = crm.add_activity(payload, ctx.user_id)
        return {"entity": entity or "activity", "record": rec, "activity": activity, "status": "added"}

    return run


def _log_email(crm: CrmStore, ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    """File an email as an activity on the contact whose address matches its sender (or a recipient), and on a
    deal when one is given (on its contact when no address matches)."""
    addresses = [a.get("from_address", "")] + list(a.get("to_addresses") or [])
    contact_id = a.get("contact_id")
    contact = None
    if contact_id:
        contact = crm.get_contact(int(contact_id))
    else:
        found = crm.contacts_by_emails([x for x in addresses if x])
        for addr in addresses:
            if addr and addr.lower() in found:
                contact = found[addr.lower()]
                break
    deal = crm.get_deal(int(a["deal_id"])) if a.get("deal_id") else None
    if contact is None and deal is not None and deal.get("contact_id"):
        contact = crm.get_contact(int(deal["contact_id"]))
    if contact is None:
        raise NotFound("No CRM contact has this email's address. Create the contact first, then log the email.")
    entity, record = ("deal", deal) if deal is not None else ("contact", contact)
    message_id = str(a.get("message_id") or "")
    if message_id and crm.email_already_logged(message_id, contact["id"]):
        return {"entity": entity, "record": record, "status": "already_logged"}
    activity = crm.add_activity({
        "kind": "email", "subject": str(a.get("subject") or "(no subject)")[:300], "body": str(a.get("body") or "")[:crm.MAX_TEXT],
        "occurred_at": a.get("received_at") or None, "email_message_id": message_id or None,
        "email_web_link": a.get("web_link") or None, "contact_id": contact["id"],
        "company_id": (deal or contact).get("company_id"), "deal_id": deal["id"] if deal else None,
    }, ctx.user_id)
    return {"entity": entity, "record": record, "activity": activity, "status": "logged"}


FIELDS_CONTACT = {
    "first_name": {"type": "string"}, "last_name": {"type": "string"},
    "emails": {"type": "array", "items": {"type": "string"}, "description": "Email addresses, primary first."},
    "phone": {"type": "string"}, "title": {"type": "string"},
    "company": {"type": "string", "description": "Company name; created if it does not exist."},
}


def crm_tools(store: CrmStore | None = None) -> list[BaseTool]:
    crm = store_or_default(store)

    def t(name: str, description: str, params: dict[str, Any], fn: ToolFn, read_only: bool,
          destructive: bool = False) -> CrmTool:
        return CrmTool(ToolSchema(name=name, description=description, parameters=params, read_only=read_only,
                                  destructive=destructive), fn, crm)

    return [
        t("crm_search", "Search the CRM's contacts, companies or deals by name, email, domain or company, and deals "
          "by stage and expected close date. Returns matching records with their ids.",
          obj({"entity": {**ENTITY, "enum": ["contact", "company", "deal", "all"]}, "query": {"type": "string"},
               "stage": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 50},
               "close_from": {"type": "string", "format": "date",
                              "description": "Deals expected to close on or after this date."},
               "close_before": {"type": "string", "format": "date",
                                "description": "Deals expected to close before this date."}}, ["query"]),
          _search, True),
        t("crm_get_record", "Get one CRM record (contact, company or deal) with its recent timeline.",
          obj({"entity": ENTITY, "id": RECORD_ID, "ref": REF}, ["entity"]), _get, True),
        t("crm_create_contact", "Create a CRM contact. Needs the user's confirmation.", obj(FIELDS_CONTACT, ["first_name"]),
          _create_contact, False),
        t("crm_create_company", "Create a CRM company. Needs the user's confirmation.",
          obj({"name": {"type": "string"}, "domain": {"type": "string"}, "industry": {"type": "string"}}, ["name"]),
          _create_company, False),
        t("crm_create_deal", "Create a deal in the pipeline. Needs the user's confirmation.",
          obj({"title": {"type": "string"}, "amount": {"type": "string"}, "currency": {"type": "string"},
               "stage": {"type": "string", "enum": ["lead", "qualified", "proposal", "negotiation", "won", "lost"]},
               "company": {"type": "string"}, "expected_close": {"type": "string", "format": "date"}}, ["title"]),
          _create_deal, False),
        t("crm_update_record", "Change fields of a CRM record. Needs the user's confirmation.",
          obj({"entity": ENTITY, "id": RECORD_ID, "ref": REF, "fields": {"type": "object"}}, ["entity", "fields"]),
          _update, False),
        t("crm_move_deal", "Move a deal to another pipeline stage. Needs the user's confirmation.",
          obj({"id": RECORD_ID, "ref": REF, "stage": {"type": "string", "enum": ["lead", "qualified", "proposal",
                                                                                   "negotiation", "won", "lost"]}}, ["stage"]),
          _move_deal, False),
        t("crm_delete_record", "Delete a CRM record and its timeline. Needs the user's confirmation.",
          obj({"entity": ENTITY, "id": RECORD_ID, "ref": REF}, ["entity"]), _delete, False, destructive=True),
        t("crm_add_note", "Add a note to a contact, company or deal's timeline. Needs the user's confirmation.",
          obj({"entity": ENTITY, "id": RECORD_ID, "ref": REF, "text": {"type": "string"}}, ["entity", "text"]),
          _add_activity("note"), False),
        t("crm_add_task", "Add a task with an optional due date, on a record or on its own. Needs the user's confirmation.",
          obj({"entity": ENTITY, "id": RECORD_ID, "ref": REF, "text": {"type": "string"},
               "due": {"type": "string", "description": "ISO date or datetime"}}, ["text"]),
          _add_activity("task"), False),
        t("crm_log_email", "File an email as an activity on the CRM contact whose address matches, and on a deal when "
          "deal_id is given. Needs confirmation.",
          obj({"message_id": {"type": "string"}, "subject": {"type": "string"}, "from_address": {"type": "string"},
               "to_addresses": {"type": "array", "items": {"type": "string"}}, "received_at": {"type": "string"},
               "body": {"type": "string"}, "web_link": {"type": "string"}, "contact_id": {"type": "integer"},
               "deal_id": {"type": "integer", "description": "Also file it on this deal."}},
              ["from_address"]),
          _log_email, False),
    ]
