"""The chat's use cases: send a message and run its turn, offer a contact, log an email card."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from crm_app.assistant import replies
from crm_app.assistant.card_model import Card
from crm_app.assistant.intents import Intent, Plan, is_side_effect
from crm_app.db import DatabaseUnavailable
from crm_app.services.assistant import context
from crm_app.services.assistant.crm_proposals import email_to_log, log_args
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.llm_turn import run_model_turn
from crm_app.services.assistant.proposals import answered, propose
from crm_app.services.assistant.reads import read_handler
from crm_app.services.assistant.steps import run_steps
from crm_app.services.assistant.registry import crm_registry
from crm_app.services.assistant.tool_use import use_tool
from crm_app.services.assistant.turn import MAX_MESSAGE_CHARS, Sink, Turn, TurnFailed, TurnState, no_sink
from crm_app.services.auth import SignedInUser
from crm_app.settings import get_settings
from crm_app.tools.base import ToolContext, ToolRegistry

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on our side while handling this message."


def _help(eng: TurnEngine, plan: Plan) -> str:
    return replies.help_reply(plan)


def _greeting(eng: TurnEngine, plan: Plan) -> str:
    return f"Hello {eng.first_name}! " + replies.help_reply(plan)


def _clarify(eng: TurnEngine, plan: Plan) -> str:
    q = plan.question or "Could you say a little more?"
    if plan.options:
        q += "\n" + "\n".join(f"• {o}" for o in plan.options)
    return q


DIRECT_REPLIES: dict[Intent, Callable[[TurnEngine, Plan], str]] = {
    Intent.HELP: _help,
    Intent.GREETING: _greeting,
    Intent.CLARIFY: _clarify,
    Intent.UNSUPPORTED: lambda eng, plan: replies.unsupported_reply(plan),
}


async def execute_plan(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    """Answer a plan: a reply without tools, a confirmation card for a side effect, or a read."""
    st.capability = plan.intent.value
    direct = DIRECT_REPLIES.get(plan.intent)
    if direct is not None:
        await st.say(direct(eng, plan))
    elif plan.intent == Intent.TOOL_USE:
        await use_tool(eng, st, plan)
    elif plan.intent == Intent.STEPS:
        await run_steps(eng, st, plan)
    elif is_side_effect(plan.intent):
        await propose(eng, st, plan)
    else:
        await read_handler(plan.intent)(eng, st, plan)


async def handle(eng: TurnEngine, text: str, earlier: context.History, sink: Sink = no_sink,
                 plan: Plan | None = None) -> Turn:
    """Run one turn for `text`, which follows `earlier`; every failure ends as an error card the user can retry."""
    st = TurnState(sink=sink, user_text=text[:MAX_MESSAGE_CHARS])
    st.turn.retry_text = st.user_text
    try:
        await _answer(eng, st, earlier, plan)
    except TurnFailed as exc:
        await st.fail(st.capability, str(exc))
    except DatabaseUnavailable as exc:
        await st.fail("request", exc.user_message)
    except Exception:
        log.exception("chat turn failed")
        await st.fail("request", UNEXPECTED)
    return await st.finish()


async def _answer(eng: TurnEngine, st: TurnState, earlier: context.History, plan: Plan | None) -> None:
    st.last_results, st.last_search, said = earlier.results, earlier.search, earlier.said
    if get_settings().llm_enabled and plan is None:
        await run_model_turn(eng, st)
        return
    if plan is None and earlier.question:
        plan = answered(earlier.question, st.user_text)
    if plan is None:
        plan = await asyncio.to_thread(context.plan_for, st.user_text, eng.current_time(), eng.tz, st.last_results, said)
    await execute_plan(eng, st, plan)


async def send_message(user: SignedInUser, conversation_id: int, text: str, sink: Sink = no_sink,
                       registry: ToolRegistry | None = None, plan: Plan | None = None) -> Turn:
    """Save the user's message, run the turn, save the reply; the sink sees every intermediate state.

    `plan` skips parsing for actions the UI already knows exactly (a card's "Show full email").
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("empty message")
    earlier = await asyncio.to_thread(context.open_turn, user.id, conversation_id, text[:MAX_MESSAGE_CHARS])
    eng = TurnEngine(user, conversation_id, registry=registry)
    turn = await handle(eng, text, earlier, sink, plan)
    await asyncio.to_thread(context.save_reply, user.id, conversation_id, turn)
    return turn


async def open_email(user: SignedInUser, conversation_id: int, text: str, message_id: str, sink: Sink = no_sink) -> Turn:
    """A card's "Show full email": fetch that email's full body, without parsing `text` (what the chat shows)."""
    plan = Plan(Intent.MAIL_GET, {"message_id": message_id})
    return await send_message(user, conversation_id, text, sink=sink, plan=plan)


def mode_label() -> str:
    """Which assistant answers: the configured model, or the offline one."""
    model = get_settings().llm_model
    return f"Model: {model}" if model else "Offline assistant"


async def offer_contact(user: SignedInUser, conversation_id: int, shown: Mapping[str, Any], sink: Sink = no_sink
                        ) -> Turn:
    """"Log to CRM" on an email from someone not in the CRM: propose creating the contact first."""
    card = Card.from_dict(shown)
    name = card.from_name or card.from_address.split("@")[0]
    first, _, last = name.partition(" ")
    fields = {"first_name": first, "last_name": last, "emails": [card.from_address]}
    plan = Plan(Intent.CRM_CREATE, {"entity": "contact", "fields": fields, "then_log": card.to_dict()})
    return await send_message(user, conversation_id, f"Log “{card.title}” to the CRM", sink=sink, plan=plan)


async def log_email_card(user: SignedInUser, shown: Mapping[str, Any]) -> dict[str, Any]:
    """The email card's "Log to CRM" button: file it (its full body) on the matching contact, or say none matches."""
    email = await email_to_log(TurnEngine(user, 0).tools, Card.from_dict(shown))
    result = await crm_registry().execute("crm_log_email", ToolContext(user.id, user.email), log_args(email))
    return asdict(result)

