"""The meeting brief: "brief me on my next meeting", "prepare me for the Acme call".

It finds the event, its attendees, their CRM contacts and the open deals of those contacts and
their companies, and the last mail exchanged with the attendees; the reply is built from those
cards only, so every fact it states is on a card shown with it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from crm_app.assistant import cards as cardlib
from crm_app.assistant.card_model import Card
from crm_app.assistant.intents import Plan
from crm_app.formatting import day_and_time
from crm_app.microsoft.vault import connection_of
from crm_app.services import crm
from crm_app.services.assistant.engine import TurnEngine, mark_crm_senders
from crm_app.services.assistant.turn import TurnFailed, TurnState
from crm_app.services.record_inbox import MAX_PARTICIPANTS, RecordAddresses, event_people, event_start

BRIEF_DAYS_AHEAD = 14
BRIEF_EVENTS_READ = 100
BRIEF_EMAILS = 5
CLOSED_STAGES = frozenset({"won", "lost"})
QUERY_FILLER = frozenset({"the", "my", "a", "an", "our", "with", "meeting", "meetings", "call", "calls", "event", "sync",
                          "next", "upcoming"})


@dataclass
class Brief:
    """What the brief shows, each part as cards."""

    event: Card
    attendees: list[str] = field(default_factory=list)
    contacts: list[Card] = field(default_factory=list)
    deals: list[Card] = field(default_factory=list)
    emails: list[Card] = field(default_factory=list)
    mail_note: str = ""
    in_crm: set[str] = field(default_factory=set)

    @property
    def cards(self) -> list[Card]:
        return [self.event, *self.contacts, *self.deals, *self.emails]


def query_words(query: str) -> list[str]:
    return [w for w in query.lower().replace("'s", "").split() if w not in QUERY_FILLER]


def _event_text(event: dict[str, Any]) -> str:
    people = [event.get("organizer"), *(event.get("attendees") or [])]
    names = " ".join(str((p or {}).get("name") or "") for p in people if isinstance(p, dict))
    return f"{event.get('subject') or ''} {names} {' '.join(event_people(event))} {event.get('location') or ''}".lower()


def company_addresses(words: list[str]) -> RecordAddresses:
    """The addresses and domain of the CRM company a query names ("Acme" → acme.example and its contacts)."""
    if not words:
        return RecordAddresses()
    company = crm.find_company_by_name(" ".join(words))
    if company is None:
        return RecordAddresses()
    full = crm.get_company(company["id"])
    emails = [e.lower() for c in full.get("contacts", []) for e in c.get("emails", [])]
    return RecordAddresses(tuple(emails), (full["domain"].lower(),) if full.get("domain") else ())


def pick_event(events: list[dict[str, Any]], now: dt.datetime, query: str, company: RecordAddresses,
               me: frozenset[str] = frozenset()) -> dict[str, Any] | None:
    """The next event from now (not all-day) that matches the query, if any: by its words, or by its people.

    With no query, "my next meeting" is the next event someone else is invited to; a block with nobody else
    (focus time, a reminder) is chosen only when no upcoming event has other people."""
    words = query_words(query)
    starts = [(start, e) for e in events if not e.get("is_all_day") and (start := event_start(e)) and start >= now]
    upcoming = [e for _, e in sorted(starts, key=lambda x: x[0])]
    if not words:
        with_others = [e for e in upcoming if any(a.lower() not in me for a in event_people(e))]
        return (with_others or upcoming or [None])[0]
    for event in upcoming:
        if all(w in _event_text(event) for w in words) or any(company.matches(a) for a in event_people(event)):
            return event
    return None


def crm_context(addresses: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(contacts, open deals) of the CRM for these addresses: their contacts, those contacts' and companies' deals."""
    found = crm.contacts_by_emails(addresses)
    contacts = list({c["id"]: c for c in found.values()}.values())
    deals: dict[int, dict[str, Any]] = {}
    companies = {c["company_id"] for c in contacts if c.get("company_id")}
    for contact in contacts:
        for deal in crm.get_contact(contact["id"]).get("deals", []):
            deals.setdefault(deal["id"], deal)
    for company_id in sorted(companies):
        for deal in crm.get_company(company_id).get("deals", []):
            deals.setdefault(deal["id"], deal)
    open_deals = [d for d in deals.values() if str(d.get("stage", "")).lower() not in CLOSED_STAGES]
    return contacts, open_deals


