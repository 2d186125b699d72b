"""The rule for a request in two steps, a read and then a side effect on what it finds:
"find the Q4 report and share it with the finance team", "search my mail for the invoice from Acme and
log it to the CRM", "log my last email from Hannah to the Globex deal". The second part's "it" / "them" points at the first part's result: its `ref` is
``{"kind": ..., "step": 1}``."""

from __future__ import annotations

import dataclasses
import re

from crm_app.assistant.intents import Intent, Plan, ResultRef
from crm_app.assistant.offline.common import CONFIDENT, Request, plan

_SPLIT = re.compile(r"^(?P<first>.+?),? and (?:then )?(?P<second>.+)$")
_LOG_FROM = re.compile(
    r"^(?:log|file|save|attach) (?P<first>(?:my |the )?(?:last|latest|most recent|newest) (?:e-?mail|mail|message) "
    r"from .+?) (?:to|on|against|under) (?P<target>(?:the |my )?.+)$"
)
_POINTER = re.compile(r"\b(?:it|them|that|those|this one)\b")
# The reads whose result a second step can act on, and the kind of result each gives.
READ_KINDS: dict[Intent, str] = {
    Intent.FILES_SEARCH: "file",
    Intent.MAIL_SEARCH: "email",
    Intent.SHAREPOINT_SEARCH: "file",
}
_ATTENDEES = re.compile(
    r"^(?:e-?mail|send (?:an? )?e-?mail to|write to|message) (?:everyone|everybody|all(?: the)? attendees|the attendees|"
    r"all(?: the)? participants|the participants|the people) (?:on|in|of|at|from|invited to) "
    r"(?P<meeting>.+?\b(?:meeting|call|sync|review|event|appointment))\b(?: (?:with |about )?(?P<topic>.+))?$"
)
_CLOCK = re.compile(r"\b(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))? ?(?P<half>am|pm)\b|\b(?P<h24>\d{1,2}):(?P<m24>\d{2})\b")
FOLLOWING: frozenset[Intent] = frozenset({Intent.FILES_SHARE, Intent.MAIL_REPLY, Intent.CRM_LOG_EMAIL})
STEP_REF = "step-1"


def clock_of(text: str) -> str:
    """The time of day a phrase names ("10am", "2:30 pm", "14:00") as HH:MM, or ""."""
    match = _CLOCK.search(text)
    if match is None:
        return ""
    if match["h24"]:
        return f"{int(match['h24']):02d}:{match['m24']}"
    hour = int(match["hour"]) % 12 + (12 if match["half"] == "pm" else 0)
    return f"{hour:02d}:{match['minute'] or '00'}"


def mail_attendees(req: Request) -> Plan | None:
    """ "email everyone on tomorrow's 10am meeting the agenda": find the meeting, then mail its attendees."""
    from crm_app.assistant.parser import parse_alone

    match = _ATTENDEES.match(req.n)
    if match is None:
        return None
    meeting = req.original(match.start("meeting"), match.end("meeting"))
    first = parse_alone(f"show {meeting}", req.ctx)
    if first.intent != Intent.CALENDAR_LIST:
        return None
    at = clock_of(match["meeting"])
    topic = req.original(match.start("topic"), match.end("topic")).strip(" .!?") if match["topic"] else ""
    send = {"recipients": {"kind": "event", "step": 1, "attendees": True}, "topic": topic or "the agenda"}
    find = {**first.args, "meeting": meeting, **({"at": at} if at else {})}
    return plan(Intent.STEPS, {"steps": [{"intent": first.intent.value, "args": find},
                                         {"intent": Intent.MAIL_SEND.value, "args": send}]}, CONFIDENT)


def two_steps(req: Request) -> Plan | None:
    """A read, then a side effect on its result, as one plan of both steps."""
    from crm_app.assistant.parser import parse_alone

    attendees = mail_attendees(req)
    if attendees is not None:
        return attendees
    logging = _LOG_FROM.match(req.n)
    match = logging or _SPLIT.match(req.n)
    if match is None or (logging is None and not _POINTER.search(match["second"])):
        return None
    first = parse_alone(req.original(match.start("first"), match.end("first")), req.ctx)
    kind = READ_KINDS.get(first.intent)
    if kind is None:
        return None
    pointing = dataclasses.replace(req.ctx, last_results=[ResultRef(kind, STEP_REF, "the first step's result")])
    then = ("log it to " + req.original(match.start("target"), match.end("target")) if logging else
            req.original(match.start("second"), match.end("second")))
    second = parse_alone(then, pointing)
    if second.intent not in FOLLOWING:
        return None
    steps = [{"intent": first.intent.value, "args": first.args},
             {"intent": second.intent.value, "args": {**second.args, "ref": {"kind": kind, "step": 1}}}]
    return plan(Intent.STEPS, {"steps": steps}, CONFIDENT)
