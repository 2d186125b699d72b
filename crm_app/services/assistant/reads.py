"""Read intents: each handler runs its tools at once and shows what they found."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from crm_app.assistant import cards as cardlib
from crm_app.assistant import replies
from crm_app.assistant.intents import Intent, Plan
from crm_app.services.assistant.brief import read_meeting_brief
from crm_app.services.assistant.context import referenced
from crm_app.services.assistant.engine import TurnEngine, mark_crm_senders
from crm_app.services.assistant.people import resolve_sender
from crm_app.services.assistant.turn import Limits, TurnFailed, TurnState

SEARCH_TOP = 10
MAX_SEARCH_TOP = 50
FILE_QUERY_STOPWORDS = {"the", "my", "a", "an", "file", "document", "spreadsheet", "doc", "sheet"}

ReadHandler = Callable[[TurnEngine, TurnState, Plan], Awaitable[None]]


async def read_plain(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    """A read whose plan arguments go to the tool as they are."""
    found = await eng.run_read(st, plan.intent.value, dict(plan.args))
    await eng.show(st, plan.intent.value, plan, found, plan.args, has_more=bool(st.last_data.get("has_more")))


@dataclass
class MailSearch:
    """A mail search as run: the plan's arguments, the emails found (newest first), whether more match."""

    args: dict[str, Any]
    found: list[dict[str, str]]
    has_more: bool
    sender_label: str


async def search_mail(eng: TurnEngine, st: TurnState, plan_args: dict[str, Any]) -> MailSearch:
    """Run a mail search from canonical mail.search arguments (a sender may be a name or a company)."""
    args = dict(plan_args)
    senders, label = await resolve_sender(eng.tools, args)
    if args.get("sender_name") and not senders:
        args["query"] = " ".join(x for x in (args.get("query"), args["sender_name"]) if x)
    canonical = {k: args.get(k) for k in ("query", "start", "end", "folder", "unread_only")}
    wanted = min(args.get("top") or SEARCH_TOP, MAX_SEARCH_TOP)
    canonical["top"] = MAX_SEARCH_TOP if args.get("has_attachments") else wanted
    if len(senders) <= 1:
        found = await eng.run_read(st, "mail.search", {**canonical, "sender": senders[0] if senders else None})
        has_more = bool(st.last_data.get("has_more"))
    else:
        found, has_more = await _search_each_sender(eng, st, canonical, senders)
    if args.get("has_attachments"):  # the tools take no such filter; each card says whether its email has any
        found = [card for card in found if card.get("has_attachments")][:wanted]
    return MailSearch(args, found, has_more, label)


