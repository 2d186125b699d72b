"""One chat turn: understand the message, run read tools, propose side effects for confirmation, reply.

The flow (see the design doc): the backend (offline parser, or an LLM with tool calling) turns the
message into a plan; read tools run at once; a side-effecting tool becomes a confirmation card and
runs only when the user confirms it; tool results become typed cards; a failed tool yields an honest
error card; every call is audited by the MCP client manager.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_app.assistant import cards as cardlib
from crm_app.assistant import replies
from crm_app.assistant.intents import Intent, ParseContext, Plan, ResultRef, is_side_effect
from crm_app.assistant.parser import parse
from crm_app.db import DatabaseUnavailable
from crm_app.services import conversations, crm
from crm_app.services.auth import SignedInUser
from crm_app.services.directory import CrmDirectory
from crm_app.services.errors import NotFound, ValidationFailed
from crm_app.settings import get_settings
from crm_app.tools.base import BaseTool, ToolContext, ToolRegistry, ToolResult
from crm_app.tools.crm_tools import crm_tools
from crm_app.tools.discovery import ARG_SYNONYMS, find_tool, map_arguments, parse_overrides

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SEARCH_TOP = 10
EMAIL_ID_ARGUMENTS = ("message_id", "email_id", "messageid")
MAX_MESSAGE_CHARS = 8000
CRM_INTENT_TOOL = {
    Intent.CRM_DEAL_MOVE: "crm_move_deal",
    Intent.CRM_NOTE_ADD: "crm_add_note",
    Intent.CRM_TASK_ADD: "crm_add_task",
    Intent.CRM_DELETE: "crm_delete_record",
    Intent.CRM_UPDATE: "crm_update_record",
    Intent.CRM_LOG_EMAIL: "crm_log_email",
}
CREATE_TOOL = {"contact": "crm_create_contact", "company": "crm_create_company", "deal": "crm_create_deal"}
MS365_AREA = {"mail": "mail", "calendar": "calendar", "files": "OneDrive", "sharepoint": "SharePoint", "teams": "Teams",
              "directory": "the directory"}


# ---------------------------------------------------------------- what the UI renders
@dataclass
class Turn:
    """One assistant message as it builds up: progress chips, cards, reply text, flags."""

    text: str = ""
    cards: list[dict[str, str]] = field(default_factory=list)
    chips: list[dict[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    retry_text: str = ""
    status: str = "working"
    message_id: int = 0

    def payload(self) -> dict[str, Any]:
        return {"cards": self.cards, "chips": self.chips, "flags": self.flags, "results": self.results,
                "actions": self.actions, "retry_text": self.retry_text, "status": self.status}


Sink = Callable[[Turn], Awaitable[None]]


async def _noop(_: Turn) -> None:
    return None


def clock(tz: ZoneInfo) -> dt.datetime:
    """The current time in the user's zone (the parser resolves "today", "next Monday" against it)."""
    return dt.datetime.now(tz)


class TurnFailed(Exception):
    """A step failed; the message is for the user."""


# ---------------------------------------------------------------- the registry for one user
def crm_registry() -> ToolRegistry:
    """The CRM tools, their calls written to the audit table."""
    from crm_app.services.mcp_runtime import DatabaseAuditSink

    registry = ToolRegistry(audit=DatabaseAuditSink())
    registry.register_all(crm_tools())
    return registry


async def build_registry(user_id: int) -> ToolRegistry:
    """CRM tools plus every tool the user's connected MCP servers offer right now."""
    from crm_app.services import mcp_runtime
    from crm_app.tools.mcp_adapter import add_mcp_tools

    registry = crm_registry()
    if not get_settings().mcp_enabled:
        registry.unavailable["mcp"] = mcp_runtime.connection_hint(user_id)
        return registry
    servers = await asyncio.to_thread(mcp_runtime.servers_for_user, user_id)
    if not servers:
        registry.unavailable["ms365"] = await asyncio.to_thread(mcp_runtime.connection_hint, user_id)
        return registry
    await add_mcp_tools(registry, mcp_runtime.get_mcp_manager(), user_id, servers)
    return registry


