"""Rules for OneDrive files, SharePoint and Teams."""

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
from crm_app.assistant.offline.people import resolve_people

_FILE_TYPE = r"(?:files?|documents?|spreadsheets?|sheets?|workbooks?|presentations?|decks?|slides|reports?|pdfs?|contracts?|proposals?|onedrive)"
_FILE_NOUNS = re.compile(
    r"\b(?:files?|documents?|docs?|spreadsheets?|sheets?|workbooks?|presentations?|decks?|slides|pdfs?|onedrive|drive)\b"
)
_GENERIC = re.compile(
    r"\b(?:files?|documents?|docs?|spreadsheets?|sheets?|workbooks?|presentations?|decks?|slides|onedrive|drive|folder|in|on|my|from|say|says)\b"
)
_ARTICLES = re.compile(r"^(?:the|teh|a|an|my|our|that|this)\s+", re.IGNORECASE)
_RECENT = re.compile(
    r"\b(?:recent|recently|latest|lately|last (?:opened|edited|modified|used)|newest|modified|edited|worked on)\b"
)
_WORKED_ON = re.compile(
    r"^what (?:did|have) i (?:been )?(?:work(?:ed|ing)? on|edit(?:ed|ing)?|chang(?:e|ed|ing)|touch(?:ed)?)\b"
    r"(?! (?:in|on) (?:the |my )?(?:crm|calendar|inbox|mail)\b)"
)
_FILE_LIST = re.compile(
    r"^(?:list|show|display|see|view|get|what|which|browse|give me)\b|^(?:my )?(?:onedrive|files)\b|^(?:recent|latest)\b"
)
_FOLDER = re.compile(
    r"\b(?:in|inside|under|of) (?:my |the )?(?:onedrive )?(?P<name>[\w -]+?) folder\b"
    r"|^(?:list|show|open|browse|see|display)(?: me)? (?:my |the )?(?:onedrive )?(?P<name2>[\w-]+(?: [\w-]+)?) folder\b"
    r"|\bfiles (?:are |do i have )?in (?:my |the )?(?P<name3>[\w-]+) *$"
)
_FILE_SEARCH = re.compile(
    r"^(?:find|search|look for|look up|locate|where is|where are|where did i (?:put|save|leave)|do i have|is there|get me|fetch|pull up|dig up)\b"
)
_NAMED_DOCUMENT = re.compile(
    r"^(?:where is|where are|where did i (?:put|save|leave)|find|search for|locate|look for) (?:the |my |our )?(?:[\w-]+ ){0,3}"
    r"(?:report|proposal|contract|roadmap|deck|plan|policy|guide|invoice|presentation|sheet|spreadsheet|document|file|pdf|notes|log|analysis)s?\b"
)
_NAMED = re.compile(r"\b(?:named|called|titled)\b (?P<q>.+?)(?= (?:in|on|from)\b|$)")
_ABOUT = re.compile(
    r"\b(?:about|for|with|containing|mentioning)\b (?P<q>.+?)(?= (?:in|on|from)\b|$)"
)
_SEARCH_IN = re.compile(
    r"\b(?:search|look in|look through|check) (?:my |the )?(?:onedrive|drive|files|documents)(?: for)? (?P<q>.+)$"
    r"|^(?:files?|documents?|docs) (?:about|on|mentioning|for|related to) (?P<q2>.+?)(?: (?:in|on) (?:my )?(?:onedrive|drive))?$"
)
_READ = re.compile(
    r"^(?:open|read|summari[sz]e|show me what is in|what is in|what does|view|preview|give me the contents of|show (?:me )?the contents of)\b"
)
_TOP = re.compile(
    r"\b(?P<n>\d{1,3}) (?:most recent|latest|newest|recent|last)\b|\b(?:last|latest|top|recent) (?P<m>\d{1,3})\b"
)

_SHARE = re.compile(r"^share (?P<what>.+?) with (?P<who>.+?)$")
_GIVE_ACCESS = re.compile(
    r"^(?:give|grant) (?P<who>.+?) (?:(?:read|edit|write|view) )?(?:access )?to (?P<what>.+?)$"
)
_SHARE_ALONE = re.compile(r"^share (?P<what>(?!it\b|them\b|this\b|that\b).+?)$")
_LET_ACCESS = re.compile(
    r"^let (?P<who>.+?) (?P<verb>edit|change|update|see|view|read|access|open) (?P<what>.+?)$"
)
_SEND_FILE = re.compile(
    rf"^send (?P<what>(?:the |my |our |that |this )?.*?\b{_FILE_TYPE}) to (?P<who>.+?)$"
)
_ROLE_WRITE = re.compile(
    r"\b(?:so (?:he|she|they|he or she) can edit(?: it)?|can edit|with edit(?:ing)? (?:access|rights|permissions?)|edit access|write access|as (?:an )?editors?|editable)\b"
)
_ROLE_READ = re.compile(
    r"(?:\( ?)?\b(?:read[- ]only|view[- ]only|read access|view access|can view|can read|so (?:he|she|they) can (?:see|read|view)(?: it)?)\b(?: ?\))?"
)

