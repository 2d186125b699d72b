"""CRM side effects as confirmation proposals: create, change, note, task, delete, log an email."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from crm_app.assistant import cards as cardlib
from crm_app.assistant.intents import Intent, Plan
from crm_app.formatting import long_date, stage_label
from crm_app.services.assistant.context import referenced
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.people import EMAIL_RE
from crm_app.services.assistant.registry import UserTools
from crm_app.services import crm
from crm_app.services.assistant.turn import AlreadyDone, Proposal, TurnFailed, TurnState
from crm_app.services.errors import NotFound, ValidationFailed
from crm_app.tools.base import ToolContext, ToolRegistry, ToolResult

CRM_INTENT_TOOL = {
    Intent.CRM_DEAL_MOVE: "crm_move_deal",
    Intent.CRM_NOTE_ADD: "crm_add_note",
    Intent.CRM_TASK_ADD: "crm_add_task",
    Intent.CRM_DELETE: "crm_delete_record",
    Intent.CRM_UPDATE: "crm_update_record",
    Intent.CRM_LOG_EMAIL: "crm_log_email",
}
CREATE_TOOL = {"contact": "crm_create_contact", "company": "crm_create_company", "deal": "crm_create_deal"}
PREVIEW_NOTE = "[Outlook's preview of this email, cut at about 255 characters; the full email is in Outlook.]"


async def propose_create(eng: TurnEngine, st: TurnState, plan: Plan) -> Proposal:
    entity = plan.args.get("entity") or ""
    fields = dict(plan.args.get("fields") or {})
    if "close_date" in fields:
        fields["expected_close"] = fields.pop("close_date")
    tool = CREATE_TOOL.get(entity)
    if tool is None:
        raise TurnFailed("I can create contacts, companies and deals. Say which one.")
    if entity == "contact" and "email" in fields and "emails" not in fields:
        fields["emails"] = [fields.pop("email")]
    if entity == "contact":
        await asyncio.to_thread(_refuse_existing, list(fields.get("emails") or []))
    summary = {"record": entity, **{("title_field" if k == "title" else k): ", ".join(v) if isinstance(v, list) else str(v)
                                    for k, v in fields.items()}}
    then_log = plan.args.get("then_log")
    if then_log:
        summary["text"] = f"Then log “{then_log.get('title', '')}” to the new contact's timeline"
    return Proposal(f"Create this {entity}?", summary, fields, tool_name=tool, then_log=then_log or {})


def _refuse_existing(addresses: list[str]) -> None:
    """AlreadyDone when a CRM contact already has one of the new contact's addresses."""
    known = crm.contacts_by_emails([a for a in addresses if a])
    for address, contact in known.items():
        name = contact.get("name") or f"{contact.get('first_name', '')} {contact.get('last_name', '')}".strip()
        raise AlreadyDone(f"{name} <{address}> is already in the CRM. Say “open the contact {name}” to see the record.")


async def propose_log_email(eng: TurnEngine, st: TurnState, plan: Plan) -> Proposal:
    card = await email_to_log(eng.tools, referenced(st, plan).get("card") or {})
    args = log_args(card)
    if plan.args.get("entity") == "deal" and plan.args.get("target"):
        deal = await asyncio.to_thread(record_label, "deal", plan.args["target"])
        args["deal_id"] = deal["id"]
        summary = {"record": f"Deal: {deal['title']}", "subject": card.get("title", ""),
                   "text": "Log this email to the deal's timeline"}
    else:
        who = card.get("crm_contact_name") or card.get("from_address", "")
        summary = {"record": who, "subject": card.get("title", ""), "text": "Log this email to the contact's timeline"}
    return Proposal("Log this email to the CRM?", summary, args, tool_name=CRM_INTENT_TOOL[Intent.CRM_LOG_EMAIL])


async def email_to_log(tools: UserTools, card: dict[str, str]) -> dict[str, str]:
    """The email card with its full body fetched; when that fails, its preview labelled as a preview."""
    if card.get("body_kind") != "preview" or not card.get("id"):
        return card
    result = await tools.run_if_offered("mail.get", {"message_id": card["id"]})
    full = cardlib.cards_from_result(result) if result is not None and result.ok else []
    if full and full[0].get("body_kind") in ("full", "empty"):
        return {**card, "body": full[0].get("body", ""), "body_kind": full[0]["body_kind"]}
    return {**card, "body": f"{PREVIEW_NOTE}\n\n{card.get('body', '')}"}