# ---------------------------------------------------------------- the engine
@dataclass
class TurnEngine:
    """Runs turns for one user in one conversation."""

    user: SignedInUser
    conversation_id: int
    sink: Sink = _noop
    registry: ToolRegistry | None = None
    now: dt.datetime | None = None
    fixed_plan: Plan | None = None

    def __post_init__(self) -> None:
        try:
            self.tz = ZoneInfo(self.user.timezone or get_settings().default_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.tz = ZoneInfo("UTC")
        self.ctx = ToolContext(self.user.id, self.user.email, str(self.tz))
        self.overrides = parse_overrides(get_settings().mcp_tool_overrides)
        self.turn = Turn()
        self.user_text = ""

    # ---- helpers
    async def _emit(self) -> None:
        await self.sink(self.turn)

    async def _registry(self) -> ToolRegistry:
        if self.registry is None:
            self.registry = await build_registry(self.user.id)
        return self.registry

    async def _chip(self, label: str) -> dict[str, str]:
        chip = {"label": label, "state": "running"}
        self.turn.chips.append(chip)
        await self._emit()
        return chip

    async def _say(self, text: str) -> None:
        """Show a reply composed in full (replies from a model stream as they arrive, in `_run_llm`)."""
        self.turn.text = text
        await self._emit()

    def _history(self) -> tuple[list[dict[str, Any]], list[str]]:
        msgs = conversations.messages(self.user.id, self.conversation_id, limit=20)
        last_results: list[dict[str, Any]] = []
        for m in reversed(msgs):
            if m["role"] == "assistant" and m.get("results"):
                last_results = m["results"]
                break
        history = [m["content"] for m in msgs if m["role"] == "user"]
        return last_results, history

    async def tool_for(self, capability: str) -> BaseTool:
        registry = await self._registry()
        tool = find_tool(registry, capability, self.overrides)
        if tool is None:
            area = MS365_AREA.get(capability.split(".")[0], "that")
            reason = next(iter(registry.unavailable.values()), "")
            if reason:
                raise TurnFailed(reason)
            raise TurnFailed(f"None of your connected tool servers offers a way to work with {area} for this request.")
        return tool

    async def run_tool(self, capability: str, canonical: dict[str, Any], tool: BaseTool | None = None) -> ToolResult:
        tool = tool or await self.tool_for(capability)
        args, missing = map_arguments(tool, canonical)
        if missing:
            raise TurnFailed(f"The {tool.name} tool needs {', '.join(missing)}, which I couldn't work out from your message.")
        registry = await self._registry()
        return await registry.execute(tool.name, self.ctx, args)

    async def run_read(self, capability: str, canonical: dict[str, Any], chip_label: str | None = None) -> list[dict[str, str]]:
        """Run one read tool with a progress chip; failures raise TurnFailed with the tool's own message."""
        chip = await self._chip(chip_label or replies.progress_label(capability))
        try:
            result = await self.run_tool(capability, canonical)
        except TurnFailed:
            chip["state"] = "failed"
            raise
        chip["state"] = "done" if result.ok else "failed"
        if not result.ok:
            raise TurnFailed(result.error_message or "The tool reported an error.")
        found = cardlib.cards_from_result(result)
        self._last_data = result.data or {}
        return found

    # ---- entry point
    async def handle(self, text: str) -> Turn:
        self.user_text = text[:MAX_MESSAGE_CHARS]
        self.turn.retry_text = self.user_text
        try:
            last_results, history = await asyncio.to_thread(self._history)
            self.last_results = last_results
            if get_settings().llm_enabled and self.fixed_plan is None:
                await self._run_llm()
                return await self._finish()
            plan = self.fixed_plan or await asyncio.to_thread(self._plan, self.user_text, last_results, history)
            await self._execute(plan)
        except TurnFailed as exc:
            await self._fail(getattr(self, "_capability", "request"), str(exc))
        except DatabaseUnavailable as exc:
            await self._fail("request", exc.user_message)
        except Exception:
            log.exception("chat turn failed")
            await self._fail("request", "Something went wrong on our side while handling this message.")
        return await self._finish()

    async def _finish(self) -> Turn:
        if self.turn.status == "working":
            self.turn.status = "done"
        await self._emit()
        return self.turn

    async def _fail(self, capability: str, message: str) -> None:
        card = cardlib.error_card(replies.failure_what(capability), message, retry_id=uuid.uuid4().hex)
        card["retry_text"] = self.turn.retry_text
        self.turn.cards.append(card)
        self.turn.status = "failed"
        for chip in self.turn.chips:
            if chip["state"] == "running":
                chip["state"] = "failed"
        await self._say(replies.failure_reply(capability, message))

    def _plan(self, text: str, last_results: list[dict[str, Any]], history: list[str]) -> Plan:
        refs = [ResultRef(kind=r["kind"], id=r["id"], label=r.get("label", ""), preview_only=bool(r.get("preview_only")))
                for r in last_results if r.get("kind") in ("email", "event", "file", "site", "team", "crm")]
        ctx = ParseContext(now=self.now or clock(self.tz), tz=self.tz, directory=CrmDirectory(),
                           last_results=refs, history=history[-6:])
        return parse(text, ctx)

    def _remember(self, found: list[dict[str, str]]) -> None:
        self.turn.results = [
            {"kind": c["kind"] if c["kind"] in ("email", "event", "file", "site", "team") else "crm",
             "id": c.get("id", ""), "label": c.get("title", ""), "preview_only": c.get("body_kind") == "preview",
             "card": c}
            for c in found if c.get("id")
        ]

    async def _show(self, capability: str, plan: Plan, found: list[dict[str, str]], args: dict[str, Any],
                    **reply_kw: Any) -> None:
        if capability.startswith("mail"):
            known = await asyncio.to_thread(crm.contacts_by_emails, [c.get("from_address", "") for c in found])
            cardlib.mark_crm_contacts(found, known)
        self.turn.cards.extend(found)
        self._remember(found)
        await self._say(replies.results_reply(capability, plan, found, args, **reply_kw))

    # ---- plans
    async def _execute(self, plan: Plan) -> None:
        intent = plan.intent
        self._capability = intent.value
        if intent == Intent.HELP or intent == Intent.GREETING:
            greeting = f"Hello {self.user.name.split(' ')[0]}! " if intent == Intent.GREETING else ""
            await self._say(greeting + replies.help_reply(plan))
            return
        if intent == Intent.CLARIFY:
            q = plan.question or "Could you say a little more?"
            if plan.options:
                q += "\n" + "\n".join(f"• {o}" for o in plan.options)
            await self._say(q)
            return
        if intent == Intent.UNSUPPORTED:
            await self._say(replies.unsupported_reply(plan))
            return
        if intent == Intent.MAIL_FORWARD:
            await self._say("I can't forward emails yet. I can reply to an email, or send a new one — both wait for your confirmation.")
            return
        if is_side_effect(intent):
            await self._propose(plan)
            return
        handler = getattr(self, f"_read_{intent.value.replace('.', '_')}", None)
        if handler is not None:
            await handler(plan)
            return
        found = await self.run_read(intent.value, dict(plan.args))
        await self._show(intent.value, plan, found, plan.args, has_more=bool(self._last_data.get("has_more")))

    async def _resolve_sender(self, args: dict[str, Any]) -> tuple[list[str], str]:
        """Sender addresses for a mail search, from an address, a CRM name or a company's contacts."""
        if args.get("sender"):
            return [args["sender"]], args["sender"]
        if args.get("sender_company"):
            people = await asyncio.to_thread(CrmDirectory().contacts_of_company, args["sender_company"])
            addresses = [e for p in people for e in p.emails]
            if not addresses:
                raise TurnFailed(f"I found no contacts with email addresses at {args['sender_company']} in the CRM.")
            return addresses, f"{args['sender_company']}'s contacts"
        if args.get("sender_name"):
            name = args["sender_name"]
            people = await asyncio.to_thread(CrmDirectory().find_contacts, name)
            if len(people) == 1 and people[0].email:
                return list(people[0].emails), people[0].name
            directory = await self._directory_lookup(name)
            if len(directory) == 1:
                return [directory[0][1]], directory[0][0]
            return [], name
        return [], ""

    async def _directory_lookup(self, name: str) -> list[tuple[str, str]]:
        """(name, address) pairs from the Microsoft 365 directory, when the user's server can look people up."""
        registry = await self._registry()
        tool = find_tool(registry, "directory.people", self.overrides)
        if tool is None:
            return []
        args, missing = map_arguments(tool, {"query": name})
        if missing:
            return []
        result = await registry.execute(tool.name, self.ctx, args)
        if not result.ok or not isinstance(result.data, dict):
            return []
        out = []
        for p in result.data.get("people") or result.data.get("value") or []:
            addr = p.get("address") or p.get("mail") or p.get("email")
            if addr:
                out.append((p.get("display_name") or p.get("displayName") or p.get("name") or addr, addr))
        return out

    async def _read_mail_search(self, plan: Plan) -> None:
        args = dict(plan.args)
        senders, label = await self._resolve_sender(args)
        if args.get("sender_name") and not senders:
            args["query"] = " ".join(x for x in (args.get("query"), args["sender_name"]) if x)
        canonical = {k: args.get(k) for k in ("query", "start", "end", "folder", "unread_only")}
        canonical["top"] = args.get("top") or SEARCH_TOP
        if len(senders) <= 1:
            found = await self.run_read("mail.search", {**canonical, "sender": senders[0] if senders else None})
            has_more = bool(self._last_data.get("has_more"))
        else:
            chip = await self._chip(replies.progress_label("mail.search"))
            results = await asyncio.gather(*(self.run_tool("mail.search", {**canonical, "sender": s}) for s in senders))
            failed = [r for r in results if not r.ok]
            if failed:
                chip["state"] = "failed"
                raise TurnFailed(failed[0].error_message or "The mail search failed.")
            chip["state"] = "done"
            found = sorted((c for r in results for c in cardlib.cards_from_result(r)), key=lambda c: c.get("date", ""),
                           reverse=True)
            has_more = len(found) > canonical["top"] or any((r.data or {}).get("has_more") for r in results)
            found = found[: canonical["top"]]
        await self._show("mail.search", plan, found, args, has_more=has_more, sender_label=label)

    def _ref(self, plan: Plan, kind: str = "email") -> dict[str, Any]:
        ref = plan.args.get("ref") or {}
        if plan.args.get("message_id"):
            return {"id": plan.args["message_id"]}
        index = ref.get("index")
        matches = [r for r in self.last_results if r.get("kind") == kind]
        if ref.get("id"):
            for r in self.last_results:
                if r.get("id") == ref["id"]:
                    return r
        if index is not None and 0 <= index < len(self.last_results) and self.last_results[index].get("kind") == kind:
            return self.last_results[index]
        if len(matches) == 1:
            return matches[0]
        raise TurnFailed(f"I'm not sure which {kind} you mean. Search again, then ask about one of the results.")

    async def _read_mail_get(self, plan: Plan) -> None:
        ref = self._ref(plan)
        found = await self.run_read("mail.get", {"message_id": ref["id"]})
        await self._show("mail.get", plan, found, plan.args)

    async def _read_files_recent(self, plan: Plan) -> None:
        found = await self.run_read("files.recent", {**plan.args, "recent": True})
        await self._show("files.recent", plan, found, plan.args)

    async def _read_files_read(self, plan: Plan) -> None:
        file_id = await self._find_file(plan.args)
        found = await self.run_read("files.read", {"item_id": file_id})
        await self._show("files.read", plan, found, plan.args)

    async def _read_teams_channels(self, plan: Plan) -> None:
        team_id, _ = await self._find_team(plan.args.get("team_name") or "")
        found = await self.run_read("teams.channels", {"team_id": team_id})
        await self._show("teams.channels", plan, found, plan.args)

    async def _read_sharepoint_list_files(self, plan: Plan) -> None:
        sites = await self.run_read("sharepoint.sites", {"query": plan.args.get("site")}, "Finding the site…")
        if not sites:
            raise TurnFailed(f"I found no SharePoint site called “{plan.args.get('site', '')}”.")
        found = await self.run_read("sharepoint.list_files", {"site_id": sites[0]["id"]})
        await self._show("sharepoint.list_files", plan, found, plan.args)

    async def _read_crm_search(self, plan: Plan) -> None:
        a = plan.args
        registry = await self._registry()
        chip = await self._chip(replies.progress_label("crm.search"))
        result = await registry.execute("crm_search", self.ctx, {"entity": a.get("entity") or "all",
                                                                   "query": a.get("query") or a.get("company") or "",
                                                                   "stage": a.get("stage")})
        chip["state"] = "done" if result.ok else "failed"
        if not result.ok:
            raise TurnFailed(result.error_message or "The CRM search failed.")
        await self._show("crm.search", plan, cardlib.cards_from_result(result), a)

    async def _read_crm_get(self, plan: Plan) -> None:
        a = plan.args
        registry = await self._registry()
        chip = await self._chip(replies.progress_label("crm.get"))
        result = await registry.execute("crm_get_record", self.ctx, {"entity": a.get("entity"), "ref": a.get("ref")})
        chip["state"] = "done" if result.ok else "failed"
        if not result.ok:
            raise TurnFailed(result.error_message or "I couldn't open that record.")
        await self._show("crm.get", plan, cardlib.cards_from_result(result), a)

    # ---- finding things for side effects
    async def _find_file(self, args: dict[str, Any]) -> str:
        ref = args.get("ref")
        if ref:
            return self._ref(Plan(Intent.FILES_READ, {"ref": ref}), "file")["id"]
        query = args.get("file_query") or args.get("query") or ""
        if not query:
            raise TurnFailed("Say which file you mean, for example “the budget spreadsheet”.")
        found = await self.run_read("files.search", {"query": _file_query(query)}, "Finding the file…")
        if not found:
            raise TurnFailed(f"I found no file matching “{query}” in your OneDrive.")
        self._found_file = found[0]
        return found[0]["id"]

    async def _find_team(self, name: str) -> tuple[str, str]:
        teams = await self.run_read("teams.list", {}, "Finding the team…")
        match = [t for t in teams if name and name.lower() in t["title"].lower()] or (teams if len(teams) == 1 else [])
        if not match:
            raise TurnFailed(f"I couldn't find a team called “{name}”." if name else "Say which team you mean.")
        return match[0]["id"], match[0]["title"]

    async def _resolve_people(self, addresses: list[str], names: list[str]) -> tuple[list[str], list[str]]:
        """Addresses for names (CRM first, then the Microsoft 365 directory); returns (addresses, unresolved)."""
        out = [a.lower() for a in addresses]
        unresolved = []
        for name in names:
            people = await asyncio.to_thread(CrmDirectory().find_contacts, name)
            if len(people) == 1 and people[0].email:
                out.append(people[0].email)
                continue
            if len(people) > 1:
                raise TurnFailed(f"“{name}” matches several contacts: " + "; ".join(p.label() for p in people[:5])
                                 + ". Say which one, or use the address.")
            found = await self._directory_lookup(name.removeprefix("the "))
            if found:
                out.append(found[0][1])
            else:
                unresolved.append(name)
        return list(dict.fromkeys(out)), unresolved

    # ---- side effects: proposals
    async def _propose(self, plan: Plan) -> None:
        intent, a = plan.intent, dict(plan.args)
        capability = intent.value
        summary: dict[str, str] = {}
        canonical: dict[str, Any] = {}
        tool_name = ""
        source = "crm"
        if intent in (Intent.MAIL_SEND, Intent.MAIL_DRAFT):
            to, unresolved = await self._resolve_people(list(a.get("to") or []), list(a.get("to_names") or []))
            cc, _ = await self._resolve_people(list(a.get("cc") or []), [])
            if not to:
                raise TurnFailed("Who should I send it to? Give a name from your CRM or an email address." +
                                 (f" I couldn't find {', '.join(unresolved)}." if unresolved else ""))
            subject = a.get("subject") or "(no subject)"
            body = a.get("body") or self._draft_body(to, subject)
            canonical = {"to": to, "cc": cc, "subject": subject, "body": body}
            summary = {"to": ", ".join(to), "cc": ", ".join(cc), "subject": subject, "body": body}
            title = "Send this email?" if intent == Intent.MAIL_SEND else "Save this draft?"
        elif intent == Intent.MAIL_REPLY:
            ref = self._ref(plan)
            card = ref.get("card") or {}
            body = a.get("body") or ""
            canonical = {"message_id": ref["id"], "comment": body, "body": body}
            summary = {"to": card.get("from_address", ""), "subject": "RE: " + card.get("title", ""), "body": body,
                       "in_reply_to": card.get("title", "")}
            title = "Send this reply?"
        elif intent == Intent.CALENDAR_CREATE:
            attendees, unresolved = await self._resolve_people(list(a.get("attendees") or []), list(a.get("attendee_names") or []))
            start = a.get("start")
            if not start:
                raise TurnFailed("When should the meeting be? Say a day and time, like “next Monday at 2pm”.")
            end = a.get("end") or (dt.datetime.fromisoformat(start) + dt.timedelta(minutes=30)).isoformat()
            subject = a.get("subject") or "Meeting"
            canonical = {"subject": subject, "start": start, "end": end, "attendees": attendees,
                         "location": a.get("location"), "body": a.get("body"), "time_zone": str(self.tz)}
            summary = {"subject": subject, "when": _when_label(start, end), "start": start, "end": end,
                       "attendees": ", ".join(attendees), "location": a.get("location") or "",
                       "unresolved": ", ".join(unresolved)}
            title = "Create this event?"
        elif intent == Intent.FILES_SHARE:
            file_id = await self._find_file(a)
            recipients, unresolved = await self._resolve_people(list(a.get("recipients") or []),
                                                                list(a.get("recipient_names") or []))
            if not recipients:
                raise TurnFailed("Who should I share it with? " +
                                 (f"I couldn't find {', '.join(unresolved)}." if unresolved else "Name a person, a group or an address."))
            role = a.get("role") or "read"
            file_card = getattr(self, "_found_file", {}) or {}
            canonical = {"item_id": file_id, "recipients": recipients, "role": role}
            summary = {"file": file_card.get("title", file_id), "recipients": ", ".join(recipients),
                       "role": "can edit" if role == "write" else "can view", "link": file_card.get("link", "")}
            title = "Share this file?"
        elif intent == Intent.TEAMS_POST:
            team_id, team = await self._find_team(a.get("team_name") or "")
            channels = await self.run_read("teams.channels", {"team_id": team_id}, "Finding the channel…")
            cname = (a.get("channel_name") or "general").lower()
            channel = next((c for c in channels if cname in c["title"].lower()), channels[0] if channels else None)
            if channel is None:
                raise TurnFailed(f"The team {team} has no channels I can post to.")
            message = a.get("message") or ""
            canonical = {"team_id": team_id, "channel_id": channel["id"], "message": message}
            summary = {"channel": f"{team} › {channel['title']}", "message": message}
            title = "Post this message?"
        else:
            tool_name, canonical, summary, title = await self._crm_proposal(plan)
        if not tool_name:
            tool = await self.tool_for(capability)
            tool_name, source = tool.name, tool.schema.source
        also = {summary["to"]} if intent == Intent.MAIL_REPLY and summary.get("to") else set()
        await self._add_confirmation(capability, tool_name, source, title, summary, canonical=canonical, also_named=also)
        await self._say("Here's exactly what I'll do. Nothing happens until you press Confirm — you can Edit or Cancel it.")

    async def _add_confirmation(self, capability: str, tool_name: str, source: str, title: str, summary: dict[str, str],
                                *, canonical: dict[str, Any] | None = None, raw: dict[str, Any] | None = None,
                                also_named: set[str] | None = None) -> str:
        """A confirmation card; recipients the user's own words don't account for are highlighted."""
        recipients = list(dict.fromkeys(x.strip() for key in ("to", "cc", "attendees", "recipients")
                                        for x in str(summary.get(key, "")).split(",") if x.strip()))
        unnamed = await asyncio.to_thread(unnamed_recipients, self.user_text, recipients, also_named or set())
        action_id = uuid.uuid4().hex
        self.turn.actions[action_id] = {"capability": capability, "tool": tool_name, "source": source,
                                        "canonical": canonical, "raw": raw, "status": "pending"}
        self.turn.cards.append({
            "kind": "confirm", "id": action_id, "title": title, "capability": capability, "status": "pending",
            **{k: str(v) for k, v in summary.items()}, "highlight": ", ".join(unnamed),
        })
        await self._emit()
        return action_id

    # ---- the LLM backend
    async def _run_llm(self) -> None:
        from crm_app.assistant.grounding import fence_cards, verify_reply
        from crm_app.assistant.llm import AwaitingConfirmation, LLMBackend, LLMUnavailable

        backend = LLMBackend.from_settings()
        registry = await self._registry()
        earlier = [r["card"] for r in self.last_results if r.get("card")]
        history = await asyncio.to_thread(self._llm_history)
        now = self.now or clock(self.tz)

        async def execute(name: str, args: dict[str, Any]) -> str:
            tool = registry.get(name)
            if tool is None:
                return f"Error: there is no tool named {name!r}."
            if tool.schema.side_effect:
                summary = proposal_summary(tool, args)
                if not summary.get("to"):
                    answering = await self._answered_recipients(args)
                    if answering:
                        summary["to"] = answering
                await self._add_confirmation(tool.name, tool.name, tool.schema.source, f"Run {tool.schema.title or tool.name}?",
                                             summary, raw=dict(args))
                raise AwaitingConfirmation()
            chip = await self._chip(f"{tool.schema.title or tool.name.replace('_', ' ')}…")
            result = await registry.execute(name, self.ctx, args)
            chip["state"] = "done" if result.ok else "failed"
            if not result.ok:
                card = cardlib.error_card(tool.schema.title or tool.name, result.error_message or "The tool failed.")
                card["retry_text"] = self.turn.retry_text
                self.turn.cards.append(card)
                await self._emit()
                return fence_cards([card])
            found = cardlib.cards_from_result(result)
            known = await asyncio.to_thread(crm.contacts_by_emails, [c.get("from_address", "") for c in found])
            cardlib.mark_crm_contacts(found, known)
            self.turn.cards.extend(found)
            self._remember([c for r in self.turn.results for c in [r["card"]]] + found)
            await self._emit()
            return fence_cards(found)

        async def on_text(delta: str) -> None:
            self.turn.text += delta
            await self._emit()

        context = (f"Now: {now:%A %d %B %Y, %H:%M} ({self.tz}). The user is {self.user.name} <{self.user.email}>. "
                   "Dates you pass to tools are ISO-8601 with the user's UTC offset.")
        try:
            result = await backend.run(history=history, user_text=self.user_text, tools=registry.schemas(),
                                       execute=execute, on_text=on_text, context=context)
        except LLMUnavailable as exc:
            raise TurnFailed(str(exc)) from exc
        data = earlier + [c for c in self.turn.cards if c.get("kind") != "confirm"]
        trusted = [self.user.name, self.user.email, context,
                   *(m["content"] for m in history if m["role"] == "user")]
        flags = verify_reply(result.text, data, user_text=self.user_text, trusted=trusted)
        if flags:
            try:
                corrected = await backend.correct(result, flags)
            except LLMUnavailable:
                corrected = result.text
            self.turn.text = corrected
            flags = verify_reply(corrected, data, user_text=self.user_text, trusted=trusted)
        self.turn.flags = [f"{f.value} — {f.reason}" for f in flags]
        if any(c.get("kind") == "error" for c in self.turn.cards):
            self.turn.status = "failed"

    async def _answered_recipients(self, args: dict[str, Any]) -> str:
        """Who an action on an existing email (a reply) reaches: its sender, and everyone on it for reply-all.

        The model names only the email's id, so the card would otherwise show no recipient at all.
        """
        message_id = next((str(args[k]) for k in EMAIL_ID_ARGUMENTS if args.get(k)), "")
        if not message_id:
            return ""
        known = [*self.turn.cards, *(r.get("card") or {} for r in self.last_results)]
        card = next((c for c in known if c.get("kind") == "email" and c.get("id") == message_id), None)
        if card is None:
            return "the people on an email not shown in this conversation"
        people = [card.get("from_address", "")]
        if any(str(args.get(k)).lower() == "true" for k in ("reply_all", "replyAll", "all")):
            from crm_app.microsoft.vault import connection_of

            connection = await asyncio.to_thread(connection_of, self.user.id)
            own = (connection.account_email or "").lower() if connection else ""
            people += [a for a in EMAIL_RE.findall(f"{card.get('to', '')}, {card.get('cc', '')}") if a.lower() != own]
        return ", ".join(dict.fromkeys(p for p in people if p))

    def _llm_history(self) -> list[dict[str, Any]]:
        """Earlier turns for the model: what was said, and the fenced data each reply was based on."""
        from crm_app.assistant.grounding import fence_cards

        msgs = conversations.messages(self.user.id, self.conversation_id, limit=12)[:-1]
        out: list[dict[str, Any]] = []
        for m in msgs:
            if m["role"] == "user":
                out.append({"role": "user", "content": m["content"]})
            else:
                data = [c for c in m.get("cards") or [] if c.get("kind") not in ("confirm",)]
                text = m["content"] + (f"\n\n{fence_cards(data)}" if data else "")
                out.append({"role": "assistant", "content": text})
        return out

    def _draft_body(self, to: list[str], subject: str) -> str:
        first = ""
        found = crm.contacts_by_emails(to[:1])
        if found:
            first = next(iter(found.values()))["first_name"]
        topic = subject[0].lower() + subject[1:] if subject and subject != "(no subject)" else "this"
        sign = self.user.name.split(" ")[0] if self.user.name else ""
        return f"Hi {first or 'there'},\n\nI'd like to follow up about {topic}.\n\nBest regards,\n{sign}".rstrip()

    async def _crm_proposal(self, plan: Plan) -> tuple[str, dict[str, Any], dict[str, str], str]:
        intent, a = plan.intent, dict(plan.args)
        entity = a.get("entity") or ""
        if intent == Intent.CRM_CREATE:
            fields = dict(a.get("fields") or {})
            if "close_date" in fields:
                fields["expected_close"] = fields.pop("close_date")
            tool = CREATE_TOOL.get(entity)
            if tool is None:
                raise TurnFailed("I can create contacts, companies and deals. Say which one.")
            if entity == "contact" and "email" in fields and "emails" not in fields:
                fields["emails"] = [fields.pop("email")]
            summary = {"record": entity, **{("title_field" if k == "title" else k): ", ".join(v) if isinstance(v, list) else str(v)
                                            for k, v in fields.items()}}
            return tool, fields, summary, f"Create this {entity}?"
        tool = CRM_INTENT_TOOL[intent]
        if intent == Intent.CRM_LOG_EMAIL:
            ref = self._ref(plan)
            card = ref.get("card") or {}
            canonical = _log_args(card)
            who = card.get("crm_contact_name") or card.get("from_address", "")
            return tool, canonical, {"record": who, "subject": card.get("title", ""), "text": "Log this email to the contact's timeline"}, \
                "Log this email to the CRM?"
        if intent == Intent.CRM_DEAL_MOVE:
            entity = "deal"
        ref_text = a.get("ref") or ""
        record = await asyncio.to_thread(self._record_label, entity, ref_text)
        canonical = {"entity": entity, "ref": ref_text, "id": record.get("id"), "stage": a.get("stage"),
                     "text": a.get("text"), "due": a.get("due"), "fields": a.get("fields")}
        summary = {"record": f"{entity.title()}: {record.get('name') or record.get('title') or ref_text}".strip()}
        if intent == Intent.CRM_DEAL_MOVE:
            summary["stage"] = f"{record.get('stage', '?')} → {a.get('stage')}"
            title = "Move this deal?"
        elif intent == Intent.CRM_NOTE_ADD:
            summary["text"] = a.get("text") or ""
            title = "Add this note?"
        elif intent == Intent.CRM_TASK_ADD:
            summary["text"] = a.get("text") or ""
            summary["when"] = a.get("due") or "no due date"
            if not entity:
                summary.pop("record")
            title = "Add this task?"
        elif intent == Intent.CRM_DELETE:
            title = f"Delete this {entity}?"
            summary["text"] = "This deletes the record and its timeline. It can't be undone."
        else:
            summary.update({k: str(v) for k, v in (a.get("fields") or {}).items()})
            title = f"Update this {entity}?"
        return tool, canonical, summary, title

    def _record_label(self, entity: str, ref_text: str) -> dict[str, Any]:
        if not entity or not ref_text:
            return {}
        from crm_app.tools.crm_tools import resolve_record

        try:
            return resolve_record(entity, {"ref": ref_text})
        except NotFound as exc:
            raise TurnFailed(str(exc)) from exc
        except ValidationFailed as exc:
            raise TurnFailed(" ".join(exc.fields.values()) or str(exc)) from exc


# ---------------------------------------------------------------- confirmation
EDITABLE = ("to", "cc", "subject", "body", "start", "end", "attendees", "location", "message", "text", "recipients", "stage", "due")


async def confirm_action(user: SignedInUser, message_id: int, action_id: str, edits: dict[str, str] | None = None,
                         sink: Sink = _noop) -> Turn:
    """Run a proposed action exactly once, with the user's edits, and record what happened."""
    msg = await asyncio.to_thread(conversations.get_message, user.id, message_id)
    actions = msg.get("actions") or {}
    action = actions.get(action_id)
    if action is None:
        raise NotFound("That action no longer exists.")
    turn = Turn(retry_text="")
    if action.get("status") != "pending":
        turn.text = "That action was already handled."
        turn.status = "done"
        return turn
    action["status"] = "running"
    await asyncio.to_thread(conversations.update_payload, user.id, message_id, {"actions": actions})
    engine = TurnEngine(user, msg["conversation_id"], sink=sink)
    canonical = dict(action.get("canonical") or {})
    canonical.update(_apply_edits(action["capability"], edits or {}))
    capability = action["capability"]
    try:
        registry = await engine._registry()
        tool = registry.get(action["tool"])
        if tool is None:
            raise TurnFailed("The tool for this action is no longer available. Check Settings → Microsoft 365.")
        chip = await engine._chip(replies.failure_what(capability) + "…")
        if action.get("raw") is not None:
            args = dict(action["raw"])
            edited, _ = map_arguments(tool, _apply_edits(capability, edits or {}))
            args.update(edited)
            result = await registry.execute(tool.name, engine.ctx, args)
        else:
            result = await engine.run_tool(capability, canonical, tool)
        chip["state"] = "done" if result.ok else "failed"
        if not result.ok:
            raise TurnFailed(result.error_message or "The tool reported an error.")
        action["status"] = "done"
        found = cardlib.cards_from_result(result)
        engine.turn.cards.extend(found)
        await engine._say(_done_reply(capability, canonical, result))
        engine.turn.status = "done"
    except TurnFailed as exc:
        action["status"] = "failed"
        await engine._fail(capability, str(exc))
    except DatabaseUnavailable as exc:
        action["status"] = "failed"
        await engine._fail(capability, exc.user_message)
    await asyncio.to_thread(_mark_card, user.id, message_id, actions, action_id, action["status"], edits or {})
    await engine._emit()
    return engine.turn


def cancel_action(user: SignedInUser, message_id: int, action_id: str) -> None:
    msg = conversations.get_message(user.id, message_id)
    actions = msg.get("actions") or {}
    if action_id in actions and actions[action_id].get("status") == "pending":
        actions[action_id]["status"] = "cancelled"
        _mark_card(user.id, message_id, actions, action_id, "cancelled", {})


def _mark_card(user_id: int, message_id: int, actions: dict[str, Any], action_id: str, status: str,
               edits: dict[str, str]) -> None:
    msg = conversations.get_message(user_id, message_id)
    cards = msg.get("cards") or []
    for c in cards:
        if c.get("kind") == "confirm" and c.get("id") == action_id:
            c["status"] = status
            for k, v in edits.items():
                if k in EDITABLE:
                    c[k] = v
    conversations.update_payload(user_id, message_id, {"actions": actions, "cards": cards})


def unnamed_recipients(user_text: str, recipients: list[str], also_named: set[str]) -> list[str]:
    """Recipients the user's message doesn't account for: not typed, not a CRM contact or group they named."""
    text = user_text.lower()
    words = set(re.findall(r"[a-z0-9']+", text))
    known = crm.contacts_by_emails([r for r in recipients if "@" in r])
    out = []
    for r in recipients:
        address = (EMAIL_RE.findall(r) or [r])[0].lower()
        if address in text or address in {a.lower() for a in also_named}:
            continue
        contact = known.get(address)
        names = {contact["first_name"].lower(), contact["last_name"].lower()} if contact else set()
        local = {p for p in re.split(r"[._+-]", address.split("@")[0]) if len(p) > 2}
        if names & words or (not contact and local and local <= words):
            continue
        out.append(address)
    return out


def proposal_summary(tool: BaseTool, args: dict[str, Any]) -> dict[str, str]:
    """What a model-proposed side effect will do, in the confirmation card's fields."""
    canonical_keys = ("to", "cc", "subject", "body", "attendees", "recipients", "message", "location", "start", "end", "text")
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in canonical_keys:
        for name in ARG_SYNONYMS.get(key, (key,)):
            if name in args and name not in used:
                value = args[name]
                out[key] = ", ".join(_addr(v) for v in value) if isinstance(value, list) else _addr(value)
                used.add(name)
                break
    if "start" in out:
        out["when"] = _when_label(out.get("start"), out.get("end"))
    rest = {k: v for k, v in args.items() if k not in used}
    if rest:
        out["text"] = (out.get("text", "") + "\n" + "\n".join(f"{k}: {v}" for k, v in rest.items())).strip()
    return out


def _addr(v: Any) -> str:
    if isinstance(v, dict):
        inner = v.get("emailAddress") if isinstance(v.get("emailAddress"), dict) else v
        return str(inner.get("address") or inner.get("email") or inner)
    return str(v)


def _split(v: str) -> list[str]:
    return [x.strip() for x in re.split(r"[,;\n]+", v or "") if x.strip()]


def _apply_edits(capability: str, edits: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in edits.items():
        if k not in EDITABLE:
            continue
        if k in ("to", "cc", "attendees", "recipients"):
            out[k] = _split(v)
        elif k == "body" and capability == "mail.reply":
            out["body"] = out["comment"] = v
        else:
            out[k] = v
    return out


def _done_reply(capability: str, canonical: dict[str, Any], result: ToolResult) -> str:
    data = result.data or {}
    if capability == "mail.send":
        return f"Sent “{canonical.get('subject')}” to {', '.join(canonical.get('to') or [])}. It's in your Sent Items."
    if capability == "mail.reply":
        return "Reply sent. It's in your Sent Items."
    if capability == "mail.draft":
        return "Draft saved in your Drafts folder."
    if capability == "calendar.create":
        return f"Created “{canonical.get('subject')}” on {_when_label(canonical.get('start'), canonical.get('end'))}."
    if capability == "files.share":
        return f"Shared with {', '.join(canonical.get('recipients') or [])}."
    if capability == "teams.post":
        return "Posted to the channel."
    status = str(data.get("status") or "done").replace("_", " ")
    if status == "already logged":
        return "That email is already on the contact's timeline."
    return f"Done — {status}."


def _when_label(start: str | None, end: str | None) -> str:
    try:
        s = dt.datetime.fromisoformat(start or "")
        e = dt.datetime.fromisoformat(end or "")
    except ValueError:
        return start or ""
    return f"{s:%A %-d %B, %H:%M}–{e:%H:%M}"


def _file_query(text: str) -> str:
    stop = {"the", "my", "a", "an", "file", "document", "spreadsheet", "doc", "sheet"}
    words = [w for w in re.split(r"\s+", text.strip()) if w.lower() not in stop]
    return " ".join(words) or text


def _log_args(card: dict[str, str]) -> dict[str, Any]:
    return {"message_id": card.get("id", ""), "subject": card.get("title", ""), "from_address": card.get("from_address", ""),
            "to_addresses": [EMAIL_RE.findall(x)[0] for x in card.get("to", "").split(",") if EMAIL_RE.findall(x)],
            "received_at": card.get("date", ""), "body": card.get("body", ""), "web_link": card.get("link", ""),
            "contact_id": int(card["crm_contact_id"]) if card.get("crm_contact_id") else None}


# ---------------------------------------------------------------- the public use cases
async def send_message(user: SignedInUser, conversation_id: int, text: str, sink: Sink = _noop,
                       registry: ToolRegistry | None = None, plan: Plan | None = None) -> Turn:
    """Save the user's message, run the turn, save the reply; the sink sees every intermediate state.

    `plan` skips parsing for actions the UI already knows exactly (a card's "Show full email").
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("empty message")
    await asyncio.to_thread(conversations.append, user.id, conversation_id, "user", text[:MAX_MESSAGE_CHARS])
    engine = TurnEngine(user, conversation_id, sink=sink, registry=registry, fixed_plan=plan)
    turn = await engine.handle(text)
    saved = await asyncio.to_thread(conversations.append, user.id, conversation_id, "assistant", turn.text, turn.payload())
    turn.message_id = saved["id"]
    return turn


async def offer_contact(user: SignedInUser, conversation_id: int, card: dict[str, str], sink: Sink = _noop) -> Turn:
    """"Log to CRM" on an email from someone not in the CRM: propose creating the contact first."""
    name = card.get("from_name") or card.get("from_address", "").split("@")[0]
    first, _, last = name.partition(" ")
    fields = {"first_name": first, "last_name": last, "emails": [card.get("from_address", "")]}
    plan = Plan(Intent.CRM_CREATE, {"entity": "contact", "fields": fields})
    return await send_message(user, conversation_id, f"Log “{card.get('title', '')}” to the CRM", sink=sink, plan=plan)


async def log_email_card(user: SignedInUser, card: dict[str, str]) -> dict[str, Any]:
    """The email card's "Log to CRM" button: file it on the matching contact, or say none matches."""
    registry = crm_registry()
    result = await registry.execute("crm_log_email", ToolContext(user.id, user.email), _log_args(card))
    return asdict(result)