async def _last_mail(eng: TurnEngine, st: TurnState, attendees: list[str]) -> tuple[list[Card], str]:
    tool = await eng.tools.find("mail.search")
    if tool is None:
        return [], "None of your tool servers can search mail, so no recent mail is shown."
    chip = await st.chip("Reading the latest mail with them…")
    call = await eng.tools.attempt("mail.search", {"participants": attendees[:MAX_PARTICIPANTS], "top": BRIEF_EMAILS},
                                   tool)
    if call.result is None or "participants" in call.plan.unapplied:
        st.end_chip(chip, False)
        why = call.problem or f"The {tool.name} tool can't search mail by the people it was exchanged with."
        return [], f"{why} So no recent mail is shown."
    result = call.result
    st.end_chip(chip, result.ok)
    if not result.ok:
        raise TurnFailed(result.error_message or "Reading the mail with the attendees failed.")
    found = [c for c in cardlib.cards_from_result(result) if c.kind == "email"]
    found.sort(key=lambda c: c.date, reverse=True)
    await mark_crm_senders(found)
    return found[:BRIEF_EMAILS], ""


async def build_brief(eng: TurnEngine, st: TurnState, plan: Plan) -> Brief:
    now = eng.current_time()
    query = str(plan.args.get("query") or "")
    window = {"start": now.isoformat(timespec="seconds"),
              "end": (now + dt.timedelta(days=BRIEF_DAYS_AHEAD)).isoformat(timespec="seconds"),
              "time_zone": str(eng.tz), "top": BRIEF_EVENTS_READ}
    await eng.run_read(st, "calendar.list", window, "Finding the meeting…")
    events = [e for e in st.last_data.get("events") or st.last_data.get("value") or [] if isinstance(e, dict)]
    company = await asyncio.to_thread(company_addresses, query_words(query))
    connection = await asyncio.to_thread(connection_of, eng.user.id)
    me = frozenset({(connection.account_email or "").lower()} if connection else ())
    event = pick_event(events, now, query, company, me)
    if event is None:
        raise TurnFailed(f"I found no meeting matching “{query}” in the next {BRIEF_DAYS_AHEAD} days." if query else
                         f"You have no meetings in the next {BRIEF_DAYS_AHEAD} days.")
    attendees = [a for a in dict.fromkeys(a.lower() for a in event_people(event)) if a not in me]
    brief = Brief(cardlib.event_card(event), attendees)
    if not attendees:
        return brief
    chip = await st.chip("Looking them up in the CRM…")
    contacts, deals = await asyncio.to_thread(crm_context, attendees)
    st.end_chip(chip, True)
    brief.contacts = [cardlib.crm_card("contact", c) for c in contacts]
    brief.in_crm = {e.lower() for c in contacts for e in c.get("emails", [])}
    brief.deals = [cardlib.crm_card("deal", d) for d in deals]
    brief.emails, brief.mail_note = await _last_mail(eng, st, attendees)
    return brief


def _when(card: Card) -> str:
    try:
        return day_and_time(dt.datetime.fromisoformat(card.start), ", ")
    except ValueError:
        return card.start


def brief_reply(brief: Brief) -> str:
    """The brief in words, every fact taken from one of its cards."""
    event = brief.event
    lines = [f"Your meeting “{event['title']}” is on {_when(event)}" + (f" ({event['location']})." if event["location"]
                                                                           else ".")]
    if not brief.attendees:
        lines.append("No one else is invited, so there is nobody to look up.")
        return "\n".join(lines)
    strangers = [a for a in brief.attendees if a not in brief.in_crm]
    if brief.contacts:
        lines.append("In the CRM: " + "; ".join(f"{c['title']} ({c['subtitle']})" if c["subtitle"] else c["title"]
                                             for c in brief.contacts) + ".")
    if strangers:
        lines.append("Not in the CRM: " + ", ".join(strangers) + ".")
    if brief.deals:
        lines.append("Open deals: " + "; ".join(f"{d['title']} ({d['subtitle']})" for d in brief.deals) + ".")
    elif brief.contacts:
        lines.append("They have no open deals in the CRM.")
    if brief.emails:
        latest = brief.emails[0]
        lines.append(f"Latest mail with them: “{latest['title']}” from {latest['from_name'] or latest['from_address']}"
                     f" ({len(brief.emails)} recent message{'s' if len(brief.emails) != 1 else ''} shown, previews only).")
    elif brief.mail_note:
        lines.append(brief.mail_note)
    else:
        lines.append("No mail with them was found.")
    return "\n".join(lines)


async def read_meeting_brief(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    brief = await build_brief(eng, st, plan)
    st.turn.cards.extend(brief.cards)
    st.turn.remember(brief.cards)
    await st.say(brief_reply(brief))
