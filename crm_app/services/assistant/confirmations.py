"""Confirm or cancel a proposed action, and keep its card in step."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from crm_app.assistant import cards as cardlib
from crm_app.assistant import replies
from crm_app.assistant.card_model import Card
from crm_app.db import DatabaseUnavailable
from crm_app.mcp.tool_errors import parse_tool_error
from crm_app.services import conversations
from crm_app.services.assistant.context import save_reply
from crm_app.services.assistant.crm_proposals import log_after_create
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.registry import crm_registry
from crm_app.services.assistant.turn import Action, Sink, Turn, TurnFailed, TurnState, no_sink
from crm_app.services.assistant.wording import done_reply
from crm_app.services.auth import SignedInUser
from crm_app.services.errors import NotFound
from crm_app.tools.base import ToolResult

log = logging.getLogger(__name__)

EDITABLE = ("to", "cc", "subject", "body", "start", "end", "attendees", "location", "message", "text", "recipients", "stage", "due")
LIST_FIELDS = ("to", "cc", "attendees", "recipients")
CLAIMABLE = ("pending", "retryable")
REFUSED_STATUSES = frozenset({429, 503})
CONFIRM_AGAIN = " Nothing was done: press Confirm on the card again when you are ready."
ALREADY_HANDLED = "That action was already handled."
UNEXPECTED = ("Something went wrong on our side while doing this, so it may not have happened. "
              "Check before you ask again.")
TOOL_GONE = "The tool for this action is no longer available. Check Settings → Microsoft 365."


async def confirm_action(user: SignedInUser, message_id: int, action_id: str, edits: dict[str, str] | None = None,
                         sink: Sink = no_sink) -> Turn:
    """Run a proposed action exactly once, with the user's edits, and record what happened.

    The action is claimed atomically first: of two confirmations of the same action, only one runs it. An
    action Microsoft 365 refused for now (throttled, unavailable) did not happen and can be confirmed again.
    """
    claimed = await asyncio.to_thread(conversations.move_action, user.id, message_id, action_id, "running",
                                      only_from=CLAIMABLE)
    if claimed is None:
        return Turn(text=ALREADY_HANDLED, status="done")
    action = Action.from_stored(claimed)
    edits = {**action.edits, **editable(edits or {})}
    eng = TurnEngine(user, claimed["conversation_id"])
    st = TurnState(sink=sink)
    st.turn.retry_text = action.request
    capability = action.capability
    try:
        status, failure = await _run(eng, st, action, edits)
    except TurnFailed as exc:
        status, failure = "failed", str(exc)
    except DatabaseUnavailable as exc:
        status, failure = "failed", exc.user_message
    except Exception:
        log.exception("confirmed action %s failed", capability)
        status, failure = "failed", UNEXPECTED
    if failure:
        await st.fail(capability, failure + (CONFIRM_AGAIN if status == "retryable" else ""))
    st.turn.action_status = status
    await _record(user.id, message_id, action_id, status, edits)
    await st.emit()
    return st.turn


async def _record(user_id: int, message_id: int, action_id: str, status: str, edits: dict[str, str]) -> None:
    """Store how the action ended; when the database is down the reply still reaches the user."""
    try:
        await asyncio.to_thread(conversations.move_action, user_id, message_id, action_id, status, card_changes=edits,
                                action_changes={"edits": edits})
    except DatabaseUnavailable:
        log.warning("could not record that action %s ended %s", action_id, status)


async def _run(eng: TurnEngine, st: TurnState, action: Action, edits: dict[str, str]) -> tuple[str, str]:
    """Run the action's tool: its new status, and what went wrong ("" when it succeeded)."""
    capability = action.capability
    tool = await eng.tools.get(action.tool)
    if tool is None:
        return "failed", TOOL_GONE
    chip = await st.chip(replies.action_label(capability), capability)
    canonical = {**(action.canonical or {}), **apply_edits(capability, edits)}
    result: ToolResult
    if action.raw is not None:
        result = await eng.tools.run_edited(tool, action.raw, apply_edits(capability, edits))
    else:
        result = await eng.tools.run(capability, canonical, tool)
    st.end_chip(chip, result.ok)
    if not result.ok:
        return ("retryable" if refused_for_now(result) else "failed"), result.error_message or "The tool reported an error."
    st.turn.cards.extend(cardlib.cards_from_result(result))
    reply = done_reply(capability, canonical, result)
    if action.then_log:
        reply += " " + await _log_waiting_email(eng, st, Card.from_dict(action.then_log), result.data or {})
    await st.say(reply)
    st.turn.status = "done"
    return "done", ""


def refused_for_now(result: ToolResult) -> bool:
    """Microsoft 365 refused the call (throttled, or unavailable) before doing anything, so it may be sent again."""
    return parse_tool_error(result.text).status in REFUSED_STATUSES


async def confirm_and_reply(user: SignedInUser, conversation_id: int, message_id: int, action_id: str,
                            edits: dict[str, str] | None = None, sink: Sink = no_sink) -> Turn:
    """Confirm an action (see `confirm_action`) and keep the reply in the conversation.

    Raises only when nothing ran (the action is gone, or the database is down before the claim).
    """
    turn = await confirm_action(user, message_id, action_id, edits, sink)
    try:
        await asyncio.to_thread(save_reply, user.id, conversation_id, turn)
    except (NotFound, DatabaseUnavailable):
        log.warning("the reply to action %s was shown but not saved", action_id)
    return turn


async def _log_waiting_email(eng: TurnEngine, st: TurnState, card: Card, created: dict[str, Any]) -> str:
    """Log the email a new contact was created for; what happened, as a sentence for the reply."""
    chip = await st.chip(replies.action_label("crm.log_email"), "crm.log_email")
    logged = await log_after_create(eng.tools, crm_registry(), eng.tools.ctx, card, created)
    st.end_chip(chip, logged.ok)
    if not logged.ok:
        return (f"Logging “{card.title}” failed: {logged.error_message or 'the CRM reported an error.'} "
                "Use Log to CRM on the email card to try again.")
    return f"I logged “{card.title}” to the new contact's timeline."


def cancel_action(user: SignedInUser, message_id: int, action_id: str) -> None:
    """Cancel a proposed action that has not run; an action already claimed or gone is left as it is."""
    msg = conversations.get_message(user.id, message_id)
    if action_id in (msg.get("actions") or {}):
        conversations.move_action(user.id, message_id, action_id, "cancelled", only_from=CLAIMABLE)


def editable(edits: dict[str, str]) -> dict[str, str]:
    """The user's edits a confirmation card shows."""
    return {k: v for k, v in edits.items() if k in EDITABLE}


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