async def log_after_create(tools: UserTools, crm_tools: ToolRegistry, ctx: ToolContext, card: dict[str, str],
                           created: dict[str, Any]) -> ToolResult:
    """Log the email that was waiting for its sender's new contact on that contact's timeline."""
    record = created.get("record") or {}
    email = await email_to_log(tools, {**card, "crm_contact_id": str(record.get("id") or "")})
    return await crm_tools.execute(CRM_INTENT_TOOL[Intent.CRM_LOG_EMAIL], ctx, log_args(email))


def log_args(card: dict[str, str]) -> dict[str, Any]:
    """The crm_log_email arguments for an email card."""
    return {"message_id": card.get("id", ""), "subject": card.get("title", ""), "from_address": card.get("from_address", ""),
            "to_addresses": [EMAIL_RE.findall(x)[0] for x in card.get("to", "").split(",") if EMAIL_RE.findall(x)],
            "received_at": card.get("date", ""), "body": card.get("body", ""), "web_link": card.get("link", ""),
            "contact_id": int(card["crm_contact_id"]) if card.get("crm_contact_id") else None}


# ---- changes to one existing record: each intent adds its title and card fields
ChangeDetail = Callable[[str, dict[str, Any], dict[str, Any], dict[str, str]], str]


def _move(entity: str, a: dict[str, Any], record: dict[str, Any], summary: dict[str, str]) -> str:
    summary["stage"] = f"{stage_label(record.get('stage') or '?')} → {stage_label(a.get('stage') or '')}"
    return "Move this deal?"


def _note(entity: str, a: dict[str, Any], record: dict[str, Any], summary: dict[str, str]) -> str:
    summary["text"] = a.get("text") or ""
    return "Add this note?"


def _task(entity: str, a: dict[str, Any], record: dict[str, Any], summary: dict[str, str]) -> str:
    summary["text"] = a.get("text") or ""
    summary["when"] = long_date(a["due"]) if a.get("due") else "no due date"
    if not entity:
        summary.pop("record")
    return "Add this task?"


def _delete(entity: str, a: dict[str, Any], record: dict[str, Any], summary: dict[str, str]) -> str:
    summary["text"] = "This deletes the record and its timeline. It can't be undone."
    return f"Delete this {entity}?"


def _update(entity: str, a: dict[str, Any], record: dict[str, Any], summary: dict[str, str]) -> str:
    summary.update({k: str(v) for k, v in (a.get("fields") or {}).items()})
    return f"Update this {entity}?"


CHANGE_DETAILS: dict[Intent, ChangeDetail] = {
    Intent.CRM_DEAL_MOVE: _move,
    Intent.CRM_NOTE_ADD: _note,
    Intent.CRM_TASK_ADD: _task,
    Intent.CRM_DELETE: _delete,
    Intent.CRM_UPDATE: _update,
}


async def propose_change(eng: TurnEngine, st: TurnState, plan: Plan) -> Proposal:
    a = plan.args
    entity = "deal" if plan.intent == Intent.CRM_DEAL_MOVE else a.get("entity") or ""
    ref_text = a.get("ref") or ""
    record = await asyncio.to_thread(record_label, entity, ref_text)
    canonical = {"entity": entity, "ref": ref_text, "id": record.get("id"), "stage": a.get("stage"),
                 "text": a.get("text"), "due": a.get("due"), "fields": a.get("fields")}
    summary = {"record": f"{entity.title()}: {record.get('name') or record.get('title') or ref_text}".strip()}
    title = CHANGE_DETAILS[plan.intent](entity, a, record, summary)
    return Proposal(title, summary, canonical, tool_name=CRM_INTENT_TOOL[plan.intent])


def record_label(entity: str, ref_text: str) -> dict[str, Any]:
    """The record a change refers to, or {} when the request names none."""
    if not entity or not ref_text:
        return {}
    from crm_app.tools.crm_tools import resolve_record

    try:
        return resolve_record(entity, {"ref": ref_text})
    except NotFound as exc:
        raise TurnFailed(str(exc)) from exc
    except ValidationFailed as exc:
        raise TurnFailed(" ".join(exc.fields.values()) or str(exc)) from exc


CRM_PROPOSERS: dict[Intent, Callable[[TurnEngine, TurnState, Plan], Awaitable[Proposal]]] = {
    Intent.CRM_CREATE: propose_create,
    Intent.CRM_LOG_EMAIL: propose_log_email,
    **{intent: propose_change for intent in CHANGE_DETAILS},
}