async def read_mail_search(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    if plan.args.get("more"):
        await _read_more(eng, st, plan)
        return
    search = await search_mail(eng, st, plan.args)
    st.turn.search = {"args": dict(plan.args), "shown": len(search.found)}
    await eng.show(st, "mail.search", plan, search.found, search.args, has_more=search.has_more,
                   sender_label=search.sender_label)


async def _read_more(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    """The next page of the search shown last: the same search asked for more, without the emails shown."""
    previous = st.last_search
    if not previous:
        raise TurnFailed("I have no earlier email search in this conversation to continue. Search first, then say "
                         "“show more”.")
    shown = int(previous.get("shown") or 0)
    if shown >= MAX_SEARCH_TOP:
        raise TurnFailed(f"I can show at most {MAX_SEARCH_TOP} emails for one search. Narrow it down, for example "
                         "by sender or by date.")
    args = {**previous["args"], "top": shown + SEARCH_TOP}
    search = await search_mail(eng, st, args)
    page = search.found[shown:]
    st.turn.search = {"args": previous["args"], "shown": shown + len(page)}
    await eng.show(st, "mail.search", plan, page, search.args, has_more=search.has_more,
                   sender_label=search.sender_label, continued=True)


async def _search_each_sender(eng: TurnEngine, st: TurnState, canonical: dict[str, Any],
                              senders: list[str]) -> tuple[list[dict[str, str]], bool]:
    """One search per sender, merged newest first and cut to the requested count."""
    chip = await st.chip(replies.progress_label("mail.search"), "mail.search")
    try:
        calls = await asyncio.gather(*(eng.tools.call("mail.search", {**canonical, "sender": s}) for s in senders))
    except TurnFailed:
        st.end_chip(chip, False)
        raise
    results = [c.result for c in calls if c.result is not None]
    failed = [r for r in results if not r.ok]
    st.end_chip(chip, not failed)
    if failed:
        raise TurnFailed(failed[0].error_message or "The mail search failed.")
    st.limits = Limits(calls[0].tool.name, tuple(calls[0].plan.checked_here), tuple(calls[0].plan.unapplied))
    found = sorted((c for r in results for c in cardlib.cards_from_result(r)), key=lambda c: c.date,
                   reverse=True)
    has_more = len(found) > canonical["top"] or any((r.data or {}).get("has_more") for r in results)
    return found[: canonical["top"]], has_more


async def email_meant(eng: TurnEngine, st: TurnState, plan: Plan, verb: str) -> dict[str, Any]:
    """The email a reply or forward is about: one shown earlier, or the newest hit of the plan's search.

    A searched-for email is shown as a card above the proposal, so the user sees which one it is.
    """
    find = plan.args.get("find")
    if not find:
        return referenced(st, plan)
    search = await search_mail(eng, st, {**find, "top": 1})
    if not search.found:
        raise TurnFailed(f"I found no {replies.describe_search(plan, search.args, search.sender_label)} to {verb}. "
                         "Try a search first, then point at one of the results.")
    card = search.found[0]
    await mark_crm_senders([card])
    st.turn.cards.append(card)
    st.turn.remember([card])
    return {"id": card["id"], "card": card}


async def read_mail_get(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    ref = await email_meant(eng, st, plan, "open") if plan.args.get("find") else referenced(st, plan)
    found = await eng.run_read(st, "mail.get", {"message_id": ref["id"]})
    await eng.show(st, "mail.get", plan, found, plan.args)


async def read_files_recent(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    found = await eng.run_read(st, "files.recent", {**plan.args, "recent": True})
    await eng.show(st, "files.recent", plan, found, plan.args)


async def read_files_read(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    file_id = await find_file(eng, st, plan.args)
    found = await eng.run_read(st, "files.read", {"item_id": file_id})
    await eng.show(st, "files.read", plan, found, plan.args)


async def read_teams_channels(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    team_id, _ = await find_team(eng, st, plan.args.get("team_name") or "")
    found = await eng.run_read(st, "teams.channels", {"team_id": team_id})
    await eng.show(st, "teams.channels", plan, found, plan.args)


async def read_sharepoint_list_files(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    sites = await eng.run_read(st, "sharepoint.sites", {"query": plan.args.get("site")}, "Finding the site…")
    if not sites:
        raise TurnFailed(f"I found no SharePoint site called “{plan.args.get('site', '')}”.")
    found = await eng.run_read(st, "sharepoint.list_files", {"site_id": sites[0]["id"]})
    await eng.show(st, "sharepoint.list_files", plan, found, plan.args)


def close_dates(args: dict[str, Any], tz: dt.tzinfo) -> dict[str, str]:
    """A plan's start/end (times, end exclusive) as the deal close-date bounds of the CRM search, in local dates."""
    bounds: dict[str, str] = {}
    for key, bound in (("start", "close_from"), ("end", "close_before")):
        try:
            when = dt.datetime.fromisoformat(str(args[key])).astimezone(tz) if args.get(key) else None
        except ValueError:
            when = None
        if when is None:
            continue
        day = when.date()
        if key == "end" and when.time() != dt.time(0, 0):
            day += dt.timedelta(days=1)
        bounds[bound] = day.isoformat()
    return bounds


async def read_crm_search(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    a = plan.args
    args = {"entity": a.get("entity") or "all", "query": a.get("query") or a.get("company") or "", "stage": a.get("stage"),
            **close_dates(a, eng.tz)}
    await _crm_read(eng, st, plan, "crm_search", args, "The CRM search failed.")


async def read_crm_get(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    args = {"entity": plan.args.get("entity"), "ref": plan.args.get("ref")}
    await _crm_read(eng, st, plan, "crm_get_record", args, "I couldn't open that record.")


async def _crm_read(eng: TurnEngine, st: TurnState, plan: Plan, tool_name: str, args: dict[str, Any],
                    failure: str) -> None:
    capability = plan.intent.value
    chip = await st.chip(replies.progress_label(capability), capability)
    result = await eng.tools.execute(tool_name, args)
    st.end_chip(chip, result.ok)
    if not result.ok:
        raise TurnFailed(result.error_message or failure)
    await eng.show(st, capability, plan, cardlib.cards_from_result(result), plan.args)


READ_HANDLERS: dict[Intent, ReadHandler] = {
    Intent.MAIL_SEARCH: read_mail_search,
    Intent.MAIL_GET: read_mail_get,
    Intent.FILES_RECENT: read_files_recent,
    Intent.FILES_READ: read_files_read,
    Intent.TEAMS_CHANNELS: read_teams_channels,
    Intent.SHAREPOINT_LIST_FILES: read_sharepoint_list_files,
    Intent.CRM_SEARCH: read_crm_search,
    Intent.CRM_GET: read_crm_get,
    Intent.CALENDAR_BRIEF: read_meeting_brief,
}


def read_handler(intent: Intent) -> ReadHandler:
    """The handler for a read intent; intents without their own pass the plan's arguments through."""
    return READ_HANDLERS.get(intent, read_plain)


# ---- finding the thing a request is about
async def find_file(eng: TurnEngine, st: TurnState, args: dict[str, Any]) -> str:
    """The id of the file a request means: an earlier result, or the best match of a OneDrive search."""
    ref = args.get("ref")
    if ref:
        return referenced(st, Plan(Intent.FILES_READ, {"ref": ref}), "file")["id"]
    query = args.get("file_query") or args.get("query") or ""
    if not query:
        raise TurnFailed("Say which file you mean, for example “the budget spreadsheet”.")
    found = await eng.run_read(st, "files.search", {"query": file_query(query)}, "Finding the file…")
    if not found:
        raise TurnFailed(f"I found no file matching “{query}” in your OneDrive.")
    st.found_file = found[0]
    return found[0]["id"]


async def find_team(eng: TurnEngine, st: TurnState, name: str) -> tuple[str, str]:
    """(id, name) of the team a request means."""
    teams = await eng.run_read(st, "teams.list", {}, "Finding the team…")
    match = [t for t in teams if name and name.lower() in t["title"].lower()] or (teams if len(teams) == 1 else [])
    if not match:
        raise TurnFailed(f"I couldn't find a team called “{name}”." if name else "Say which team you mean.")
    return match[0]["id"], match[0]["title"]


def file_query(text: str) -> str:
    words = [w for w in re.split(r"\s+", text.strip()) if w.lower() not in FILE_QUERY_STOPWORDS]
    return " ".join(words) or text