_SP = re.compile(r"\bsharepoint\b")
_SITES = re.compile(r"\bsites\b|\bsite list\b")
_SITE_ACCESS = re.compile(r"^(?:which|what) sites (?:can|do) i\b")
_SP_QUERY_NOISE = re.compile(
    r"\b(?:find|search|look for|look up|look|locate|where is|where are|is|are|do we have|get|fetch|sharepoint search|search sharepoint for|doc|docs|"
    r"in sharepoint|on sharepoint|on the sharepoint|in the sharepoint|sharepoint|for|in|on|there|please)\b"
)
_SITE_FILES = re.compile(
    r"\b(?:files|documents|docs|what is|contents?|browse|stuff)\b.*?\b(?:in|on|of|from)? ?(?:the )?(?P<site>(?!the\b)[\w&-]+(?: (?!sharepoint\b)[\w&-]+)?) (?:sharepoint )?site\b"
    r"|^what is (?:in|on) (?:the )?(?P<site2>[\w&-]+(?: [\w&-]+)?) sharepoint\b"
    r"|^browse (?:the )?(?P<site3>[\w&-]+(?: [\w&-]+)?) site\b"
)

_TEAMS = re.compile(r"\b(?:teams|microsoft teams|ms teams)\b")
_CHANNELS = re.compile(r"\bchannels\b")
_TEAMS_LIST = re.compile(
    r"\b(?:teams am i|teams do i|my teams|microsoft teams|ms teams|teams i am|list teams|all teams|which teams|what teams)\b"
)
_CHANNEL_TEAM = re.compile(
    r"\b(?:in|of|for|on|from) (?:the )?(?P<team>[\w&-]+(?: [\w&-]+)??)(?: team)?(?: on teams)?$"
    r"|\bdoes (?:the )?(?P<team2>[\w&-]+(?: [\w&-]+)?) team have\b"
    r"|\bdoes (?:the )?(?P<team3>[\w&-]+) have\b"
)
_POST = re.compile(r"^(?:post|send|share|put|write|drop|tell|announce|message)\b")
_POST_TARGETS = [
    re.compile(
        r"\b(?:in|to|on) (?:the )?(?P<channel>[\w&-]+) channel (?:of|in|on) (?:the )?(?P<team>[\w&-]+)(?: team)?\b"
    ),
    re.compile(r"\b(?:in|to|on) (?P<team>[\w&-]+) ?> ?(?P<channel>[\w&-]+)\b"),
    re.compile(
        r"\b(?:to|in|on) (?:the )?(?P<team>[\w&-]+) team(?:'s)? (?P<channel>[\w&-]+) channel\b"
    ),
    re.compile(r"\b(?:to|in|on) (?:the )?(?P<team>[\w&-]+) (?P<channel>[\w&' -]+?) channel\b"),
    re.compile(r"\b(?:to|in|on) (?:the )?(?P<team>[\w&-]+) team\b(?! on teams)"),
    re.compile(
        r"^tell (?:the )?(?P<team>[\w&-]+) team in (?:the )?(?P<channel>[\w&-]+(?: [\w&-]+)??)(?: channel)?(?= that\b| saying\b| ?:)"
    ),
    re.compile(r"^tell (?:the )?(?P<team>[\w&-]+) team\b"),
    re.compile(r"^message (?:the )?(?P<team>[\w&-]+) team\b"),
    re.compile(r"\b(?:to|in) (?:the )?(?P<team>[\w&-]+) team on teams\b"),
    re.compile(r"^(?:post|write) (?:to|in) (?P<team>[\w&-]+) (?P<channel>[\w&-]+(?: [\w&-]+)?)(?= ?:)"),
]
_POST_MESSAGE = re.compile(r"(?:\bsaying\b|\bthat\b|:|\bmessage\b:)\s*(?P<m>.+)$")


def _span_text(req: Request, match: re.Match[str] | None, *groups: str) -> str | None:
    """The user's words behind the first of ``groups`` that matched, or None."""
    if match is None:
        return None
    group = next((g for g in groups if match.groupdict().get(g)), None)
    return req.original(match.start(group), match.end(group)) if group else None


