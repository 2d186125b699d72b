"""What a turn starts from: the clock, the conversation so far, the parser's context, earlier results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from crm_app.assistant.card_model import Card
from crm_app.assistant.intents import ParseContext, Plan, ResultRef
from crm_app.assistant.parser import parse
from crm_app.services import conversations
from crm_app.services.assistant.turn import Turn, TurnFailed, TurnState
from crm_app.services.directory import CrmDirectory

REF_KINDS = ("email", "event", "file", "site", "team", "crm")


def clock(tz: ZoneInfo) -> dt.datetime:
    """The current time in the user's zone (the parser resolves "today", "next Monday" against it)."""
    return dt.datetime.now(tz)


@dataclass(frozen=True)
class History:
    """What a turn starts from: the last reply's results and the mail search behind them, what the user said."""

    results: list[dict[str, Any]]
    search: dict[str, Any]
    said: list[str]
    question: dict[str, Any]


def history(user_id: int, conversation_id: int) -> History:
    """The results of the last reply that had any (with its mail search), and what the user said so far."""
    msgs = conversations.messages(user_id, conversation_id, limit=20)
    last = next((m for m in reversed(msgs) if m["role"] == "assistant" and m.get("results")), {})
    said = [m["content"] for m in msgs if m["role"] == "user"]
    latest = next((m for m in reversed(msgs) if m["role"] == "assistant"), {})
    return History(list(last.get("results") or []), dict(last.get("search") or {}), said,
                   dict(latest.get("question") or {}))


def open_turn(user_id: int, conversation_id: int, text: str) -> History:
    """Save the user's message and read what its turn starts from (one trip off the event loop)."""
    conversations.append(user_id, conversation_id, "user", text)
    return history(user_id, conversation_id)


def save_reply(user_id: int, conversation_id: int, turn: Turn) -> None:
    """Keep the assistant's reply in the conversation; the turn learns its message id."""
    saved = conversations.append(user_id, conversation_id, "assistant", turn.text, turn.payload())
    turn.message_id = saved["id"]


def plan_for(text: str, now: dt.datetime, tz: ZoneInfo, last_results: list[dict[str, Any]], said: list[str]) -> Plan:
    """The offline parser's plan for `text`, follow-ups resolved against the last results.

    `said` may already end with `text` (the message is saved before its turn runs); the parser's history is
    what was said before it, so that an answer to the parser's question is read against that question.
    """
    if said and said[-1] == text:
        said = said[:-1]
    refs = [ResultRef(kind=r["kind"], id=r["id"], label=r.get("label", ""), preview_only=bool(r.get("preview_only")),
                      sender=sender_of(r.get("card") or {}), date=(r.get("card") or {}).get("date", ""))
            for r in last_results if r.get("kind") in REF_KINDS]
    ctx = ParseContext(now=now, tz=tz, directory=CrmDirectory(), last_results=refs, history=said[-6:])
    return parse(text, ctx)


def sender_of(card: Mapping[str, str]) -> str:
    """An email card's sender as "Name <address>" (or whichever of the two it has)."""
    name, address = card.get("from_name", ""), card.get("from_address", "")
    if name and address:
        return f"{name} <{address}>"
    return address or name


def llm_history(user_id: int, conversation_id: int) -> list[dict[str, Any]]:
    """Earlier turns for the model: what was said, and the fenced data each reply was based on."""
    from crm_app.assistant.grounding import fence_cards

    msgs = conversations.messages(user_id, conversation_id, limit=12)[:-1]
    out: list[dict[str, Any]] = []
    for m in msgs:
        if m["role"] == "user":
            out.append({"role": "user", "content": m["content"]})
        else:
            data = [card for card in map(Card.from_dict, m.get("cards") or []) if card.kind != "confirm"]
            text = m["content"] + (f"\n\n{fence_cards(data)}" if data else "")
            out.append({"role": "assistant", "content": text})
    return out


def referenced(st: TurnState, plan: Plan, kind: str = "email") -> dict[str, Any]:
    """The earlier result the plan points at (by id, by position or as the only one of its kind)."""
    ref = plan.args.get("ref") or {}
    if plan.args.get("message_id"):
        return {"id": plan.args["message_id"]}
    index = ref.get("index")
    results = st.last_results
    matches = [r for r in results if r.get("kind") == kind]
    if ref.get("id"):
        for r in results:
            if r.get("id") == ref["id"]:
                return r
    if index is not None and 0 <= index < len(results) and results[index].get("kind") == kind:
        return results[index]
    if len(matches) == 1:
        return matches[0]
    raise TurnFailed(f"I'm not sure which {kind} you mean. Search again, then ask about one of the results.")
