"""Confirm or cancel a proposed action, and keep its card in step."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from crm_app.assistant import cards as cardlib
from crm_app.assistant import replies
from crm_app.db import DatabaseUnavailable
from crm_app.services import conversations
from crm_app.services.assistant.crm_proposals import log_after_create
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.registry import crm_registry
from crm_app.services.assistant.turn import Sink, Turn, TurnFailed, TurnState, no_sink
from crm_app.services.assistant.wording import done_reply
from crm_app.services.auth import SignedInUser
from crm_app.services.errors import NotFound
from crm_app.tools.base import ToolResult

EDITABLE = ("to", "cc", "subject", "body", "start", "end", "attendees", "location", "message", "text", "recipients", "stage", "due")
LIST_FIELDS = ("to", "cc", "attendees", "recipients")
TOOL_GONE = "The tool for this action is no longer available. Check Settings → Microsoft 365."


async def confirm_action(user: SignedInUser, message_id: int, action_id: str, edits: dict[str, str] | None = None,
                         sink: Sink = no_sink) -> Turn:
    """Run a proposed action exactly once, with the user's edits, and record what happened."""
    edits = edits or {}
    msg = await asyncio.to_thread(conversations.get_message, user.id, message_id)
    actions = msg.get("actions") or {}
    action = actions.get(action_id)
    if action is None:
        raise NotFound("That action no longer exists.")
    if action.get("status") != "pending":
        return Turn(text="That action was already handled.", status="done")
    action["status"] = "running"
    await asyncio.to_thread(conversations.update_payload, user.id, message_id, {"actions": actions})
    eng = TurnEngine(user, msg["conversation_id"])
    st = TurnState(sink=sink)
    capability = action["capability"]
    try:
        failure = await _run(eng, st, action, edits)
    except TurnFailed as exc:
        failure = str(exc)
    except DatabaseUnavailable as exc:
        failure = exc.user_message
    if failure is None:
        action["status"] = "done"
    else:
        action["status"] = "failed"
        await st.fail(capability, failure)
    await asyncio.to_thread(mark_card, user.id, message_id, actions, action_id, action["status"], edits)
    await st.emit()
    return st.turn


async def _run(eng: TurnEngine, st: TurnState, action: dict[str, Any], edits: dict[str, str]) -> str | None:
    """Run the action's tool; None when it succeeded, else what went wrong."""
    capability = action["capability"]
    tool = await eng.tools.get(action["tool"])
    if tool is None:
        return TOOL_GONE
    chip = await st.chip(replies.action_label(capability), capability)
    canonical = {**(action.get("canonical") or {}), **apply_edits(capability, edits)}
    result: ToolResult
    if action.get("raw") is not None:
        result = await eng.tools.run_edited(tool, action["raw"], apply_edits(capability, edits))
    else:
        result = await eng.tools.run(capability, canonical, tool)
    st.end_chip(chip, result.ok)
    if not result.ok:
        return result.error_message or "The tool reported an error."
    st.turn.cards.extend(cardlib.cards_from_result(result))
    reply = done_reply(capability, canonical, result)
    if action.get("then_log"):
        reply += " " + await _log_waiting_email(eng, st, action["then_log"], result.data or {})
    await st.say(reply)
    st.turn.status = "done"
    return None


async def _log_waiting_email(eng: TurnEngine, st: TurnState, card: dict[str, str], created: dict[str, Any]) -> str:
    """Log the email a new contact was created for; what happened, as a sentence for the reply."""
    chip = await st.chip(replies.action_label("crm.log_email"), "crm.log_email")
    logged = await log_after_create(eng.tools, crm_registry(), eng.tools.ctx, card, created)
    st.end_chip(chip, logged.ok)
    if not logged.ok:
        return (f"Logging “{card.get('title', '')}” failed: {logged.error_message or 'the CRM reported an error.'} "
                "Use Log to CRM on the email card to try again.")
    return f"I logged “{card.get('title', '')}” to the new contact's timeline."


def cancel_action(user: SignedInUser, message_id: int, action_id: str) -> None:
    msg = conversations.get_message(user.id, message_id)
    actions = msg.get("actions") or {}
    if action_id in actions and actions[action_id].get("status") == "pending":
        actions[action_id]["status"] = "cancelled"
        mark_card(user.id, message_id, actions, action_id, "cancelled", {})


def mark_card(user_id: int, message_id: int, actions: dict[str, Any], action_id: str, status: str,
              edits: dict[str, str]) -> None:
    """Store the actions and show `status` (and the user's edits) on the action's confirmation card."""
    msg = conversations.get_message(user_id, message_id)
    cards = msg.get("cards") or []
    for c in cards:
        if c.get("kind") == "confirm" and c.get("id") == action_id:
            c["status"] = status
            for k, v in edits.items():
                if k in EDITABLE:
                    c[k] = v
    conversations.update_payload(user_id, message_id, {"actions": actions, "cards": cards})


def split_list(v: str) -> list[str]:
    return [x.strip() for x in re.split(r"[,;\n]+", v or "") if x.strip()]


def apply_edits(capability: str, edits: dict[str, str]) -> dict[str, Any]:
    """The user's edits to a card as canonical arguments."""
    out: dict[str, Any] = {}
    for k, v in edits.items():
        if k not in EDITABLE:
            continue
        if k in LIST_FIELDS:
            out[k] = split_list(v)
        elif k == "body" and capability in ("mail.reply", "mail.forward"):
            out["body"] = out["comment"] = v
        else:
            out[k] = v
    return out