def _file_query(req: Request, start: int, end: int) -> str:
    text = req.original(start, end)
    kept = [w for w in text.split() if not _GENERIC.fullmatch(w.lower().strip(",.?!"))]
    return _ARTICLES.sub("", " ".join(kept)).strip(" ,.?!'\"")


def share_role(n: str) -> tuple[str | None, str]:
    """The access a share asks for ("write", "read" or None) and ``n`` with those words blanked out."""
    role = (
        "write" if _ROLE_WRITE.search(n) else "read" if _ROLE_READ.search(n) else None
    )
    clean = _ROLE_WRITE.sub(lambda m: " " * len(m.group()), n)
    return role, _ROLE_READ.sub(lambda m: " " * len(m.group()), clean)


def share(req: Request) -> Plan | None:
    """ "Share the budget spreadsheet with the finance team"."""
    n = req.n
    role, clean = share_role(n)
    match = (
        _SHARE.match(clean.rstrip())
        or _GIVE_ACCESS.match(clean.rstrip())
        or _SEND_FILE.match(clean.rstrip())
    )
    alone = _SHARE_ALONE.match(clean.rstrip()) if not match else None
    if alone and re.search(rf"\b{_FILE_TYPE}\b", alone["what"]):
        what = _file_query(req, alone.start("what"), alone.end("what"))
        return clarify(
            f"Who should I share “{what}” with?",
            missing="recipients",
            pending_intent=Intent.FILES_SHARE,
            partial={"file_query": what, "role": role},
        )
    let = _LET_ACCESS.match(clean.rstrip()) if not match else None
    if let and re.search(rf"\b{_FILE_TYPE}\b", let["what"]):
        match = let
        role = role or (
            "write" if let["verb"] in ("edit", "change", "update") else "read"
        )
    if not match:
        return None
    what = _file_query(req, match.start("what"), match.end("what"))
    who = cut(req, match.start("who"), match.end("who"), masked=clean)
    people = resolve_people(who, req.ctx.directory)
    args: dict[str, Any] = {
        "file_query": what,
        "recipients": people.addresses,
        "recipient_names": people.names + [name for name, _ in people.ambiguous],
        "role": role,
    }
    if people.ambiguous:
        name, matches = people.ambiguous[0]
        return which_person(name, matches, Intent.FILES_SHARE, args)
    if not (people.addresses or people.names):
        return clarify(
            "Who should I share it with?",
            missing="recipients",
            pending_intent=Intent.FILES_SHARE,
            partial=args,
        )
    if not what:
        return clarify(
            "Which file should I share?",
            missing="file_query",
            pending_intent=Intent.FILES_SHARE,
            partial=args,
        )
    return plan(Intent.FILES_SHARE, args, CONFIDENT)


def sharepoint(req: Request) -> Plan | None:
    """SharePoint sites, searching SharePoint and a site's files."""
    n = req.n
    site_files = _SITE_FILES.search(n)
    if site_files:
        group = next(g for g in ("site", "site2", "site3") if site_files[g])
        site = req.original(site_files.start(group), site_files.end(group))
        if site.lower() not in ("sharepoint", "my", "the", "a"):
            return plan(Intent.SHAREPOINT_LIST_FILES, {"site": site}, CONFIDENT)
    if (_SP.search(n) and _SITES.search(n)) or _SITE_ACCESS.search(n):
        return plan(Intent.SHAREPOINT_SITES, {}, CONFIDENT)
    if not _SP.search(n):
        return None
    quoted = req.quoted()
    if quoted:
        return plan(Intent.SHAREPOINT_SEARCH, {"query": quoted}, CONFIDENT)
    masked = _SP_QUERY_NOISE.sub(lambda m: " " * len(m.group()), n)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", masked)]
    if not words:
        return plan(Intent.SHAREPOINT_SITES, {}, LIKELY)
    query = cut(req, words[0][0], words[-1][1], strip_articles=True)
    return plan(Intent.SHAREPOINT_SEARCH, {"query": query}, CONFIDENT)


