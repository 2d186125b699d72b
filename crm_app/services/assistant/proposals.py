"""Side-effect intents become confirmation cards; nothing runs until the user confirms."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from crm_app.assistant.card_model import Card
from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.pending import choose
from crm_app.assistant.text import sentence_case
from crm_app.services.assistant.crm_proposals import CRM_PROPOSERS
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.people import first_name_of, resolve_people, unnamed_recipients
from crm_app.services.assistant.reads import email_meant, find_file, find_team
from crm_app.services.assistant.turn import Action, AlreadyDone, NeedsChoice, Proposal, TurnFailed, TurnState
from crm_app.services.assistant.wording import when_label

RECIPIENT_FIELDS = ("to", "cc", "attendees", "recipients")
NAME_SLOTS = (("to", "to_names"), ("attendees", "attendee_names"), ("recipients", "recipient_names"))
DEFAULT_EVENT_SUBJECT = "Meeting"
DEFAULT_EVENT_MINUTES = 30
PROPOSED_REPLY = "Here's exactly what I'll do. Nothing happens until you press Confirm — you can Edit or Cancel it."


Proposer = Callable[[TurnEngine, TurnState, Plan], Awaitable[Proposal]]


async def propose_mail(eng: TurnEngine, st: TurnState, plan: Plan) -> Proposal:
    a = plan.args
    to, unresolved = await resolve_people(eng.tools, list(a.get("to") or []), list(a.get("to_names") or []))
    cc, _ = await resolve_people(eng.tools, list(a.get("cc") or []), [])
    if not to:
        raise TurnFailed("Who should I send it to? Give a name from your CRM or an email address." +
                         (f" I couldn't find {', '.join(unresolved)}." if unresolved else ""))
    subject = sentence_case(a.get("subject") or "") or "(no subject)"
    body = a.get("body") or await asyncio.to_thread(draft_body, eng.first_name, to, subject)
    title = "Send this email?" if plan.intent == Intent.MAIL_SEND else "Save this draft?"
    return Proposal(title, {"to": ", ".join(to), "cc": ", ".join(cc), "subject": subject, "body": body},
                    {"to": to, "cc": cc, "subject": subject, "body": body})


def draft_body(sign: str, to: list[str], subject: str) -> str:
    first = first_name_of(to[0])
    topic = subject[0].lower() + subject[1:] if subject and subject != "(no subject)" else "this"
    return f"Hi {first or 'there'},\n\nI'd like to follow up about {topic}.\n\nBest regards,\n{sign}".rstrip()


async def propose_reply(eng: TurnEngine, st: TurnState, plan: Plan) -> Proposal:
    ref = await email_meant(eng, st, plan, "reply to")
    card = ref.get("card") or {}
    body = sentence_case(str(plan.args.get("body") or "").strip())
    summary = {"to": card.get("from_address", ""), "subject": "RE: " + card.get("title", ""), "body": body,
               "in_reply_to": card.get("title", "")}
    return Proposal("Send this reply?", summary, {"message_id": ref["id"], "comment": body, "body": body},
                    also_named={summary["to"]} if summary["to"] else set())


async def propose_forward(eng: TurnEngine, st: TurnState, plan: Plan) -> Proposal:
    a = plan.args
    ref = await email_meant(eng, st, plan, "forward")
    card = ref.get("card") or {}
    to, unresolved = await resolve_people(eng.tools, list(a.get("to") or []), list(a.get("to_names") or []))
    if not to:
        raise TurnFailed("Who should I forward it to? Give a name from your CRM or an email address." +
                         (f" I couldn't find {', '.join(unresolved)}." if unresolved else ""))
    comment = a.get("body") or ""
    title = card.get("title", "")
    sender = card.get("from_name") or card.get("from_address", "")
    summary = {"to": ", ".join(to), "subject": f"FW: {title}" if title else "FW:", "body": comment,
               "text": f"Forwards “{title}” from {sender}" if sender else f"Forwards “{title}”"}
    return Proposal("Forward this email?", summary, {"message_id": ref["id"], "to": to, "comment": comment})


async def propose_event(eng: TurnEngine, st: TurnState, plan: Plan) -> Proposal:
    a = plan.args
    attendees, unresolved = await resolve_people(eng.tools, list(a.get("attendees") or []),
                                                 list(a.get("attendee_names") or []))
    start = a.get("start")
    if not start:
        raise TurnFailed("When should the meeting be? Say a day and time, like “next Monday at 2pm”.")
    end = a.get("end") or (dt.datetime.fromisoformat(start) + dt.timedelta(minutes=DEFAULT_EVENT_MINUTES)).isoformat()
    subject = sentence_case(a.get("subject") or "") or DEFAULT_EVENT_SUBJECT
    canonical = {"subject": subject, "start": start, "end": end, "attendees": attendees,
                 "location": a.get("location"), "body": a.get("body"), "time_zone": str(eng.tz)}
    summary = {"subject": subject, "when": when_label(start, end), "start": start, "end": end,
               "attendees": ", ".join(attendees), "location": a.get("location") or "",
               "unresolved": ", ".join(unresolved)}
    defaults = [f"the subject “{subject}”"] if not a.get("subject") else []
    if a.get("default_length") or not a.get("end"):
        defaults.append(f"the length ({_minutes(start, end)} minutes)")
    if defaults:
        summary["text"] = f"I chose {' and '.join(defaults)}; press Edit to change them."
    return Proposal("Create this event?", summary, canonical)


def _minutes(start: str, end: str) -> int:
    return int((dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds() // 60)


async def propose_share(eng: TurnEngine, st: TurnState, plan: Plan) -> Proposal:
    a = plan.args
    file_id = await find_file(eng, st, a)
    recipients, unresolved = await resolve_people(eng.tools, list(a.get("recipients") or []),
                                                  list(a.get("recipient_names") or []))
    if not recipients:
        raise TurnFailed("Who should I share it with? " +
                         (f"I couldn't find {', '.join(unresolved)}." if unresolved else "Name a person, a group or an address."))
    role = a.get("role") or "read"
    summary = {"file": st.found_file.title or file_id, "recipients": ", ".join(recipients),
               "role": "can edit" if role == "write" else "can view", "link": st.found_file.link}
    return Proposal("Share this file?", summary, {"item_id": file_id, "recipients": recipients, "role": role})


async def propose_post(eng: TurnEngine, st: TurnState, plan: Plan) -> Proposal:
    a = plan.args
    team_id, team = await find_team(eng, st, a.get("team_name") or "")
    channels = await eng.run_read(st, "teams.channels", {"team_id": team_id}, "Finding the channel…")
    cname = (a.get("channel_name") or "general").lower()
    channel = next((c for c in channels if cname in c["title"].lower()), channels[0] if channels else None)
    if channel is None:
        raise TurnFailed(f"The team {team} has no channels I can post to.")
    message = a.get("message") or ""
    return Proposal("Post this message?", {"channel": f"{team} › {channel['title']}", "message": message},
                    {"team_id": team_id, "channel_id": channel["id"], "message": message})


PROPOSERS: dict[Intent, Proposer] = {
    Intent.MAIL_SEND: propose_mail,
    Intent.MAIL_DRAFT: propose_mail,
    Intent.MAIL_REPLY: propose_reply,
    Intent.MAIL_FORWARD: propose_forward,
    Intent.CALENDAR_CREATE: propose_event,
    Intent.FILES_SHARE: propose_share,
    Intent.TEAMS_POST: propose_post,
    **CRM_PROPOSERS,
}


async def propose(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    """Show the confirmation card for a side-effect intent."""
    capability = plan.intent.value
    try:
        proposal = await PROPOSERS[plan.intent](eng, st, plan)
    except NeedsChoice as choice:
        await ask_which(st, plan, choice)
        return
    except AlreadyDone as exc:
        await st.say(str(exc))
        return
    tool_name, source = proposal.tool_name, proposal.source
    if not tool_name:
        tool = await eng.tools.tool_for(capability)
        tool_name, source = tool.name, tool.schema.source
    action_id = await add_confirmation(st, capability, tool_name, source, proposal.title, proposal.summary,
                                       canonical=proposal.canonical, also_named=proposal.also_named)
    if proposal.then_log:
        st.turn.actions[action_id].then_log = proposal.then_log
    await st.say(PROPOSED_REPLY)


async def ask_which(st: TurnState, plan: Plan, choice: NeedsChoice) -> None:
    """Ask which of several people or groups a name meant; the answer completes the same request."""
    options = [f"{label} <{address}>" for label, address in choice.matches]
    st.turn.question = {"intent": plan.intent.value, "args": dict(plan.args), "name": choice.name,
                        "options": options, "candidates": [address for _, address in choice.matches]}
    noun = choice.name.removeprefix("the ").strip() or "one"
    await st.say(f"Which {noun} do you mean? I found {len(options)}:\n" + "\n".join(f"• {o}" for o in options))


def answered(question: dict[str, Any], text: str) -> Plan | None:
    """The request a question was about, completed by the user's answer, or None when it doesn't answer it."""
    chosen = choose(text, question.get("options") or [], question.get("candidates") or [])
    if chosen is None:
        return None
    args = dict(question.get("args") or {})
    for addresses, names in NAME_SLOTS:
        if question.get("name") in (args.get(names) or []):
            args[names] = [n for n in args[names] if n != question["name"]]
            args[addresses] = [*(args.get(addresses) or []), chosen]
    return Plan(Intent(question["intent"]), args)


async def add_confirmation(st: TurnState, capability: str, tool_name: str, source: str, title: str,
                           summary: dict[str, str], *, canonical: dict[str, Any] | None = None,
                           raw: dict[str, Any] | None = None, also_named: set[str] | None = None) -> str:
    """A confirmation card; recipients the user's own words don't account for are highlighted."""
    recipients = list(dict.fromkeys(x.strip() for key in RECIPIENT_FIELDS
                                    for x in str(summary.get(key, "")).split(",") if x.strip()))
    unnamed = await asyncio.to_thread(unnamed_recipients, st.user_text, recipients, also_named or set())
    action_id = uuid.uuid4().hex
    st.turn.actions[action_id] = Action(capability, tool_name, source, canonical=canonical, raw=raw,
                                        request=st.turn.retry_text)
    st.turn.cards.append(Card.from_dict({
        **summary, "kind": "confirm", "id": action_id, "title": title, "capability": capability, "status": "pending",
        "highlight": ", ".join(unnamed),
    }))
    await st.emit()
    return action_id
