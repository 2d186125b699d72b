"""Find the tool that serves a capability (mail search, calendar list, …) among whatever tools the
user's servers offer — by name, description and schema — and map canonical arguments onto its schema.

Overrides (`MCP_TOOL_OVERRIDES="mail.search=search_mail,mail.get=get_message"`) pin a capability to a name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from crm_app.tools.arguments import ARG_SYNONYMS, ODATA_OPTIONS, canonical_for, is_odata, map_arguments, norm
from crm_app.tools.base import CRM_SOURCE, BaseTool, ToolRegistry

__all__ = ["ARG_SYNONYMS", "CAPABILITIES", "choose", "discovery_report", "find_tool", "map_arguments",
           "parse_overrides", "score"]

SCORE_CACHE_SIZE = 8192
MIN_SCORE = 5.0
SURE_SCORE = 12.0
SURE_MARGIN = 3.0
PREFERRED_SCORE = 100.0


@dataclass(frozen=True)
class Capability:
    """What a capability's tool looks like: the domain it works in (mail, calendar, drive, …), the thing it
    works on, what it does to it (strong verbs, and weaker ones that also serve), what it must not be, and
    the canonical arguments a request can fill for it."""

    key: str
    preferred: tuple[str, ...]
    domain: str
    objects: tuple[str, ...]
    verbs: tuple[str, ...]
    avoid: tuple[str, ...]
    read_only: bool
    params: tuple[str, ...] = ()
    weak_verbs: tuple[str, ...] = ()
    many: bool = True
    object_required: bool = False


# Domain words, read in a tool's name first (its description only when the name has none). "message",
# "item" and "folder" are mail or drive words only when no other domain word stands beside them.
DOMAINS: dict[str, tuple[str, ...]] = {
    "mail": ("mail", "email", "inbox", "outlook", "mailbox"),
    "calendar": ("calendar", "event", "meeting", "agenda", "appointment"),
    "drive": ("drive", "onedrive", "file", "document"),
    "site": ("sharepoint", "site"),
    "team": ("team", "channel"),
    "chat": ("chat",),
    "people": ("people", "person", "user", "directory"),
    "contact": ("contact",),
    "group": ("group",),
    "planner": ("planner", "task", "todo"),
    "notes": ("onenote", "notebook"),
}
BROAD_WORDS: dict[str, str] = {"message": "mail", "item": "drive", "folder": "drive"}
# Words that narrow a tool to someone else's or a special copy of things: counted against it.
NARROWING = ("shared", "delta", "specific", "instances", "attachment", "rule", "mime", "permission", "thumbnail",
             "version", "hosted", "reaction", "pinned", "sensitivity", "extension", "upload", "session", "categor",
             "override", "focused", "settings", "tips", "online")
# Words that contain a vocabulary word without meaning it.
NOT_WORDS = frozenset({"profile", "address", "addresses"})
DESC_DOMAIN_WORDS = 25

MAIL_OBJECTS = ("message", "mail", "email")
EVENT_OBJECTS = ("event", "view", "agenda", "meeting", "appointment")
FILE_OBJECTS = ("file", "item", "children", "folder", "document")
PEOPLE_OBJECTS = ("people", "person", "user", "directory")
SEARCH = ("search", "find", "lookup", "look", "query")
LIST = ("list", "show", "browse", "enumerate")
GET = ("get", "read", "fetch", "retrieve", "open", "show")
SEND = ("send", "deliver", "dispatch", "compose")
CREATE = ("create", "schedule", "add", "new", "book")

CAPABILITIES: dict[str, Capability] = {c.key: c for c in [
    Capability("mail.search", ("outlook_search_emails", "search_emails", "list_emails", "list_messages", "search_mail"),
               "mail", MAIL_OBJECTS, SEARCH, ("send", "reply", "draft", "folder", "calendar", "event", "file", "channel"),
               True, ("query", "sender", "start", "end", "unread_only", "top", "folder"), weak_verbs=("list", "get")),
    Capability("mail.get", ("outlook_get_email", "get_email", "get_message", "read_email", "read_message"),
               "mail", MAIL_OBJECTS, GET, ("send", "reply", "list", "search", "folder", "channel"), True,
               ("message_id",), many=False),
    Capability("mail.folders", ("outlook_list_folders", "list_mail_folders", "list_folders"),
               "mail", ("folder",), LIST, ("file", "drive", "send", "child"), True, weak_verbs=("get",)),
    Capability("mail.send", ("outlook_send_email", "send_email", "send_mail", "send_message"),
               "mail", MAIL_OBJECTS, SEND, ("reply", "draft", "channel", "chat", "post"), False,
               ("to", "subject", "body", "cc"), many=False),
    Capability("mail.reply", ("outlook_reply_email", "reply_email", "reply_to_message", "reply_message"),
               "mail", MAIL_OBJECTS, ("reply", "respond", "answer"), ("channel", "post", "all"), False,
               ("message_id", "comment", "body"), many=False),
    Capability("mail.forward", ("outlook_forward_email", "forward_email", "forward_message"),
               "mail", MAIL_OBJECTS, ("forward",), ("channel", "post", "reply"), False,
               ("message_id", "to", "comment"), many=False),
    Capability("mail.draft", ("outlook_create_draft", "create_draft", "draft_email"),
               "mail", MAIL_OBJECTS + ("draft",), ("draft", "save"), ("channel", "forward", "reply", "folder"), False,
               ("to", "subject", "body", "cc"), weak_verbs=("create",), many=False),
    Capability("calendar.list", ("outlook_get_calendar_events", "list_events", "get_events", "list_calendar_events",
                                 "calendar_view"),
               "calendar", EVENT_OBJECTS, LIST + ("view",), ("create", "find_meeting", "delete", "mail", "permission"),
               True, ("start", "end", "top"), weak_verbs=("get",)),
    Capability("calendar.create", ("outlook_create_calendar_event", "create_event", "create_calendar_event",
                                   "schedule_meeting"),
               "calendar", EVENT_OBJECTS, CREATE, ("list", "find", "delete", "mail"), False,
               ("start", "end", "subject", "attendees"), many=False),
    Capability("calendar.find_times", ("outlook_find_meeting_times", "find_meeting_times", "find_times"),
               "calendar", ("time", "slot", "availability", "free"), ("find", "suggest", "search"), ("create", "list"),
               True),
    Capability("files.list", ("onedrive_list_files", "list_files", "list_drive_items", "list_children"),
               "drive", FILE_OBJECTS, LIST, ("search", "share", "read", "sharepoint", "site", "mail", "message"), True,
               ("drive_id", "item_id"), weak_verbs=("get",)),
    Capability("files.recent", ("onedrive_recent_files", "list_recent_files", "recent_files"),
               "drive", FILE_OBJECTS, LIST + ("recent",), ("search", "share", "sharepoint", "mail", "message"), True,
               ("drive_id", "item_id", "recent"), weak_verbs=("get",)),
    Capability("files.search", ("onedrive_search_files", "search_files", "search_drive"),
               "drive", FILE_OBJECTS, SEARCH, ("share", "sharepoint", "site", "mail", "message"), True,
               ("query", "drive_id")),
    Capability("files.read", ("onedrive_read_file", "read_file", "get_file_content"),
               "drive", ("content", "download", "text"), GET + ("download",), ("share", "list", "search", "mail", "message",
                                                           "url"),
               True, ("item_id", "drive_id"), many=False, object_required=True),
    Capability("files.share", ("onedrive_share_file", "share_file", "invite"),
               "drive", FILE_OBJECTS, ("share", "invite", "grant"), ("list", "search", "read", "mail", "link"), False,
               ("item_id", "drive_id", "recipients", "role"), many=False),
    Capability("files.drives", ("list_drives",),
               "drive", ("drives",), LIST, ("item", "file", "site", "group", "sharepoint", "root"), True, ("top",),
               weak_verbs=("get",), object_required=True),
    Capability("sharepoint.sites", ("sharepoint_list_sites", "list_sites", "search_sites"),
               "site", ("site",), LIST + ("search",), ("file", "drive", "document", "item", "list"), True, ("query",)),
    Capability("sharepoint.search", ("sharepoint_search_files", "search_sharepoint", "sharepoint_search"),
               "site", FILE_OBJECTS, SEARCH, ("list_sites", "share", "mail"), True, ("query",), object_required=True),
    Capability("sharepoint.list_files", ("sharepoint_list_files", "list_site_files"),
               "site", FILE_OBJECTS, LIST, ("search", "share", "mail"), True, ("site_id",)),
    Capability("teams.list", ("teams_list_teams", "list_teams", "list_joined_teams"),
               "team", ("team",), LIST, ("channel", "message", "post", "app", "associated"), True),
    Capability("teams.channels", ("teams_list_channels", "list_channels"),
               "team", ("channel",), LIST, ("message", "post"), True, ("team_id",)),
    Capability("teams.messages", ("teams_read_channel_messages", "list_channel_messages", "read_channel_messages",
                                  "get_channel_messages"),
               "team", ("channel", "message"), LIST + ("read",), ("post", "send", "write", "mail", "email", "reply"), True,
               ("team_name", "channel_name")),
    Capability("teams.post", ("teams_post_message", "post_message", "send_channel_message"),
               "team", ("channel", "message"), ("post", "send", "write"), ("list", "mail", "email", "reply"), False,
               ("team_id", "channel_id", "message"), many=False),
    Capability("directory.people", ("directory_find_people", "find_people", "search_people", "search_users"),
               "people", PEOPLE_OBJECTS, SEARCH + ("resolve",), ("mail", "file", "event", "message", "manager"), True,
               ("query",), weak_verbs=("list",)),
]}


def _words(text: str) -> list[str]:
    """Lower-case word tokens, splitting snake_case and camelCase."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text or "")
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _means(token: str, word: str) -> bool:
    """Whether a token means a vocabulary word ("mailbox" means mail, "lookup" look, "onedrive" drive)."""
    if token == word or token in (word + "s", word + "es"):
        return True
    return len(word) >= 4 and token not in NOT_WORDS and (token.startswith(word) or token.endswith(word))


