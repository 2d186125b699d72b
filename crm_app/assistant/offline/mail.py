"""Rules for Outlook mail: writing, searching and listing folders."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
from crm_app.assistant.offline.dates import iso, search_range
from crm_app.assistant.offline.people import resolve_people
from crm_app.assistant.offline.vocab import NUMBER_WORDS

_NOUN = r"(?:email|mail|message|note|line|draft)"
_COMPOSE_VERB = r"(?:send|shoot|drop|fire off|write|compose|draft|prepare|save|create|start|do|make)"
_NOUN_FORM = re.compile(
    rf"^(?P<verb>{_COMPOSE_VERB}) (?:(?:a|an|the|one|quick|new|short|brief|me) )*(?:draft )?{_NOUN}(?: email| message)?\b"
)
_PERSON_FIRST = re.compile(
    rf"^(?P<verb>send|shoot|drop|write|draft) (?P<who>.+?) (?:a|an) (?:quick |short |brief )?(?:draft )?{_NOUN}\b"
)
_VERB_FORM = re.compile(
    r"^(?:email|mail|message) (?!(?:from|about|regarding|in|on|with|folders?|address|addresses|me|inbox)\b)"
)
_WRITE_TO = re.compile(r"^(?:write|reply) to (?=\S)")
_LET_KNOW = re.compile(r"^let (?P<who>.+?) know\b(?: that)? (?P<body>.+)$")
_TELL = re.compile(
    r"^tell (?P<who>.+?)(?: (?:by|via|over|in an?|through|per) (?:email|mail))?(?: that|:) (?P<body>.+)$"
)
_TEAMS_WORDS = re.compile(r"\b(?:teams|channel|channels|slack)\b")
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

_FOLDERS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\b(?:sent items|sent mail|sent folder|sent emails|sent messages|outbox|i sent|i have sent|i've sent)\b"
        ),
        "sentitems",
    ),
    (re.compile(r"\b(?:drafts|draft folder)\b"), "drafts"),
    (re.compile(r"\b(?:deleted items|trash|bin)\b"), "deleteditems"),
    (re.compile(r"\b(?:junk|spam)\b"), "junkemail"),
    (re.compile(r"\barchive\b"), "archive"),
    (re.compile(r"\binbox\b"), "inbox"),
]
_NAMED_FOLDER = re.compile(r"\b(?:in|from) (?:my |the )?(?P<name>[\w -]+?) folder\b")
_MAIL_WORDS = re.compile(
    r"\b(?:emails?|mail|mails|inbox|messages?|mailbox|outlook|sent items)\b"
)
_FOLDER_LIST = re.compile(r"\bfolders\b")
_FILE_WORDS = re.compile(r"\b(?:files?|onedrive|sharepoint|documents?|spreadsheets?)\b")
_UNREAD = re.compile(
    r"\b(?:unread|unseen|not (?:yet )?read|new (?:emails?|mail|messages?)|anything new)\b"
)
_TOP_NUMBER = r"\d{1,3}|" + "|".join(
    w for w in NUMBER_WORDS if w not in ("a", "an", "few", "couple")
)
_TOP = re.compile(
    rf"\b(?:last|latest|newest|most recent|recent|top|first) (?P<a>{_TOP_NUMBER})\b(?! (?:days?|hours?|weeks?|months?)\b)"
    rf"|\b(?P<b>{_TOP_NUMBER}) (?:most recent|latest|newest|last|recent)\b"
)
_SINGLE = re.compile(
    r"\b(?:the|my) (?:most recent|latest|newest|last|recent|new|newest) (?:email|mail|message)\b(?!s)"
    r"|\b(?:most recent|latest|newest) (?:email|mail|message)\b(?!s)"
)
_QUERY = re.compile(
    r"\b(?:about|regarding|re|mentioning|mention|concerning|containing|on the subject of|related to|relating to|"
    r"with (?:the )?subject|with (?:the )?words?|that mention|which mention|on|with)\b (?P<q>.+?)"
    r"(?= (?:from|sent|received|in my|in the|that i|which i|i got|i received|i have)\b|$)"
)
_SEARCH_FOR = re.compile(
    r"\b(?:search|check|look through|look in|go through|scan|find in|look)(?: through| in)? (?:my |the )?(?:emails?|mail|inbox|mailbox|messages?|outlook)(?: for)? (?P<q>.+?)(?= (?:from|sent|received)\b|$)"
)
_SENDER = [
    re.compile(
        r"\bfrom (?P<who>[^ ].*?)(?= (?:about|regarding|re|mentioning|concerning|containing|with|in my|in the|that|which|sent|received|to me|on)\b|$)"
    ),
    re.compile(
        r"^(?:did|has|have) (?P<who>.+?) (?:email|emailed|mail|mailed|write|written|wrote|message|messaged|send|sent|reply|replied|respond|responded)\b"
    ),
    re.compile(
        r"\bwhat (?:did |has |have )?(?P<who>.+?) (?:sent|send|emailed|written|wrote)(?: to)? (?:me|us)\b"
    ),
    re.compile(
        r"^(?:any|anything|something|everything|messages|mail) (?:new |else )?from (?P<who>.+?)(?= (?:about|regarding|on)\b|$)"
    ),
    re.compile(
        r"\b(?:emails?|mails?|messages?) (?:that |which )?(?P<who>(?!i\b|me\b|we\b)[\w' .-]+?) (?:sent|has sent|have sent|wrote|emailed)(?: me| us)?\b"
    ),
]
_SEARCH_NOISE = re.compile(
    r"^(?:(?:show|show me|find|search|search for|get|list|look for|look|fetch|pull up|bring up|give me|display|see|check|read|open)"
    r"(?: me)?|any|are there any|do i have any|did i get any|what|which)\b"
)


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


def folders(req: Request) -> Plan | None:
    """ "Show my mail folders"."""
    n = req.n
    if (
        _FOLDER_LIST.search(n)
        and not _FILE_WORDS.search(n)
        and not re.search(r"\b(?:emails|messages)\b", n)
    ):
        return plan(Intent.MAIL_FOLDERS, {}, CONFIDENT)
    return None


def _folder(n: str) -> str | None:
    for pattern, name in _FOLDERS:
        if pattern.search(n):
            return name
    return None


def _top(n: str) -> int | None:
    match = _TOP.search(n)
    if match:
        text = match["a"] or match["b"]
        value = int(text) if text.isdigit() else NUMBER_WORDS.get(text)
        if value:
            return value
    if _SINGLE.search(n):
        return 1
    return None


def _sender(
    req: Request, masked: str, args: dict[str, Any], names: dict[str, str]
) -> Plan | None:
    """Fill the sender arguments; a question when the name matched several contacts."""
    for pattern in _SENDER:
        match = pattern.search(masked)
        if not match or not match["who"].strip():
            continue
        who = cut(req, match.start("who"), match.end("who"), masked=masked)
        if not who or who.lower() in (
            "me",
            "my",
            "i",
            "anyone",
            "anybody",
            "everyone",
            "my inbox",
        ):
            continue
        return sender_args(req, who, args, names)
    return None


def sender_args(
    req: Request,
    who: str,
    args: dict[str, Any],
    names: dict[str, str],
    intent: Intent = Intent.MAIL_SEARCH,
) -> Plan | None:
    """Fill a search's sender arguments from the user's words for the sender.

    A CRM contact becomes ``sender``, a company ``sender_company``, anyone else
    ``sender_name``; a name several contacts share becomes a question instead.
    """
    people = resolve_people(who, req.ctx.directory, allow_company=True)
    if people.ambiguous:
        name, matches = people.ambiguous[0]
        return which_person(name, matches, intent, args)
    if people.addresses:
        args["sender"] = people.addresses[0]
        names.update(people.names_by_address)
    elif people.companies:
        args["sender_company"] = people.companies[0]
    elif people.names:
        args["sender_name"] = people.names[0]
    return None


def _query(req: Request, masked: str) -> str:
    quoted = req.quoted()
    if quoted:
        return quoted
    for pattern in (_SEARCH_FOR, _QUERY):
        match = pattern.search(masked)
        if match:
            text = cut(
                req,
                match.start("q"),
                match.end("q"),
                strip_articles=True,
                masked=masked,
            )
            if text and not re.fullmatch(
                r"(?:my |the )?(?:emails?|mail|inbox|messages?)", text.lower()
            ):
                return text
    return ""


def search(req: Request) -> Plan | None:
    """Searching mail: by sender, words, dates, folder, unread, newest N."""
    n = req.n
    mail_words = _MAIL_WORDS.search(n)
    sender_only = any(p.search(n) for p in _SENDER[1:])
    if not (mail_words or sender_only):
        return None
    when = req.when("past")
    masked = when.mask(n)
    for pattern, _ in _FOLDERS[:1]:
        masked = pattern.sub(lambda m: " " * len(m.group()), masked)
    args: dict[str, Any] = {}
    period = search_range(when, req.ctx.tz)
    if period:
        args["start"], args["end"] = iso(period[0]), iso(period[1])
    folder = _folder(n)
    named = _NAMED_FOLDER.search(masked)
    if named and not folder:
        folder = req.original(named.start("name"), named.end("name"))
    if folder:
        args["folder"] = folder
    if _UNREAD.search(n):
        args["unread_only"] = True
    top = _top(masked)
    if top:
        args["top"] = top
    names: dict[str, str] = {}
    question = _sender(req, masked, args, names)
    if question:
        return question
    query = _query(req, masked)
    if query:
        args["query"] = query
    confidence = CONFIDENT if mail_words else LIKELY
    return plan(Intent.MAIL_SEARCH, args, confidence, names=names)


_MORE = re.compile(
    r"^(?:(?:show|list|load|get|give me|see|display)(?: me)? )?(?:some )?(?:more|the next(?: \d{1,2}| ones| page| few| batch)?|"
    r"next(?: page| \d{1,2}| ones)?)(?: (?:emails|mails|messages|results|ones|of them|please))*$"
    r"|^(?:are there|any) more(?: emails| results)?$"
)


def more(req: Request) -> Plan | None:
    """ "Show more" after a mail search: the next page of the same search."""
    if not _MORE.match(req.n):
        return None
    if not any(item.kind == "email" for item in req.ctx.last_results):
        return clarify(
            "More of what? I haven't listed any emails in this conversation yet.",
            missing="query",
            options=["Show me emails from the last 3 days", "Show my unread emails"],
        )
    return plan(Intent.MAIL_SEARCH, {"more": True}, CONFIDENT, explanation="Showing the next emails of the same search")