def files(req: Request) -> Plan | None:
    """Listing, recent, searching and opening OneDrive files."""
    n = req.n
    has_file_word = _FILE_NOUNS.search(n) or re.search(r"\bfolder\b", n)
    reading = _READ.match(n)
    if reading:
        rest_start = reading.end()
        target = n[rest_start:].strip()
        if (
            target
            and re.search(
                rf"\b(?:{_FILE_TYPE}|plan|guide|policy|roadmap|notes|agenda|minutes|log|analysis|memo|brief)\b|\w\.[a-z]{{2,4}}\b",
                target,
            )
            and not re.search(
                r"\b(?:emails?|mail|messages?|inbox|calendar|deal|contact|company)\b",
                target,
            )
        ):
            folder = _FOLDER.search(n)
            if folder or re.fullmatch(
                r"(?:my )?(?:onedrive|files|documents)(?: folder)?", target
            ):
                return plan(
                    Intent.FILES_LIST,
                    {
                        "folder": _span_text(req, folder, "name", "name2", "name3")
                    },
                    CONFIDENT,
                )
            query = _file_query(req, rest_start, len(n))
            if query:
                return plan(Intent.FILES_READ, {"query": query}, CONFIDENT)
    if _WORKED_ON.match(n):
        return plan(Intent.FILES_RECENT, {}, CONFIDENT)
    if (
        not has_file_word
        and not re.search(r"\bfiles?\b", n)
        and not _NAMED_DOCUMENT.search(n)
    ):
        return None
    top = _TOP.search(n)
    top_value = int(top["n"] or top["m"]) if top else None
    search = _FILE_SEARCH.match(n) or _SEARCH_IN.search(n)
    if search:
        named = _SEARCH_IN.search(n) or _NAMED.search(n) or _ABOUT.search(n)
        if named:
            group = "q2" if named.groupdict().get("q2") else "q"
            query = cut(req, named.start(group), named.end(group), strip_articles=True)
            query = _file_query(req, named.start(group), named.end(group)) or query
        else:
            query = _file_query(req, search.end(), len(n))
        if query and not re.fullmatch(
            r"(?:any |some )?(?:recent|files?|documents?)", query.lower()
        ):
            return plan(Intent.FILES_SEARCH, {"query": query}, CONFIDENT)
    if _RECENT.search(n):
        return plan(Intent.FILES_RECENT, {"top": top_value}, CONFIDENT)
    folder = _FOLDER.search(n)
    if _FILE_LIST.search(n) or folder or re.search(r"\b(?:onedrive|files)\b", n):
        return plan(
            Intent.FILES_LIST,
            {
                "folder": _span_text(req, folder, "name", "name2", "name3"),
                "top": top_value,
            },
            CONFIDENT if _FILE_NOUNS.search(n) else LIKELY,
        )
    return None


def teams(req: Request) -> Plan | None:
    """Listing teams and channels, posting to a channel."""
    n = req.n
    teams_word = _TEAMS.search(n)
    if (
        _POST.match(n)
        and (
            teams_word
            or re.search(r"\bchannel\b|\w ?> ?\w|^(?:post|announce)\b", n)
            or re.match(r"^tell (?:the )?[\w&-]+ team in\b", n)
        )
        and not re.search(r"\b(?:teams )?(?:call|meeting)\b", n)
    ):
        return _post(req)
    if _CHANNELS.search(n):
        match = _CHANNEL_TEAM.search(n)
        if match:
            group = next(g for g in ("team", "team2", "team3") if match[g])
            team = req.original(match.start(group), match.end(group))
            return plan(Intent.TEAMS_CHANNELS, {"team_name": team}, CONFIDENT)
        return clarify(
            "Which team's channels should I list?",
            missing="team_name",
            pending_intent=Intent.TEAMS_CHANNELS,
            options=["List my teams"],
        )
    if (
        teams_word
        and _TEAMS_LIST.search(n)
        and not re.search(r"\b(?:call|meeting)\b", n)
    ):
        return plan(Intent.TEAMS_LIST, {}, CONFIDENT)
    return None


def _post(req: Request) -> Plan:
    n = req.n
    args: dict[str, Any] = {}
    quoted = req.quoted()
    message_start = len(n)
    if quoted:
        args["message"] = quoted
    for pattern in _POST_TARGETS:
        match = pattern.search(n)
        if match:
            args["team_name"] = req.original(match.start("team"), match.end("team"))
            if "channel" in match.groupdict() and match["channel"]:
                args["channel_name"] = req.original(
                    match.start("channel"), match.end("channel")
                )
            message_start = match.end()
            break
    if "message" not in args:
        body = _POST_MESSAGE.search(
            n, min(message_start, len(n)) if message_start < len(n) else 0
        )
        if body:
            args["message"] = cut(req, body.start("m"), body.end("m"))
    if not args.get("team_name"):
        return clarify(
            "Which team should I post to?",
            missing="team_name",
            pending_intent=Intent.TEAMS_POST,
            partial=args,
            options=["List my teams"],
        )
    if not args.get("message"):
        return clarify(
            f"What should I post in {args['team_name']}?",
            missing="message",
            pending_intent=Intent.TEAMS_POST,
            partial=args,
        )
    return plan(Intent.TEAMS_POST, args, CONFIDENT)
