"""Who a turn runs for and with what: the user, their time zone, their tools; running a read with its chip."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_app.assistant import cards as cardlib
from crm_app.assistant import grounding, replies
from crm_app.assistant.intents import Plan
from crm_app.services import crm
from crm_app.services.assistant import context
from crm_app.services.assistant.registry import UserTools
from crm_app.services.assistant.turn import Limits, TurnFailed, TurnState
from crm_app.services.auth import SignedInUser
from crm_app.settings import get_settings
from crm_app.tools.base import ToolContext, ToolRegistry, ToolResult
from crm_app.tools.calls import result_data

log = logging.getLogger(__name__)


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
        try:
            call = await self.tools.call(capability, canonical)
        except TurnFailed:
            st.end_chip(chip, False)
            raise
        result = cast(ToolResult, call.result)
        st.limits = Limits(call.tool.name, tuple(call.plan.checked_here), tuple(call.plan.unapplied))
        st.end_chip(chip, result.ok)
        if not result.ok:
            raise TurnFailed(result.error_message or "The tool reported an error.")
        st.last_data = result_data(result) or {}
        if st.last_data.get("@odata.nextLink"):
            st.last_data = {**st.last_data, "has_more": True}
        return cardlib.cards_from_result(result)

    async def show(self, st: TurnState, capability: str, plan: Plan, found: list[dict[str, str]],
                   args: dict[str, Any], **reply_kw: Any) -> None:
        """Put found cards on the turn, remember them for follow-ups, and say what was found."""
        if capability.startswith("mail"):
            await mark_crm_senders(found)
        st.turn.cards.extend(found)
        st.turn.remember(found)
        await st.say(honest_reply(st, capability, plan, found, args, **reply_kw))


def honest_reply(st: TurnState, capability: str, plan: Plan, found: list[dict[str, str]], args: dict[str, Any],
                 **reply_kw: Any) -> str:
    """The results reply, stating only the filters that were applied and saying plainly which were not."""
    limits = st.limits
    label = reply_kw.get("sender_label", "")
    shown = {k: v for k, v in args.items() if k not in limits.unapplied}
    if "sender" in limits.unapplied:
        reply_kw["sender_label"] = ""
    text = replies.results_reply(capability, plan, found, shown, **reply_kw)
    reply = f"{text} {replies.limits_note(limits.tool, limits.checked_here, limits.unapplied, args)}".strip()
    claimed = grounding.unapplied_filter_claims(reply, replies.filter_claims(args, label, limits.unapplied))
    if claimed:
        log.warning("results reply stated filters that were not applied: %s", ", ".join(claimed))
        st.turn.flags.append("unapplied_filter")
    return reply


async def mark_crm_senders(found: list[dict[str, str]]) -> None:
    """Mark the email cards whose sender is a CRM contact."""
    known = await asyncio.to_thread(crm.contacts_by_emails, [c.get("from_address", "") for c in found])
    cardlib.mark_crm_contacts(found, known)
