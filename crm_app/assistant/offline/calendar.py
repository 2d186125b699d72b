"""Rules for the Outlook calendar: listing, scheduling and finding free time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.common import (
    CONFIDENT,
    LIKELY,
    Request,
    clarify,
    cut,
    plan,
    which_person,
)
from crm_app.assistant.offline.periods import day_bounds, event_times, iso, search_range
from crm_app.assistant.offline.people import resolve_people

DEFAULT_LIST_SPAN = timedelta(days=7)

_EVENT = r"(?:meeting|meetings|call|calls|event|events|appointment|appointments|lunch|dinner|breakfast|coffee|catch-?up|sync|review|session|demo|1:1|one-on-one|standup|stand-up|workshop|interview|reminder|block)"
_GENERIC_EVENT = {
    "meeting",
    "call",
    "event",
    "appointment",
    "teams call",
    "teams meeting",
    "video call",
    "online meeting",
    "meeting invite",
    "invite",
    "calendar invite",
}
_SCHEDULE_VERB = re.compile(
    r"^(?:schedule|book|set up|setup|arrange|organi[sz]e|plan|put|add|create|make|block(?: out)?|pencil in|invite|send (?:a |an )?(?:calendar )?invite|throw|get)\b"
)
_BOOK_TIME = re.compile(
    r"^(?:book|block(?: out)?|hold|set aside|reserve|put in|schedule) (?:some |a )?(?:time|slot|hour|half hour)\b"
    r"|^(?:schedule|book|set up|arrange|organi[sz]e|put in) something\b"
)
_CALENDAR_TARGET = re.compile(
    r"\b(?:to|in|on|into) (?:my |the )?(?:calendar|diary|schedule|agenda)\b"
)
_VERBLESS = re.compile(rf"^(?:a |an )?(?:new )?{_EVENT} with\b|^meet (?:with|up with)\b")
_LENGTH_FIRST = re.compile(
    r"^(?:(?:book|block(?: out)?|set up|setup|schedule|hold|grab|put in|find|get) )?(?:a |an )?(?:quick |short )?"
    r"(?:\d+|an?|one|two|half an?)[ -]?(?:min|mins|minutes?|hours?|hrs?)\b"
)
_LIST_WORDS = re.compile(
    r"\b(?:calendar|calender|diary|agenda|schedule|meetings?|events?|appointments?|calls?|busy)\b|"
    r"^what do i have\b|^what (?:is|have i got) (?:on|planned|coming up)\b|^anything (?:on|scheduled|planned|coming up)\b|\bscheduled\b|"
    r"\bmy day\b|\b(?:do|have) i (?:have|got) (?:anything|something|much) (?:on|planned|scheduled|booked|coming up)\b"
)
_FREE = re.compile(
    r"\b(?:free|available|availability|free time|free slot|open slot|gap|slot|slots)\b|"
    r"^(?:is|am i) (?:my )?(?:(?:this |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow)"
    r"(?: morning| afternoon| evening)?|(?:this |tomorrow )?(?:morning|afternoon|evening)) (?:open|clear)$|"
    r"^find (?:a |an )?(?:\d+|an?|one|two|half an?)[ -]?(?:min|mins|minutes?|hours?|hrs?)\b|"
    r"^find (?:a |some )?(?:good )?time\b|\b(?:good|best) time (?:for|to)\b|^when can (?:i|we) meet\b"
)
_NEXT_EVENT = re.compile(r"\bnext (?:meeting|event|appointment|call)\b(?!s)")
_SUBJECT = re.compile(
    r"\b(?:called|titled|named|entitled|about|regarding|re|subject|to discuss|for discussing|on the topic of)\b:? (?P<s>.+?)"
    r"(?= (?:with|on|at|for|in|from|tomorrow|today|next|this)\b|$)"
)
_ATTENDEES = re.compile(
    r"\b(?:with|w/|between me and|for me and)\b (?P<who>.+?)(?= (?:about|regarding|re|to discuss|on|at|for|in|from|called|titled|tomorrow|today|next|this)\b| ?,|$)"
)
_INVITE = re.compile(
    r"^invite (?P<who>.+?) to (?:(?:a|an|the|my|our) )?(?P<s>.+?)(?= (?:on|at|for|in|from|tomorrow|today|next|this)\b|$)"
)
_FREE_WITH = re.compile(
    r"^when (?:are|is) (?P<who>.+?) (?:and i |and me )?(?:both |all )?(?:free|available)\b"
    r"|^when can (?:i|we) meet(?: with| up with)? (?P<who2>.+?)(?= (?:next|this|on|for|tomorrow|today|in)\b| *$)"
)
_FOR_SUBJECT = re.compile(r"\bfor (?P<s>(?!me\b|us\b)[\w' -]+?) *$")
_AT_COMPANY = re.compile(r"^ at (?P<company>[\w'-]+(?: [\w'-]+)?)")
_LOCATION = re.compile(
    r"\b(?:in|at) (?P<loc>(?:the )?(?:[\w-]+ )?(?:room|office|hq|cafe|building|floor|lobby|boardroom|canteen|kitchen)\b(?: [\w-]+)?)"
    r"|\b(?:location|venue|place)(?: is)?:? (?P<loc2>[\w -]+)"
)
_KIND_BEFORE_WITH = re.compile(
    r"^(?:(?:schedule|book|set up|setup|arrange|organi[sz]e|plan|put|add|create|make|pencil in|get)(?: in)? )?(?:(?:a|an|the|my|our|new|quick|short) )*(?P<s>.+?)(?= with\b| for\b| on\b| at\b| to my\b| in my\b| to the\b| in the\b| tomorrow\b| today\b| next\b| this\b|$)"
)


def _attendees(
    req: Request,
    masked: str,
    args: dict[str, Any],
    intent: Intent,
    names: dict[str, str],
) -> Plan | None:
    invite = _INVITE.match(masked)
    free_with = _FREE_WITH.match(masked)
    match = invite or free_with or _ATTENDEES.search(masked)
    if not match:
        return None
    group = "who2" if free_with and free_with["who2"] else "who"
    who = cut(req, match.start(group), match.end(group), masked=masked)
    at = _AT_COMPANY.match(masked[match.end(group):])
    if at:
        for company in (at["company"], at["company"].split()[0]):
            if req.ctx.directory.find_companies(company):
                end = match.end(group) + len(" at ") + len(company)
                who = cut(req, match.start(group), end, masked=masked)
                break
    people = resolve_people(who, req.ctx.directory)
    args["attendees"] = people.addresses
    names.update(people.names_by_address)
    args["attendee_names"] = people.names
    if people.ambiguous:
        name, matches = people.ambiguous[0]
        return which_person(name, matches, intent, args)
    return None


def _subject(req: Request, masked: str) -> str:
    quoted = req.quoted()
    if quoted:
        return quoted
    invite = _INVITE.match(masked)
    if invite:
        return cut(req, invite.start("s"), invite.end("s"), masked=masked)
    explicit = _SUBJECT.search(masked) or _FOR_SUBJECT.search(masked)
    if explicit:
        return cut(req, explicit.start("s"), explicit.end("s"), masked=masked)
    kind = _KIND_BEFORE_WITH.match(masked)
    if kind:
        text = cut(req, kind.start("s"), kind.end("s"), masked=masked)
        lowered = text.lower()
        if (
            lowered
            and lowered not in _GENERIC_EVENT
            and not lowered.startswith(("team ", "teams "))
        ):
            return text
    return ""


def create(req: Request) -> Plan | None:
    """ "Schedule a meeting with the team next Monday at 2pm"."""
    n = req.n
    verb = _SCHEDULE_VERB.match(n)
    event_word = re.search(rf"\b{_EVENT}\b", n)
    when = req.when("future")
    length_first = bool(_LENGTH_FIRST.match(n)) and when.clock is not None
    if length_first and n.startswith("find"):
        return None
    if verb and not length_first:
        if not (
            event_word
            or _CALENDAR_TARGET.search(n)
            or n.startswith("invite")
            or _BOOK_TIME.match(n)
        ):
            return None
        if re.match(r"^(?:add|create|make|put)\b", n) and not (
            _CALENDAR_TARGET.search(n) or event_word
        ):
            return None
    elif not (length_first or (_VERBLESS.match(n) and when.clock is not None)):
        return None
    if _FREE.search(n) and not (verb or length_first):
        return None
    masked = when.mask(n)
    args: dict[str, Any] = {"time_zone": req.ctx.tz.key}
    names: dict[str, str] = {}
    question = _attendees(req, masked, args, Intent.CALENDAR_CREATE, names)
    if question:
        return question
    args["subject"] = _subject(req, masked)
    location = _LOCATION.search(masked)
    if location:
        group = "loc" if location["loc"] else "loc2"
        args["location"] = cut(
            req, location.start(group), location.end(group), masked=masked
        )
    times = event_times(when, req.now)
    if times is None:
        day = " on " + when.day.strftime("%A %d %B") if when.day else ""
        return clarify(
            f"When should the meeting start{day}?",
            missing="start",
            pending_intent=Intent.CALENDAR_CREATE,
            partial=args,
            options=["Tomorrow at 10am", "Next Monday at 2pm"],
        )
    args["start"], args["end"] = iso(times[0]), iso(times[1])
    if when.duration is None and when.end_clock is None:
        args["default_length"] = True
    return plan(Intent.CALENDAR_CREATE, args, CONFIDENT, names=names)


_MY_DAY = re.compile(r"\bmy (?P<unit>day|week)\b")


def _whole(n: str, req: Request) -> tuple[datetime, datetime] | None:
    """ "My day" is today and "my week" this week, when no other date was named."""
    match = _MY_DAY.search(n)
    if match is None:
        return None
    today = req.now.date()
    if match["unit"] == "day":
        return day_bounds(today, req.ctx.tz)
    monday = today - timedelta(days=today.weekday())
    return day_bounds(monday, req.ctx.tz)[0], day_bounds(monday + timedelta(days=7), req.ctx.tz)[0]


def find_times(req: Request) -> Plan | None:
    """ "When am I free tomorrow?", "find a time to meet with John Smith next week"."""
    n = req.n
    if not _FREE.search(n):
        return None
    if not (
        re.search(
            r"^(?:when|find|what|do i|am i|are|is|check|show|look|get|any|suggest|which)\b",
            n,
        )
    ):
        return None
    when = req.when("future")
    masked = when.mask(n)
    args: dict[str, Any] = {}
    names: dict[str, str] = {}
    question = _attendees(req, masked, args, Intent.CALENDAR_FIND_TIMES, names)
    if question:
        return question
    period = search_range(when, req.ctx.tz)
    if period is None:
        period = (req.now, req.now + DEFAULT_LIST_SPAN)
    args["start"], args["end"] = iso(period[0]), iso(period[1])
    if when.duration:
        args["duration_minutes"] = int(when.duration.total_seconds() // 60)
    return plan(Intent.CALENDAR_FIND_TIMES, args, CONFIDENT, names=names)


def list_events(req: Request) -> Plan | None:
    """ "What's on my calendar tomorrow?", "show me this week's meetings", "what's my next meeting"."""
    n = req.n
    if not _LIST_WORDS.search(n):
        return None
    when = req.when("future")
    args: dict[str, Any] = {}
    if _NEXT_EVENT.search(n) and not when.has_date:
        return plan(Intent.CALENDAR_LIST, {"start": iso(req.now), "top": 1}, CONFIDENT)
    period = search_range(when, req.ctx.tz) or _whole(n, req)
    if period is None and when.clock is None:
        period = (req.now, req.now + DEFAULT_LIST_SPAN)
    if period is not None:
        args["start"], args["end"] = iso(period[0]), iso(period[1])
    confidence = (
        CONFIDENT
        if re.search(
            r"\b(?:calendar|agenda|meetings?|events?|appointments?|schedule)\b", n
        )
        else LIKELY
    )
    return plan(Intent.CALENDAR_LIST, args, confidence)
