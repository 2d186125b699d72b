"""The LLM backend's turn: the model calls tools, side effects become confirmation cards, the reply is verified."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from crm_app.assistant import cards as cardlib
from crm_app.assistant.card_model import Card
from crm_app.assistant.grounding import fence_cards, verify_reply
from crm_app.assistant.llm import LLMBackend, LLMResult, LLMUnavailable, Pending
from crm_app.services.assistant import context
from crm_app.services.assistant.engine import TurnEngine, mark_crm_senders
from crm_app.services.assistant.people import answered_recipients
from crm_app.services.assistant.proposals import add_confirmation
from crm_app.services.assistant.turn import TurnFailed, TurnState
from crm_app.services.assistant.wording import proposal_summary
from crm_app.tools.base import BaseTool


@dataclass
class ModelTurn:
    """One turn answered by the model; `execute` is what the model's tool calls run through."""

    eng: TurnEngine
    st: TurnState

    async def execute(self, name: str, args: dict[str, Any]) -> str | Pending:
        tool = await self.eng.tools.get(name)
        if tool is None:
            return f"Error: there is no tool named {name!r}."
        if tool.schema.side_effect:
            await self.propose(tool, args)
            return Pending()
        turn = self.st.turn
        chip = await self.st.chip(f"{tool.schema.title or tool.name.replace('_', ' ')}…")
        result = await self.eng.tools.execute(name, args)
        self.st.end_chip(chip, result.ok)
        if not result.ok:
            card = cardlib.error_card(tool.schema.title or tool.name, result.error_message or "The tool failed.")
            card.retry_text = turn.retry_text
            turn.cards.append(card)
            await self.st.emit()
            return fence_cards([card])
        found = cardlib.cards_from_result(result)
        await mark_crm_senders(found)
        turn.cards.extend(found)
        turn.remember([r["card"] for r in turn.results] + found)
        await self.st.emit()
        return fence_cards(found)

    async def propose(self, tool: BaseTool, args: dict[str, Any]) -> None:
        """A confirmation card for a side effect the model asked for, exactly as it asked."""
        summary = proposal_summary(tool, args)
        if not summary.get("to"):
            known = [*self.st.turn.cards, *self.st.earlier_cards()]
            answering = await answered_recipients(self.eng.user.id, args, known)
            if answering:
                summary["to"] = answering
        await add_confirmation(self.st, tool.name, tool.name, tool.schema.source, f"Run {tool.schema.title or tool.name}?",
                               summary, raw=dict(args))

    async def on_text(self, delta: str) -> None:
        self.st.turn.text += delta
        await self.st.emit()

    def context_line(self) -> str:
        user, now = self.eng.user, self.eng.current_time()
        return (f"Now: {now:%A %d %B %Y, %H:%M} ({self.eng.tz}). The user is {user.name} <{user.email}>. "
                "Dates you pass to tools are ISO-8601 with the user's UTC offset.")


async def run_model_turn(eng: TurnEngine, st: TurnState) -> None:
    """Answer the turn with the model, then check its reply against the data it was given."""
    backend = LLMBackend.from_settings()
    registry = await eng.tools.loaded()
    earlier = st.earlier_cards()
    history = await asyncio.to_thread(context.llm_history, eng.user.id, eng.conversation_id)
    model = ModelTurn(eng, st)
    line = model.context_line()
    try:
        result = await backend.run(history=history, user_text=st.user_text, tools=registry.schemas(),
                                   execute=model.execute, on_text=model.on_text, context=line)
    except LLMUnavailable as exc:
        raise TurnFailed(str(exc)) from exc
    data = earlier + [c for c in st.turn.cards if c.kind != "confirm"]
    trusted = [eng.user.name, eng.user.email, line, *(m["content"] for m in history if m["role"] == "user")]
    await _verify(backend, st, result, data, trusted)
    if any(c.kind == "error" for c in st.turn.cards):
        st.turn.status = "failed"


async def _verify(backend: LLMBackend, st: TurnState, result: LLMResult, data: list[Card],
                  trusted: list[str]) -> None:
    """Flag claims the data does not bear out, after asking the model once to correct them."""
    flags = verify_reply(result.text, data, user_text=st.user_text, trusted=trusted)
    if flags:
        try:
            corrected = await backend.correct(result, flags)
        except LLMUnavailable:
            corrected = result.text
        st.turn.text = corrected
        flags = verify_reply(corrected, data, user_text=st.user_text, trusted=trusted)
    st.turn.flags = [f"{f.value} — {f.reason}" for f in flags]