def _hits(tokens: list[str], vocabulary: tuple[str, ...]) -> int:
    """How many tokens mean one of the vocabulary words."""
    return sum(1 for t in tokens if any(_means(t, w) for w in vocabulary))


def domains_of(tokens: list[str]) -> set[str]:
    """The domains (mail, calendar, drive, …) that words speak of; broad words count only alone."""
    found = {d for d, vocab in DOMAINS.items() if _hits(tokens, vocab)}
    if not found:
        found = {d for word, d in BROAD_WORDS.items() if any(_means(t, word) for t in tokens)}
    return found


def parse_overrides(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (raw or "").split(","):
        key, _, name = part.partition("=")
        if key.strip() and name.strip():
            out[key.strip()] = name.strip()
    return out


def score(tool: BaseTool, cap: Capability) -> float:
    """How well a tool fits a capability; 0 when it does not work in the right domain or do the right thing."""
    s = tool.schema
    if s.name in cap.preferred:
        return PREFERRED_SCORE - cap.preferred.index(s.name)
    return _score(cap, s.name, f"{s.title or ''} {s.description}", s.read_only, frozenset(s.properties),
                  tuple(s.required))


def unfillable(cap: Capability, required: tuple[str, ...]) -> list[str]:
    """Required parameters a request for this capability cannot fill (`chatId` for a mail search)."""
    return [r for r in required if canonical_for(r, cap.params) is None and norm(r) not in ODATA_OPTIONS]


def _takes(cap: Capability, props: frozenset[str]) -> int:
    """How many of the capability's arguments the tool can take (an OData `filter` takes the mail filters)."""
    odata = is_odata({p: {} for p in props})
    taken = 0
    for key in cap.params:
        if any(canonical_for(p, (key,)) for p in props):
            taken += 1
        elif odata and cap.key == "mail.search" and key in ("sender", "start", "end", "unread_only"):
            taken += 1
    return min(taken, 3)


@functools.lru_cache(maxsize=SCORE_CACHE_SIZE)
def _score(cap: Capability, tool_name: str, text: str, read_only: bool, props: frozenset[str],
           required: tuple[str, ...] = ()) -> float:
    """`score` of a tool described by its name, title and description, read-only flag and parameters.

    The same tools are ranked on every turn; the result depends only on these, so it is kept.
    """
    name = _words(tool_name)
    desc = _words(text)[:60]
    in_name = domains_of(name)
    in_desc = domains_of(desc[:DESC_DOMAIN_WORDS]) if not in_name else set()
    if cap.domain in in_name:
        points = 6.0
    elif cap.domain in in_desc:
        points = 2.0
    else:
        return 0.0
    points -= 5 * len((in_name or in_desc) - {cap.domain})
    verbs = 3 * min(1, _hits(name, cap.verbs)) or 2 * min(1, _hits(name, cap.weak_verbs))
    verbs += min(1, _hits(desc[:12], cap.verbs + cap.weak_verbs))
    if not verbs and cap.read_only and read_only and "list" in cap.verbs:
        verbs = 1  # a read-only noun tool ("agenda") lists its things
    if not verbs:
        return 0.0
    object_words = [t for t in name if any(_means(t, w) for w in cap.objects)]
    if cap.object_required and not object_words:
        return 0.0
    points += verbs + (2 if object_words else min(1, _hits(desc, cap.objects)))
    if object_words and cap.many == object_words[-1].endswith("s"):
        points += 1  # a list tool names its things in the plural, a single-item tool in the singular
    points -= 4 * min(1, _hits(name, cap.avoid))
    points -= 3 * _hits(name, NARROWING)
    if cap.read_only != read_only:
        points -= 6
    points += _takes(cap, props)
    points -= 4 * len(unfillable(cap, required))
    return points


@dataclass(frozen=True)
class Choice:
    """The tool chosen for a capability, how sure the choice is, and what it was weighed against."""

    capability: str
    tool: str
    server: str
    score: float
    confidence: str
    runner_up: str = ""
    runner_up_score: float = 0.0
    note: str = ""


@dataclass(frozen=True)
class Unmapped:
    capability: str
    reason: str


@dataclass(frozen=True)
class DiscoveryReport:
    """Per server: which tool serves each capability, how sure, and what could not be mapped."""

    server: str
    choices: list[Choice]
    unmapped: list[Unmapped]


def _rank_key(cap: Capability, points: float, tool: BaseTool) -> tuple[float, int, int, int, str]:
    """Best first; a tie goes to the tool that needs fewer inputs, then to the plainer (shorter) name."""
    s = tool.schema
    return (-points, len(unfillable(cap, tuple(s.required))), len(s.required), len(_words(s.name)), s.name)


def rank(tools: list[BaseTool], cap: Capability) -> list[tuple[float, BaseTool]]:
    scored = [(score(t, cap), t) for t in tools]
    return sorted(((p, t) for p, t in scored if p > 0), key=lambda pt: _rank_key(cap, pt[0], pt[1]))


def _candidates(registry: ToolRegistry, server: str | None = None) -> list[BaseTool]:
    return [t for t in registry.tools() if t.schema.source != CRM_SOURCE and (server is None or t.schema.source == server)]


def find_tool(registry: ToolRegistry, capability: str, overrides: dict[str, str] | None = None,
              min_score: float = MIN_SCORE) -> BaseTool | None:
    """The best tool for a capability among the registry's MCP tools, or None when nothing fits well."""
    overrides = overrides or {}
    if capability in overrides:
        return registry.get(overrides[capability])
    cap = CAPABILITIES.get(capability)
    if cap is None:
        return None
    ranked = rank(_candidates(registry), cap)
    if not ranked or ranked[0][0] < min_score:
        return None
    return ranked[0][1]


def choose(registry: ToolRegistry, capability: str, overrides: dict[str, str] | None = None,
           server: str | None = None) -> Choice | Unmapped:
    """`find_tool` with its reasons: the choice and its confidence, or why nothing was chosen."""
    overrides = overrides or {}
    if capability in overrides:
        pinned = registry.get(overrides[capability])
        if pinned is None:
            return Unmapped(capability, f"MCP_TOOL_OVERRIDES names {overrides[capability]}, which no server offers.")
        return Choice(capability, pinned.name, pinned.schema.source, PREFERRED_SCORE, "pinned",
                      note="pinned by MCP_TOOL_OVERRIDES")
    cap = CAPABILITIES[capability]
    ranked = rank(_candidates(registry, server), cap)
    if not ranked:
        return Unmapped(capability, "no tool works with this.")
    best_score, best = ranked[0]
    if best_score < MIN_SCORE:
        missing = unfillable(cap, tuple(best.schema.required))
        why = f"needs {', '.join(missing)}" if missing else "does not fit well enough"
        return Unmapped(capability, f"closest is {best.name}, which {why}.")
    runner = ranked[1] if len(ranked) > 1 else None
    margin = best_score - runner[0] if runner else best_score
    note = ""
    if runner and margin == 0:
        note = f"tied with {runner[1].name}; chose {best.name} as it needs fewer inputs or is the plainer tool"
    if best_score >= PREFERRED_SCORE - len(cap.preferred):
        confidence = "sure"
    elif best_score >= SURE_SCORE and margin >= SURE_MARGIN:
        confidence = "sure"
    elif margin >= 1:
        confidence = "likely"
    else:
        confidence = "close call"
    return Choice(capability, best.name, best.schema.source, best_score, confidence,
                  runner[1].name if runner else "", runner[0] if runner else 0.0, note)


def discovery_report(registry: ToolRegistry, overrides: dict[str, str] | None = None) -> list[DiscoveryReport]:
    """One report per server that offers tools, in the order the servers were registered."""
    servers = list(dict.fromkeys(t.schema.source for t in _candidates(registry)))
    reports = []
    for server in servers:
        choices: list[Choice] = []
        unmapped: list[Unmapped] = []
        for key in CAPABILITIES:
            found = choose(registry, key, overrides, server)
            if isinstance(found, Choice) and found.server == server:
                choices.append(found)
            elif isinstance(found, Unmapped):
                unmapped.append(found)
        reports.append(DiscoveryReport(server, choices, unmapped))
    return reports
