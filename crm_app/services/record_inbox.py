"""A CRM record's mail and meetings, read live through the user's MCP tools.

Nothing of the mailbox is copied into the database: each view asks the user's tool servers
(the same registry and tool discovery the assistant uses) for the messages exchanged with the
record's addresses, and for the past and upcoming meetings with them.

* a contact: its own addresses;
* a company: its contacts' addresses and its domain;
* a deal: its contact's addresses, and its company's contacts and domain.

A view always says which of these it is: ready (possibly with no mail), no addresses on the
record, Microsoft 365 not connected, its connection lapsed, MCP turned off, or failed — a failure
is never shown as an empty list.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_app.assistant import cards as cardlib
from crm_app.assistant.card_model import Card
from crm_app.microsoft.vault import connection_of
from crm_app.services import crm, mcp_runtime
from crm_app.services.auth import SignedInUser
from crm_app.services.errors import NotFound
from crm_app.settings import get_settings
from crm_app.tools.base import BaseTool, ToolContext, ToolRegistry, ToolResult
from crm_app.tools.calls import call_capability, result_data
from crm_app.tools.discovery import find_tool, parse_overrides

PAGE_SIZE = 5
MAX_MESSAGES = 50
MEETINGS_SHOWN = 5
MEETING_DAYS_BACK = 90
MEETING_DAYS_AHEAD = 90
MAX_EVENTS_READ = 200
MAX_PARTICIPANTS = 20
RECONNECT_CODES = frozenset({"reconnect_needed", "token_unavailable"})
KINDS = ("contact", "company", "deal")


class InboxStatus(enum.StrEnum):
    READY = "ready"
    NO_ADDRESSES = "no_addresses"
    NOT_CONNECTED = "not_connected"
    RECONNECT = "reconnect"
    DISABLED = "disabled"
    FAILED = "failed"


STATUS_TEXT = {
    InboxStatus.NO_ADDRESSES: "This record has no email addresses (nor a company domain) to look for in your mail. "
                              "Add one to see the mail and meetings with it.",
    InboxStatus.NOT_CONNECTED: "Microsoft 365 isn't connected, so mail and meetings can't be shown here. "
                               "Connect it in Settings → Microsoft 365.",
    InboxStatus.RECONNECT: "Your Microsoft 365 connection has lapsed, so mail and meetings can't be shown. "
                           "Reconnect it in Settings → Microsoft 365; your CRM data is kept.",
    InboxStatus.DISABLED: "Microsoft 365 and other tool servers are turned off on this installation (MCP_ENABLED=false).",
}


class InboxUnavailable(Exception):
    """The view can't be read: `status` says why, the message is for the user."""

    def __init__(self, status: InboxStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RecordAddresses:
    """Whom to look for: email addresses, and whole domains (a company's)."""

    addresses: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @property
    def participants(self) -> list[str]:
        return [*self.addresses, *self.domains][:MAX_PARTICIPANTS]

    @property
    def truncated(self) -> bool:
        return len(self.addresses) + len(self.domains) > MAX_PARTICIPANTS

    def matches(self, address: str) -> bool:
        address = address.lower()
        return address in self.addresses or any(address.endswith("@" + d) for d in self.domains)

    @property
    def label(self) -> str:
        shown = self.participants
        return ", ".join(shown) + (" and more" if self.truncated else "")


@dataclass
class RecordInbox:
    """One page of a record's mail, and its meetings, as cards."""

    status: InboxStatus
    message: str = ""
    emails: list[Card] = field(default_factory=list)
    upcoming: list[Card] = field(default_factory=list)
    past: list[Card] = field(default_factory=list)
    page: int = 1
    has_more: bool = False
    notes: list[str] = field(default_factory=list)
    addresses: RecordAddresses = field(default_factory=RecordAddresses)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip().lower() for v in values if v and v.strip()))


def _company_people(company_id: Any) -> tuple[list[str], list[str]]:
    if not company_id:
        return [], []
    company = crm.get_company(int(company_id))
    return [e for c in company.get("contacts", []) for e in c.get("emails", [])], [company.get("domain") or ""]


