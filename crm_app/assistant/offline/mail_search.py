"""Rules for searching Outlook mail and listing its folders.

A search's filters are slots read independently of one another, in any order:
sender (a contact, a company, a role, or a name), date range, unread, folder,
attachments, the newest N, and the words to look for.
"""

from __future__ import annotations

import re
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
from crm_app.assistant.offline.periods import iso, search_range
from crm_app.assistant.offline.people import resolve_people
from crm_app.assistant.offline.vocab import NUMBER_WORDS

_FOLDERS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\b(?:sent items|sent mail|sent folder|sent emails|sent messages|outbox|i sent|i have sent|i've sent|did i send|have i sent)\b"
        ),
        "sentitems",
    ),
    (re.compile(r"\b(?:drafts|draft folder)\b"), "drafts"),
    (re.compile(r"\b(?:deleted items|deleted (?:emails?|mails?|messages?)|trash|bin)\b"), "deleteditems"),
    (re.compile(r"\b(?:junk|spam)\b"), "junkemail"),
    (re.compile(r"\barchive\b"), "archive"),
    (re.compile(r"\binbox\b"), "inbox"),
]
_NAMED_FOLDER = re.compile(
    r"\b(?:in|from|show|open|list|see)(?: me)? (?:my |the )?(?P<name>[\w -]+?) folder\b"
)
_MAIL_WORDS = re.compile(
    r"\b(?:emails?|mail|mails|inbox|messages?|mailbox|outlook|sent items|threads?|conversations?|drafts|junk|spam|unread)\b"
    r"|^(?:anything|something|everything) (?:about|regarding|re|mentioning)\b"
    r"|\b(?:came in|come in|arrived)\b|\bdid i send\b"
)
_FOLDER_WORD = re.compile(r"\bfolder\b")
_OPEN_NEWEST = re.compile(r"^(?:read|open|show me|pull up|bring up|display)(?: me| up)? (?:the |my )?(?:most recent|latest|newest|last) (?:email|mail|message)\b")
_ADDRESS_QUESTION = re.compile(r"(?:'s|s') (?:e-?mail )?address$|^what is (?:the )?e-?mail address (?:of|for)\b")
_TRAILING_FOLDER = re.compile(r"\bin (?:my |the )?(?P<name>[a-z][\w-]+) *$")
_NOT_FOLDERS = frozenset({"it", "them", "there", "full", "detail", "english", "total", "general", "person"})
_ATTACHMENT = re.compile(r"\battach(?:ment|ments|ed)\b")
_ATTACHMENT_PHRASE = re.compile(
    r"(?:\b(?:with|that have|that has|which have|which has|having|containing|including) (?:an? |any |the |some )?)?"
    r"\b(?:attachments|attachment|attached)\b(?= *$| (?:from|sent|received|this|last|in|on|that|which)\b)"
)
_QUERY_LEAD = re.compile(
    r"^(?:(?:anything|something|everything|stuff) )?(?:(?:on|about|regarding|re|to do with) )?(?:the |a |an |my )?", re.IGNORECASE
)
_FOLDER_LIST = re.compile(r"\bfolders\b")
_FILE_WORDS = re.compile(r"\b(?:files?|onedrive|sharepoint|documents?|spreadsheets?)\b")
_UNREAD = re.compile(
    r"\b(?:unread|unseen|not (?:yet )?read|new (?:emails?|mail|messages?)|anything new|(?:have not|haven't|havent) (?:i |yet )?(?:read|opened))\b"
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
        r"\bfrom (?P<who>[^ ].*?)(?= (?:about|regarding|re|mentioning|concerning|containing|with|in my|in the|that|which|sent|received|to me|on|have not|haven't|has not|i have not)\b| *$)"
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
_KNOWN_SENDER = [
    re.compile(r"\b(?:everything|anything|all|stuff) (?P<who>(?!i\b|we\b)[\w' .-]+?) (?:sent|has sent|have sent|emailed)\b"),
    re.compile(
        r"\b(?:threads?|conversations?|emails?|messages?|mails?) with (?P<who>[\w' .-]+?)(?= (?:about|regarding|re|on|from|in)\b| *$)"
    ),
    re.compile(r"^(?:show |show me |find |get |list |any )?(?:the |all )?(?P<who>[\w' .-]+?) (?:emails|mails|messages)(?= *$| (?:from|in|this|last|about)\b)"),
]
_SEARCH_NOISE = re.compile(
    r"^(?:(?:show|show me|find|search|search for|get|list|look for|look|fetch|pull up|bring up|give me|display|see|check|read|open)"
    r"(?: me)?|any|are there any|do i have any|did i get any|what|which)\b"
)


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


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _folder_named(req: Request, masked: str) -> str | None:
    """A well-known folder, or one the user named ("in my Clients folder", "in clients")."""
    folder = _folder(req.n)
    if folder:
        return folder
    named = _NAMED_FOLDER.search(masked) or _TRAILING_FOLDER.search(masked)
    if named and named["name"] not in _NOT_FOLDERS:
        return req.original(named.start("name"), named.end("name"))
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


_NOBODY = frozenset({"me", "my", "i", "anyone", "anybody", "everyone", "my inbox", "unread", "new", "my unread", "deleted"})


def _sender(
    req: Request, masked: str, args: dict[str, Any], names: dict[str, str]
) -> tuple[Plan | None, tuple[int, int]]:
    """Fill the sender arguments; a question when the name matched several contacts.

    Also gives the span the sender's words took, so they are not read as search words.
    The phrasings that could as well hold other words ("the Acme emails") count only
    when they name someone the CRM knows.
    """
    for pattern in (*_SENDER, *_KNOWN_SENDER):
        match = pattern.search(masked)
        if not match or not match["who"].strip():
            continue
        who = cut(req, match.start("who"), match.end("who"), masked=masked)
        if not who or who.lower() in _NOBODY:
            continue
        if pattern in _KNOWN_SENDER and resolve_people(who, req.ctx.directory, allow_company=True).empty_of_known:
            continue
        return sender_args(req, who, args, names), match.span("who")
    return None, (0, 0)


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
            text = _QUERY_LEAD.sub("", text)
            if text and not re.fullmatch(
                r"(?:my |the )?(?:emails?|mail|inbox|messages?|threads?|conversations?)", text.lower()
            ):
                return text
    return ""


def search(req: Request) -> Plan | None:
    """Searching mail: by sender, words, dates, folder, unread, newest N."""
    n = req.n
    if _ADDRESS_QUESTION.search(n):
        return None
    mail_words = _MAIL_WORDS.search(n) or (_FOLDER_WORD.search(n) and not _FILE_WORDS.search(n))
    sender_only = any(p.search(n) for p in (*_SENDER[1:], _KNOWN_SENDER[0]))
    if not (mail_words or sender_only):
        return None
    when = req.when("past")
    masked = when.mask(n)
    for pattern, _ in _FOLDERS[:1]:
        masked = pattern.sub(_blank, masked)
    args: dict[str, Any] = {"folder": _folder_named(req, masked)}
    period = search_range(when, req.ctx.tz)
    if period:
        args["start"], args["end"] = iso(period[0]), iso(period[1])
    if _UNREAD.search(n):
        args["unread_only"] = True
    if _ATTACHMENT.search(masked):
        args["has_attachments"] = True
        masked = _ATTACHMENT_PHRASE.sub(_blank, masked)
    top = _top(masked)
    if top:
        args["top"] = top
    names: dict[str, str] = {}
    question, (start, end) = _sender(req, masked, args, names)
    if question:
        return question
    masked = masked[:start] + " " * (end - start) + masked[end:]
    query = _query(req, masked)
    if query:
        args["query"] = query
    if args.get("top") == 1 and _OPEN_NEWEST.match(n) and (args.get("sender") or args.get("sender_name") or args.get("sender_company") or query):
        return plan(Intent.MAIL_GET, {"find": {k: v for k, v in args.items() if v not in (None, "")}}, CONFIDENT, names=names)
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
