"""Who a turn runs for and with what: the user, their time zone, their tools; running a read with its chip."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_app.assistant import cards as cardlib
from crm_app.assistant import replies
from crm_app.assistant.intents import Plan
from crm_app.services import crm
from crm_app.services.assistant import context
from crm_app.services.assistant.registry import UserTools
from crm_app.services.assistant.turn import TurnFailed, TurnState
from crm_app.services.auth import SignedInUser
from crm_app.settings import get_settings
from crm_app.tools.base import ToolContext, ToolRegistry


def user_zone(user: SignedInUser) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or get_settings().default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass
class TurnEngine:
    """Runs turns for one user in one conversation."""

    user: SignedInUser
    conversation_id: int
    registry: ToolRegistry | None = None
    now: dt.datetime | None = None
    tz: ZoneInfo = field(init=False)
    tools: UserTools = field(init=False)

    def __post_init__(self) -> None:
        self.tz = user_zone(self.user)
        self.tools = UserTools(ToolContext(self.user.id, self.user.email, str(self.tz)), self.registry)

    @property
    def first_name(self) -> str:
        return self.user.name.split(" ")[0] if self.user.name else ""

    def current_time(self) -> dt.datetime:
        return self.now or context.clock(self.tz)

    async def run_read(self, st: TurnState, capability: str, canonical: dict[str, Any],
                       chip_label: str | None = None) -> list[dict[str, str]]:
        """Run one read tool with a progress chip; failures raise TurnFailed with the tool's own message."""
        chip = await st.chip(chip_label or replies.progress_label(capability), capability)
        result = await self.tools.run(capability, canonical)
        st.end_chip(chip, result.ok)
        if not result.ok:
            raise TurnFailed(result.error_message or "The tool reported an error.")
        st.last_data = result.data or {}
        return cardlib.cards_from_result(result)

    async def show(self, st: TurnState, capability: str, plan: Plan, found: list[dict[str, str]],
                   args: dict[str, Any], **reply_kw: Any) -> None:
        """Put found cards on the turn, remember them for follow-ups, and say what was found."""
        if capability.startswith("mail"):
            await mark_crm_senders(found)
        st.turn.cards.extend(found)
        st.turn.remember(found)
        await st.say(replies.results_reply(capability, plan, found, args, **reply_kw))


async def mark_crm_senders(found: list[dict[str, str]]) -> None:
    """Mark the email cards whose sender is a CRM contact."""
    known = await asyncio.to_thread(crm.contacts_by_emails, [c.get("from_address", "") for c in found])
    cardlib.mark_crm_contacts(found, known)
