"""Confirm or cancel a proposed action, and keep its card in step."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from crm_app.assistant import cards as cardlib
from crm_app.assistant import replies
from crm_app.db import DatabaseUnavailable
from crm_app.services import conversations
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.turn import Sink, Turn, TurnFailed, TurnState, no_sink
from crm_app.services.assistant.wording import done_reply
from crm_app.services.auth import SignedInUser
from crm_app.tools.base import ToolResult

EDITABLE = ("to", "cc", "subject", "body", "start", "end", "attendees", "location", "message", "text", "recipients", "stage", "due")
LIST_FIELDS = ("to", "cc", "attendees", "recipients")
CLAIMABLE = ("pending",)
ALREADY_HANDLED = "That action was already handled."
TOOL_GONE = "The tool for this action is no longer available. Check Settings → Microsoft 365."


async def confirm_action(user: SignedInUser, message_id: int, action_id: str, edits: dict[str, str] | None = None,
                         sink: Sink = no_sink) -> Turn:
    """Run a proposed action exactly once, with the user's edits, and record what happened.

    The action is claimed atomically first: of two confirmations of the same action, only one runs it.
    """
    edits = edits or {}
    action = await asyncio.to_thread(conversations.move_action, user.id, message_id, action_id, "running",
                                     only_from=CLAIMABLE)
    if action is None:
        return Turn(text=ALREADY_HANDLED, status="done")
    eng = TurnEngine(user, action["conversation_id"])
    st = TurnState(sink=sink)
    capability = action["capability"]
    try:
        failure = await _run(eng, st, action, edits)
    except TurnFailed as exc:
        failure = str(exc)
    except DatabaseUnavailable as exc:
        failure = exc.user_message
    status = "done" if failure is None else "failed"
    if failure is not None:
        await st.fail(capability, failure)
    await asyncio.to_thread(conversations.move_action, user.id, message_id, action_id, status,
                            card_changes=editable(edits))
    await st.emit()
    return st.turn


async def _run(eng: TurnEngine, st: TurnState, action: dict[str, Any], edits: dict[str, str]) -> str | None:
    """Run the action's tool; None when it succeeded, else what went wrong."""
    capability = action["capability"]
    tool = await eng.tools.get(action["tool"])
    if tool is None:
        return TOOL_GONE
    chip = await st.chip(replies.failure_what(capability) + "…")
    canonical = {**(action.get("canonical") or {}), **apply_edits(capability, edits)}
    result: ToolResult
    if action.get("raw") is not None:
        result = await eng.tools.run_edited(tool, action["raw"], apply_edits(capability, edits))
    else:
        result = await eng.tools.run(capability, canonical, tool)
    chip["state"] = "done" if result.ok else "failed"
    if not result.ok:
        return result.error_message or "The tool reported an error."
    st.turn.cards.extend(cardlib.cards_from_result(result))
    await st.say(done_reply(capability, canonical, result))
    st.turn.status = "done"
    return None


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
        elif k == "body" and capability == "mail.reply":
            out["body"] = out["comment"] = v
        else:
            out[k] = v
    return out
