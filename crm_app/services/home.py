"""The home page after sign-in: open deals by stage, today's meetings and unread mail (through the user's
Microsoft 365 tool server, when connected), and the CRM's latest activity."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import select

from crm_app.db import session_scope
from crm_app.formatting import money, stage_label
from crm_app.microsoft.vault import connection_of
from crm_app.models import Activity, Company, Contact, Deal
from crm_app.services import crm
from crm_app.services.mcp_runtime import get_mcp_manager, ms365_config
from crm_app.settings import get_settings

logger = logging.getLogger(__name__)

OPEN_STAGES = ("lead", "qualified", "proposal", "negotiation")
DEFAULT_RECENT_ACTIVITY = 8
DEFAULT_MEETINGS = 10
INBOX = "inbox"


@dataclass
class Ms365Today:
    """Today's meetings and the inbox's unread count; `connected` False means nothing was asked."""

    connected: bool
    meetings: list[dict[str, str]] = field(default_factory=list)
    unread: int | None = None
    problem: str = ""


@dataclass
class Overview:
    pipeline: list[dict[str, str]]
    pipeline_total: str
    activity: list[dict[str, str]]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def overview(limit: int = DEFAULT_RECENT_ACTIVITY) -> Overview:
    """Open pipeline stages with counts and totals, and the newest activities with the record each belongs to."""
    board = crm.deal_board(limit_per_stage=0)
    pipeline = [{"stage": s, "label": stage_label(s), "count": str(board[s]["count"]), "total": board[s]["total"] or "—"}
                for s in OPEN_STAGES if s in board]
    with session_scope() as s:
        sums: dict[str, float] = {}
        for currency, amount in s.exec(select(Deal.currency, Deal.amount).where(Deal.stage.in_(OPEN_STAGES))).all():
            sums[currency] = sums.get(currency, 0) + float(amount or 0)
        rows = s.exec(select(Activity).order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit)).all()
        activity = [_activity_row(s, a) for a in rows]
    total = " · ".join(money(v, c) for c, v in sorted(sums.items())) or money(0, "USD")
    return Overview(pipeline=pipeline, pipeline_total=total, activity=activity)


def _activity_row(s, a: Activity) -> dict[str, str]:
    record, href = "", ""
    if a.deal_id and (d := s.get(Deal, a.deal_id)):
        record, href = d.title, f"/deals/{d.id}"
    elif a.contact_id and (c := s.get(Contact, a.contact_id)):
        record, href = f"{c.first_name} {c.last_name}".strip(), f"/contacts/{c.id}"
    elif a.company_id and (co := s.get(Company, a.company_id)):
        record, href = co.name, f"/companies/{co.id}"
    kind = a.kind.value if hasattr(a.kind, "value") else str(a.kind)
    when = a.occurred_at.isoformat() if a.occurred_at else ""
    return {"id": str(a.id), "kind": kind.capitalize(), "subject": a.subject or kind.capitalize(), "record": record,
            "href": href, "when": when}


async def ms365_today(user_id: int, time_zone: str) -> Ms365Today:
    """Today's meetings and unread mail from the user's Microsoft 365, or why they could not be read."""
    connection = await asyncio.to_thread(connection_of, user_id)
    if connection is None or not connection.usable or not get_settings().mcp_enabled:
        return Ms365Today(connected=False)
    tz = _zone(time_zone)
    today = dt.datetime.now(tz).date()
    manager, server = get_mcp_manager(), ms365_config()
    events, folders = await asyncio.gather(
        manager.call_tool(user_id, server, "outlook_get_calendar_events",
                          {"start": today.isoformat(), "end": today.isoformat(), "time_zone": tz.key,
                           "top": DEFAULT_MEETINGS}),
        manager.call_tool(user_id, server, "outlook_list_folders", {}),
    )
    out = Ms365Today(connected=True)
    if events.ok and events.structured:
        out.meetings = [_meeting(e) for e in events.structured.get("events") or [] if isinstance(e, dict)]
    if folders.ok and folders.structured:
        inbox = next((f for f in folders.structured.get("folders") or []
                      if isinstance(f, dict) and str(f.get("display_name", "")).lower() == INBOX), None)
        out.unread = int(inbox.get("unread_count") or 0) if inbox else None
    failed = [o for o in (events, folders) if not o.ok]
    if failed:
        out.problem = failed[0].error_message or "Microsoft 365 did not answer."
    return out


def _meeting(e: dict) -> dict[str, str]:
    return {"id": str(e.get("id") or ""), "subject": str(e.get("subject") or "(no title)"),
            "start": str(e.get("start") or ""), "end": str(e.get("end") or ""),
            "location": str(e.get("location") or ""), "link": str(e.get("web_link") or ""),
            "all_day": "true" if e.get("is_all_day") else ""}
