"""Rules for writing Outlook mail: send, draft, "let X know"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.common import (
    CONFIDENT,
    Request,
    clarify,
    cut,
    plan,
    which_person,
)
from crm_app.assistant.offline.people import resolve_people

_NOUN = r"(?:email|mail|message|note|line|draft)"
_COMPOSE_VERB = r"(?:send|shoot|drop|fire off|write(?: up)?|compose|draft|prepare|save|create|start|do|make)"
_NOUN_FORM = re.compile(
    rf"^(?P<verb>{_COMPOSE_VERB}) (?:(?:a|an|the|one|quick|new|short|brief|me) )*(?:draft )?{_NOUN}(?: email| message)?\b"
)
_PERSON_FIRST = re.compile(
    rf"^(?P<verb>send|shoot|drop|write(?! up\b)|draft) (?P<who>.+?) (?:a|an) (?:quick |short |brief )?(?:draft )?{_NOUN}\b"
)
_VERB_FORM = re.compile(
    r"^(?:email|mail|message) (?!(?:from|about|regarding|in|on|with|folders?|address|addresses|me|inbox)\b)"
)
_WRITE_TO = re.compile(r"^(?:write|reply) to (?=\S)")
_LET_KNOW = re.compile(r"^let (?P<who>.+?) know\b(?: that)? (?P<body>.+)$")
_TELL = re.compile(
    r"^tell (?P<who>.+?)(?: (?:by|via|over|in an?|through|per) (?:email|mail))?(?: that|:) (?P<body>.+)$"
)
_TEAMS_WORDS = re.compile(r"\b(?:teams|channel|channels|slack)\b|^tell (?:the )?[\w&-]+ team in\b")
_CLAUSE_END = r"(?=$|[,.;!]| and\b| but\b| i\b| please\b| thanks\b)"
_STYLES = r"(?:short|brief|formal|informal|friendly|polite|casual|professional|concise)"
_HOLD = re.compile(
    r"(?:^|,? (?:but |and |just |please )*)"
    rf"(?:(?:do not|never) send (?:it|this|that|anything|the (?:email|mail|message|note|draft))?(?: (?:out|yet|now|for now|just yet|right away|straight away|immediately))*"
    rf"|(?:save|keep|leave) it (?:as an? draft|in (?:my |the )?drafts?(?: folder)?)(?: for now)?"
    rf"|hold (?:it|off)(?: on sending(?: it)?)?(?: for now)?"
    rf"|(?:i will|i want to|i would like to|i need to|let me|so i can|so that i can) (?:review|check|look at|look over|read|edit|proofread|send) it(?: (?:first|myself|later|over|before (?:it goes out|sending|you send it)))*"
    rf"){_CLAUSE_END}"
)
_ASIDE = re.compile(
    r"(?:^|,? (?:but |and |just |please )*)"
    rf"(?:keep|make) it {_STYLES}(?: and {_STYLES})?{_CLAUSE_END}"
)

_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    (
        "cc",
        re.compile(r"\b(?:and )?(?:cc|cc'ing|ccing|copying|copy in|copy)\b(?: ?:)?"),
    ),
    (
        "subject",
        re.compile(
            r"\b(?:about|regarding|re|concerning|on the subject of|with (?:the )?subject(?: line)?|subject(?: line)?|titled|entitled)\b(?: ?:)?"
        ),
    ),
    (
        "body",
        re.compile(
            r"\b(?:saying|that says|which says|and say|and tell (?:him|her|them)(?: that)?|to say|telling (?:him|her|them)(?: that)?|"
            r"with (?:the )?(?:message|body|text)|body)\b(?: ?:)?"
        ),
    ),
    ("to", re.compile(r"\bto\b")),
    ("for", re.compile(r"\bfor\b")),
    ("colon", re.compile(r"(?<!\S):")),
    ("that", re.compile(r"\bthat\b")),
]

@dataclass
class _Segments:
    recipients: str = ""
    cc: str = ""
    subject: str = ""
    body: str = ""


def _segments(
    req: Request, start: int, recipients_first: bool, draft: bool
) -> _Segments:
    """Split the rest of a compose request into recipients, cc, subject and body.

    Each marker ("to", "cc", "about", "saying", ":"...) opens a segment that runs to
    the next marker; once the body starts it runs to the end. "to" only names
    recipients before a subject or body has begun, and ":"/"that" only start the
    body right after the recipients ("mail Grace that …").
    """
    n = req.n
    found: list[tuple[int, int, str]] = []
    for name, pattern in _MARKERS:
        for match in pattern.finditer(n, start):
            found.append((match.start(), match.end(), name))
    found.sort(key=lambda item: (item[0], -item[1]))
    spans: dict[str, tuple[int, int]] = {}
    current = "recipients" if recipients_first else None
    seg_start = start
    last_end = start
    used: set[str] = set()
    for m_start, m_end, name in found:
        if m_start < last_end or current == "body":
            continue
        kind = name
        if name in ("to", "for"):
            if name == "for" and not draft:
                continue
            if "recipients" in spans or current in ("recipients", "subject", "cc"):
                continue
            kind = "recipients"
        elif name in ("colon", "that"):
            if current != "recipients" or used - {"recipients"}:
                continue
            kind = "body"
        elif kind in used:
            continue
        if current is not None:
            spans.setdefault(current, (seg_start, m_start))
        current, seg_start, last_end = kind, m_end, m_end
        used.add(kind)
    if current is not None:
        spans.setdefault(current, (seg_start, len(n)))
    segments = _Segments()
    for key, (s, e) in spans.items():
        setattr(segments, key, cut(req, s, e))
    return segments


def _compose_plan(
    req: Request, intent: Intent, recipients: str, segments: _Segments
) -> Plan:
    directory = req.ctx.directory
    people = resolve_people(recipients, directory) if recipients else None
    copies = resolve_people(segments.cc, directory) if segments.cc else None
    args: dict[str, Any] = {
        "to": people.addresses if people else [],
        "to_names": people.names if people else [],
        "cc": (copies.addresses + copies.names) if copies else [],
        "subject": segments.subject,
        "body": segments.body,
    }
    for group in (people, copies):
        if group and group.ambiguous:
            name, matches = group.ambiguous[0]
            return which_person(name, matches, intent, args)
    if not args["to"] and not args["to_names"]:
        return clarify(
            "Who should I send it to?",
            missing="to",
            pending_intent=intent,
            partial=args,
            options=["A contact's name, e.g. John Smith", "An email address"],
        )
    if not args["subject"] and not args["body"]:
        return clarify(
            "What is the email about?",
            missing="subject",
            pending_intent=intent,
            partial=args,
        )
    names = {
        **(people.names_by_address if people else {}),
        **(copies.names_by_address if copies else {}),
    }
    return plan(intent, args, CONFIDENT, names=names)


def compose(req: Request) -> Plan | None:
    """ "Send an email to …", "email John about …", "draft a message to …", "let X know …".

    What the user tells the assistant rather than the recipient ("don't send it yet",
    "keep it short") is left out of the subject and body; holding it back makes a draft.
    """
    if _TEAMS_WORDS.search(req.n):
        return None
    hold = bool(_HOLD.search(req.n))
    req = req.without(_HOLD).without(_ASIDE)
    n = req.n
    draft = hold or bool(re.search(r"\bdrafts?\b|^prepare\b", n))
    intent = Intent.MAIL_DRAFT if draft else Intent.MAIL_SEND
    known = _LET_KNOW.match(n) or _TELL.match(n)
    if known:
        recipients = req.original(known.start("who"), known.end("who"))
        segments = _Segments(body=cut(req, known.start("body"), known.end("body")))
        return _compose_plan(req, intent, recipients, segments)
    person_first = _PERSON_FIRST.match(n)
    if person_first and not re.search(
        r"\b(?:file|spreadsheet|document|report|deck)\b", person_first["who"]
    ):
        segments = _segments(
            req, person_first.end(), recipients_first=False, draft=draft
        )
        recipients = req.original(person_first.start("who"), person_first.end("who"))
        return _compose_plan(req, intent, recipients, segments)
    noun_form = _NOUN_FORM.match(n)
    if (
        noun_form
        and noun_form["verb"] in ("do", "make", "create", "start")
        and not draft
    ):
        noun_form = None
    lead = noun_form or _VERB_FORM.match(n) or _WRITE_TO.match(n)
    if not lead:
        return None
    recipients_first = lead is not noun_form
    segments = _segments(
        req, lead.end(), recipients_first=recipients_first, draft=draft
    )
    return _compose_plan(req, intent, segments.recipients, segments)
