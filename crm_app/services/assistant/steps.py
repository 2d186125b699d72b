"""A request in steps: the reads run at once, each with its chip; the side effect that acts on what they
found becomes one confirmation card that lists every step, and nothing changes until the user confirms."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from crm_app.assistant import replies
from crm_app.assistant.intents import Intent, Plan, is_side_effect
from crm_app.formatting import day_and_time
from crm_app.microsoft.vault import connection_of
from crm_app.services.assistant.brief import query_words
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.people import EMAIL_RE
from crm_app.services.assistant.proposals import PROPOSERS, propose
from crm_app.services.assistant.reads import read_handler
from crm_app.services.assistant.turn import TurnFailed, TurnState

STEPS_REPLY = ("I did the first step and found what's shown. The next step changes something, so it waits for you: "
               "press Confirm to run it, or Edit or Cancel.")


TIME_WORDS = frozenset({"today", "todays", "today's", "tomorrow", "tomorrows", "tomorrow's", "on", "at", "this", "next",
                        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "morning",
                        "afternoon", "evening", "week", "am", "pm"})
NO_AGENDA = " — the invite has no agenda text: add it with Edit first"


def _local(card: dict[str, str], eng: TurnEngine) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(card["start"]).astimezone(eng.tz)
    except (KeyError, ValueError):
        return None


def _meeting_words(meeting: str) -> list[str]:
    return [w for w in query_words(meeting) if w not in TIME_WORDS and not any(ch.isdigit() for ch in w)]


async def find_meeting(eng: TurnEngine, st: TurnState, read: Plan) -> list[dict[str, str]]:
    """The one meeting a request names by its day, its time ("10am") and its words ("the Acme call")."""
    args = dict(read.args)
    at, meeting = args.pop("at", ""), args.pop("meeting", "")
    cards = await eng.run_read(st, "calendar.list", args, "Finding the meeting…")
    words = _meeting_words(meeting)
    chosen = [c for c in cards if c.get("kind") == "event"
              and (not at or ((start := _local(c, eng)) is not None and start.strftime("%H:%M") == at))
              and all(w in f"{c['title']} {c['attendees']} {c['location']}".lower() for w in words)]
    if not chosen:
        raise TurnFailed(f"I found no meeting matching “{meeting}”, so I didn't write the email.")
    if len(chosen) > 1 and at:
        raise TurnFailed(f"Several meetings match “{meeting}”: " + "; ".join(c["title"] for c in chosen[:5]) +
                         ". Say which one.")
    st.turn.cards.append(chosen[0])
    st.turn.remember(chosen[:1])
    return chosen[:1]


async def attendee_mail(eng: TurnEngine, event: dict[str, str], topic: str) -> tuple[dict[str, Any], str]:
    """The email to an event's attendees (not the user), and a note when its body still needs the user's words."""
    connection = await asyncio.to_thread(connection_of, eng.user.id)
    me = (connection.account_email or "").lower() if connection else ""
    people = EMAIL_RE.findall(f"{event.get('attendees', '')}, {event.get('organizer', '')}")
    to = [a for a in dict.fromkeys(p.lower() for p in people) if a != me]
    if not to:
        raise TurnFailed(f"No one else is invited to “{event['title']}”, so there is nobody to email.")
    start = _local(event, eng)
    when = day_and_time(start, " at ") if start else event.get("start", "")
    agenda = topic.lower() in ("the agenda", "agenda", "an agenda")
    text = event.get("body", "").strip() if agenda else ""
    subject = f"Agenda: {event['title']}" if agenda else f"{topic[:1].upper()}{topic[1:]} – {event['title']}"
    lead = f"Here is the agenda for “{event['title']}” on {when}:" if agenda else (
        f"About {topic}, for “{event['title']}” on {when}:")
    body = f"Hi all,\n\n{lead}\n\n{text}\n\nBest regards,\n{eng.first_name}".replace("\n\n\n\n", "\n\n")
    return {"to": to, "subject": subject, "body": body}, ("" if text else NO_AGENDA)


def _found_label(cards: list[dict[str, str]]) -> str:
    first = f"“{cards[0].get('title', '')}”"
    return first if len(cards) == 1 else f"{first} (the first of {len(cards)})"


async def run_steps(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    """Run a read, then propose the side effect on its first result, on one card listing both steps."""
    (read, act) = (Plan(Intent(s["intent"]), dict(s.get("args") or {})) for s in plan.args["steps"])
    if is_side_effect(read.intent) or act.intent not in PROPOSERS:
        raise TurnFailed("I can't carry out these steps together. Ask for them one at a time.")
    chip = await st.chip(f"Plan: {replies.failure_what(read.intent.value)}, then {replies.failure_what(act.intent.value).lower()}")
    st.end_chip(chip, True)
    note = ""
    if read.intent == Intent.CALENDAR_LIST:
        found = await find_meeting(eng, st, read)
    else:
        before = len(st.turn.cards)
        await read_handler(read.intent)(eng, st, read)
        found = [c for c in st.turn.cards[before:] if c.get("kind") not in ("error", "text")]
    if not found:
        raise TurnFailed(f"{replies.failure_what(read.intent.value)} found nothing, so I didn't go on to the next step.")
    st.last_results = st.turn.results
    st.found_file = found[0]
    pointer = act.args.get("ref") or act.args.get("recipients") or {}
    if isinstance(pointer, dict) and pointer.get("attendees"):
        mail, note = await attendee_mail(eng, found[0], str(act.args.get("topic") or "the agenda"))
        act = Plan(act.intent, mail)
    else:
        act = Plan(act.intent, {**act.args, "ref": {"kind": pointer.get("kind", found[0]["kind"]), "index": 0}})
    await propose(eng, st, act)
    card = st.turn.cards[-1]
    card["steps"] = "\n".join([
        f"1. {replies.failure_what(read.intent.value)}: found {_found_label(found)} — done",
        f"2. {card['title'].rstrip('?')} — waits for your Confirm{note}",
    ])
    await st.say(STEPS_REPLY)