def record_addresses(kind: str, record_id: int) -> RecordAddresses:
    """The addresses and domains a record's mail is exchanged with (a database read; blocking)."""
    if kind == "contact":
        contact = crm.get_contact(record_id)
        return RecordAddresses(_unique(contact.get("emails", [])))
    if kind == "company":
        addresses, domains = _company_people(record_id)
        return RecordAddresses(_unique(addresses), _unique(domains))
    if kind == "deal":
        deal = crm.get_deal(record_id)
        own = crm.get_contact(int(deal["contact_id"])).get("emails", []) if deal.get("contact_id") else []
        addresses, domains = _company_people(deal.get("company_id"))
        return RecordAddresses(_unique([*own, *addresses]), _unique(domains))
    raise ValueError(f"unknown record kind {kind!r}")


def connection_status(user_id: int) -> InboxStatus | None:
    """Why the user's Microsoft 365 mail can't be read now, or None when it can be tried (blocking)."""
    if not get_settings().mcp_enabled:
        return InboxStatus.DISABLED
    connection = connection_of(user_id)
    if connection is None:
        return InboxStatus.NOT_CONNECTED
    if not connection.usable:
        return InboxStatus.RECONNECT
    return None


def _zone(user: SignedInUser) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or get_settings().default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def event_people(event: dict[str, Any]) -> list[str]:
    """The addresses of an event's organizer and attendees (our server's shape or Graph's)."""
    people = [event.get("organizer"), *(event.get("attendees") or [])]
    out = []
    for p in people:
        if isinstance(p, dict):
            p = p.get("emailAddress") or p
            out.append(str(p.get("address") or p.get("email") or ""))
    return [a for a in out if a]


def event_start(event: dict[str, Any]) -> dt.datetime | None:
    """When an event starts, as an aware datetime (UTC when the value has no offset), or None."""
    value = event.get("start")
    if isinstance(value, dict):
        value = value.get("dateTime")
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


