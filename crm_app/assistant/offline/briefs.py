"""The rule for a meeting brief: "brief me on my next meeting", "prepare me for the Acme call",
"what do I need to know before my meeting with John Smith"."""

from __future__ import annotations

import re

from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.common import CONFIDENT, Request, plan

_ASK = re.compile(
    r"^(?:brief me|give me a brief(?:ing)?|(?:help me )?(?:prep|prepare|get ready)(?: me)?|get me ready|"
    r"what do i need to know|what should i know|catch me up)\b(?: (?:on|for|about|before|ahead of))? (?P<what>.+)$"
)
_MEETING = re.compile(r"\b(?:meeting|call|sync|appointment|catch-?up|review|demo|qbr|1:1|one-on-one)\b")
_NEXT = re.compile(r"^(?:my |the )?(?:next|upcoming|coming) (?:meeting|call|appointment|event)$")
_FILLER = re.compile(
    r"^(?:my |the |our |next |upcoming )|(?: meeting| call| sync| appointment| event)$|"
    r"^(?:meeting|call|sync|appointment|event) (?:with|about|on) |^with ",
    re.IGNORECASE,
)


def _query(what: str) -> str:
    text = what.strip(" ?.!")
    previous = None
    while previous != text:
        previous, text = text, _FILLER.sub("", text).strip()
    return text


def meeting_brief(req: Request) -> Plan | None:
    """A brief on the next meeting, or on the next one matching a name, a company or a topic."""
    match = _ASK.match(req.n)
    if match is None or not _MEETING.search(match["what"]):
        return None
    what = match["what"].strip(" ?.!")
    if _NEXT.match(what):
        return plan(Intent.CALENDAR_BRIEF, {}, CONFIDENT)
    original = req.original(match.start("what"), match.end("what"))
    query = _query(original)
    return plan(Intent.CALENDAR_BRIEF, {"query": query} if query else {}, CONFIDENT)