@dataclass
class InboxReader:
    """Reads one user's record views through their tool registry (built on first use)."""

    user: SignedInUser
    registry: ToolRegistry | None = None
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)

    def __post_init__(self) -> None:
        self.tz = _zone(self.user)
        self.ctx = ToolContext(self.user.id, self.user.email, str(self.tz))
        self.overrides = parse_overrides(get_settings().mcp_tool_overrides)

    async def _registry(self) -> ToolRegistry:
        if self.registry is None:
            registry = ToolRegistry()
            await mcp_runtime.add_user_tools(registry, self.user.id)
            self.registry = registry
        return self.registry

    async def _tool(self, capability: str, what: str) -> BaseTool:
        registry = await self._registry()
        tool = find_tool(registry, capability, self.overrides)
        if tool is not None:
            return tool
        reason = next(iter(registry.unavailable.values()), "")
        raise InboxUnavailable(InboxStatus.FAILED, reason or (
            f"None of your connected tool servers offers a way to read {what}. Check the servers in Settings."))

    async def _run(self, capability: str, what: str, canonical: dict[str, Any], needs: Iterable[str] = ()) -> ToolResult:
        """Call the tool chosen for `capability` the way the chat does (its own argument names, Graph-style
        filters, ids found first); a part of `needs` the tool can't apply, here or on its results, is a failure."""
        tool = await self._tool(capability, what)
        call = await call_capability(await self._registry(), self.ctx, capability, tool, canonical, self.overrides)
        lacking = [key for key in needs if key in call.plan.unapplied]
        if call.result is None or lacking:
            raise InboxUnavailable(InboxStatus.FAILED, call.problem if call.result is None else (
                f"The {tool.name} tool can't narrow {what} by the {', '.join(lacking)} a record needs. Use the "
                "assistant to search it instead."))
        result = call.result
        if not result.ok:
            status = InboxStatus.RECONNECT if (result.error_code or "") in RECONNECT_CODES else InboxStatus.FAILED
            raise InboxUnavailable(status, STATUS_TEXT[status] if status is InboxStatus.RECONNECT else (
                f"Reading {what} failed: {result.error_message or 'the tool server reported an error.'}"))
        return result

    async def emails(self, who: RecordAddresses, page: int) -> tuple[list[Card], bool]:
        """One page of the mail exchanged with `who`, newest first, and whether an older page exists."""
        wanted = min(page * PAGE_SIZE + 1, MAX_MESSAGES)
        result = await self._run("mail.search", "your mail", {"participants": who.participants, "top": wanted},
                                 needs=("participants",))
        found = [c for c in cardlib.cards_from_result(result) if c.kind == "email"]
        found.sort(key=lambda c: c.date, reverse=True)
        known = await asyncio.to_thread(crm.contacts_by_emails, [c.from_address for c in found])
        cardlib.mark_crm_contacts(found, known)
        shown = found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        has_more = len(found) > page * PAGE_SIZE and page * PAGE_SIZE < MAX_MESSAGES
        return shown, has_more

    async def meetings(self, who: RecordAddresses) -> tuple[list[Card], list[Card], bool]:
        """(upcoming, past) meetings with `who` in the window around now, and whether the window was cut short."""
        now = self.clock()
        start = (now - dt.timedelta(days=MEETING_DAYS_BACK)).astimezone(self.tz)
        end = (now + dt.timedelta(days=MEETING_DAYS_AHEAD)).astimezone(self.tz)
        result = await self._run("calendar.list", "your calendar", {
            "start": start.isoformat(timespec="seconds"), "end": end.isoformat(timespec="seconds"),
            "time_zone": str(self.tz), "top": MAX_EVENTS_READ}, needs=("start", "end"))
        data = result_data(result) or {}
        events = [e for e in data.get("events") or data.get("value") or [] if isinstance(e, dict)]
        mine = [(s, e) for e in events if any(who.matches(a) for a in event_people(e)) and (s := event_start(e))]
        upcoming = sorted((x for x in mine if x[0] >= now), key=lambda x: x[0])[:MEETINGS_SHOWN]
        past = sorted((x for x in mine if x[0] < now), key=lambda x: x[0], reverse=True)[:MEETINGS_SHOWN]
        return ([cardlib.event_card(e) for _, e in upcoming], [cardlib.event_card(e) for _, e in past],
                bool(data.get("has_more")))

    async def view(self, kind: str, record_id: int, page: int = 1) -> RecordInbox:
        """The record's mail (page `page`) and meetings; never raises for what a user can meet."""
        page = max(1, min(page, MAX_MESSAGES // PAGE_SIZE))
        status = await asyncio.to_thread(connection_status, self.user.id)
        if status is not None:
            return RecordInbox(status, STATUS_TEXT[status], page=page)
        try:
            who = await asyncio.to_thread(record_addresses, kind, record_id)
        except NotFound as exc:
            return RecordInbox(InboxStatus.FAILED, str(exc), page=page)
        if not who.participants:
            return RecordInbox(InboxStatus.NO_ADDRESSES, STATUS_TEXT[InboxStatus.NO_ADDRESSES], page=page, addresses=who)
        try:
            (emails, has_more), (upcoming, past, cut) = await asyncio.gather(self.emails(who, page), self.meetings(who))
        except InboxUnavailable as exc:
            return RecordInbox(exc.status, str(exc), page=page, addresses=who)
        notes = []
        if who.truncated:
            notes.append(f"Only the first {MAX_PARTICIPANTS} addresses of this record are searched.")
        if cut:
            notes.append(f"Your calendar has more than {MAX_EVENTS_READ} events in these {MEETING_DAYS_BACK + MEETING_DAYS_AHEAD}"
                         " days; only the first ones were checked for meetings.")
        return RecordInbox(InboxStatus.READY, emails=emails, upcoming=upcoming, past=past, page=page,
                           has_more=has_more, notes=notes, addresses=who)

    async def full_email(self, message_id: str) -> Card:
        """One message with its full body, as an email card."""
        result = await self._run("mail.get", "the email", {"message_id": message_id})
        found = [c for c in cardlib.cards_from_result(result) if c.kind == "email"]
        if not found:
            raise InboxUnavailable(InboxStatus.FAILED, "The tool server returned no email for that message.")
        known = await asyncio.to_thread(crm.contacts_by_emails, [found[0].from_address])
        cardlib.mark_crm_contacts(found, known)
        return found[0]


async def log_email(user: SignedInUser, kind: str, record_id: int, shown: Mapping[str, Any]) -> ToolResult:
    """File a message shown on a record as an activity: on the contact itself on a contact's page, else on the
    CRM contact whose address matches (the CRM tool the assistant's "Log to CRM" uses)."""
    from crm_app.services.assistant import log_email_card

    card = Card.from_dict(shown)
    if kind == "contact":
        card.crm_contact_id = str(record_id)
    outcome = await log_email_card(user, card)
    return ToolResult(**outcome)


__all__ = [
    "InboxReader",
    "InboxStatus",
    "InboxUnavailable",
    "KINDS",
    "PAGE_SIZE",
    "RecordAddresses",
    "RecordInbox",
    "connection_status",
    "event_people",
    "event_start",
    "log_email",
    "record_addresses",
]
