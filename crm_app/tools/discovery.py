"""Find the tool that serves a capability (mail search, calendar list, …) among whatever tools the
user's servers offer — by name, description and schema — and map canonical arguments onto its schema.

Overrides (`MCP_TOOL_OVERRIDES="mail.search=search_mail,mail.get=get_message"`) pin a capability to a name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from crm_app.tools.base import CRM_SOURCE, BaseTool, ToolRegistry

SCORE_CACHE_SIZE = 8192


@dataclass(frozen=True)
class Capability:
    """What a capability's tool looks like: the thing it works on, what it does to it, what it must not be."""

    key: str
    preferred: tuple[str, ...]
    objects: tuple[str, ...]
    verbs: tuple[str, ...]
    avoid: tuple[str, ...]
    read_only: bool
    params: tuple[str, ...] = ()


MAIL = ("mail", "email", "message", "inbox", "outlook")
EVENT = ("calendar", "event", "meeting", "agenda", "appointment")
FILE = ("file", "drive", "onedrive", "document", "item")
SITE = ("sharepoint", "site")
TEAM = ("team", "teams")
CHANNEL = ("channel",)
PEOPLE = ("people", "person", "user", "directory", "contact", "group")
SEARCH = ("search", "find", "lookup", "look", "query", "list")
LIST = ("list", "get", "show", "view", "browse", "enumerate")
GET = ("get", "read", "fetch", "retrieve", "open", "show")
SEND = ("send", "deliver", "dispatch", "compose")
CREATE = ("create", "schedule", "add", "new", "book")

CAPABILITIES: dict[str, Capability] = {c.key: c for c in [
    Capability("mail.search", ("outlook_search_emails", "search_emails", "list_emails", "list_messages", "search_mail"),
               MAIL, SEARCH, ("send", "reply", "draft", "folder", "calendar", "event", "file", "channel"), True,
               ("query", "sender")),
    Capability("mail.get", ("outlook_get_email", "get_email", "get_message", "read_email", "read_message"),
               MAIL, GET, ("send", "reply", "list", "search", "folder", "channel"), True, ("message_id",)),
    Capability("mail.folders", ("outlook_list_folders", "list_mail_folders", "list_folders"),
               ("folder",), LIST, ("file", "drive", "send"), True),
    Capability("mail.send", ("outlook_send_email", "send_email", "send_mail", "send_message"),
               MAIL, SEND, ("reply", "draft", "channel", "chat", "post"), False, ("to", "subject")),
    Capability("mail.reply", ("outlook_reply_email", "reply_email", "reply_to_message", "reply_message"),
               MAIL, ("reply", "respond", "answer"), ("channel", "post"), False, ("message_id",)),
    Capability("mail.draft", ("outlook_create_draft", "create_draft", "draft_email"),
               MAIL + ("draft",), ("draft", "create", "save"), ("channel",), False),
    Capability("calendar.list", ("outlook_get_calendar_events", "list_events", "get_events", "list_calendar_events", "calendar_view"),
               EVENT, LIST, ("create", "find_meeting", "delete", "mail"), True, ("start", "end")),
    Capability("calendar.create", ("outlook_create_calendar_event", "create_event", "create_calendar_event", "schedule_meeting"),
               EVENT, CREATE, ("list", "find", "delete", "mail"), False, ("start", "end")),
    Capability("calendar.find_times", ("outlook_find_meeting_times", "find_meeting_times", "find_times"),
               EVENT + ("time", "slot", "availability", "free"), ("find", "suggest", "search"), ("create", "list"), True),
    Capability("files.list", ("onedrive_list_files", "list_files", "list_drive_items", "list_children"),
               FILE, LIST, ("search", "share", "read", "sharepoint", "site", "mail", "message"), True),
    Capability("files.recent", ("onedrive_list_files", "list_recent_files", "recent_files"),
               FILE, LIST + ("recent",), ("search", "share", "sharepoint", "mail", "message"), True),
    Capability("files.search", ("onedrive_search_files", "search_files", "search_drive"),
               FILE, SEARCH, ("share", "sharepoint", "site", "mail", "message"), True, ("query",)),
    Capability("files.read", ("onedrive_read_file", "read_file", "get_file_content"),
               FILE + ("content",), GET, ("share", "list", "search", "mail", "message"), True),
    Capability("files.share", ("onedrive_share_file", "share_file", "invite"),
               FILE, ("share", "invite", "grant"), ("list", "search", "read", "mail"), False),
    Capability("sharepoint.sites", ("sharepoint_list_sites", "list_sites", "search_sites"),
               SITE, LIST + ("search",), ("file", "drive", "document"), True),
    Capability("sharepoint.search", ("sharepoint_search_files", "search_sharepoint", "sharepoint_search"),
               SITE, SEARCH, ("list_sites", "share", "mail"), True, ("query",)),
    Capability("sharepoint.list_files", ("sharepoint_list_files", "list_site_files"),
               SITE, LIST, ("search", "share", "mail"), True),
    Capability("teams.list", ("teams_list_teams", "list_teams", "list_joined_teams"),
               TEAM, LIST, ("channel", "message", "post"), True),
    Capability("teams.channels", ("teams_list_channels", "list_channels"),
               CHANNEL, LIST, ("message", "post"), True),
    Capability("teams.messages", ("teams_read_channel_messages", "list_channel_messages", "read_channel_messages",
                                  "get_channel_messages"),
               CHANNEL, LIST + ("read",), ("post", "send", "write", "mail", "email"), True, ("team_name", "channel_name")),
    Capability("teams.post", ("teams_post_message", "post_message", "send_channel_message"),
               CHANNEL + TEAM, ("post", "send", "write"), ("list", "mail", "email"), False),
    Capability("directory.people", ("directory_find_people", "find_people", "search_people", "search_users"),
               PEOPLE, SEARCH + ("resolve",), ("mail", "file", "event", "message"), True, ("query",)),
]}

ARG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "query": ("query", "q", "search", "search_query", "keywords", "text", "term", "free_text"),
    "participants": ("participants", "participant", "people", "addresses", "with"),
    "sender": ("sender", "from", "from_address", "sender_email", "from_email", "sender_address"),
    "start": ("start", "start_date", "start_datetime", "start_time", "from_date", "since", "after", "received_after"),
    "end": ("end", "end_date", "end_datetime", "end_time", "to_date", "until", "before", "received_before"),
    "folder": ("folder", "folder_id", "folder_name", "mail_folder", "path"),
    "unread_only": ("unread_only", "unread", "only_unread", "is_unread"),
    "top": ("top", "limit", "max_results", "count", "page_size", "n"),
    "message_id": ("message_id", "id", "email_id", "messageid", "item_id"),
    "to": ("to", "recipients", "to_recipients", "to_addresses", "recipient"),
    "cc": ("cc", "cc_recipients", "cc_addresses"),
    "subject": ("subject", "title"),
    "body": ("body", "content", "text", "message", "comment"),
    "comment": ("comment", "body", "message", "text", "content"),
    "attendees": ("attendees", "participants", "invitees", "recipients"),
    "location": ("location", "place", "room"),
    "time_zone": ("time_zone", "timezone", "tz"),
    "item_id": ("item_id", "file_id", "id", "drive_item_id"),
    "recipients": ("recipients", "emails", "to", "users", "people"),
    "role": ("role", "permission", "access"),
    "message": ("message", "content", "text", "body"),
    "team_id": ("team_id", "team"),
    "team_name": ("team", "team_name", "team_id"),
    "channel_name": ("channel", "channel_name", "channel_id"),
    "channel_id": ("channel_id", "channel"),
    "site_id": ("site_id", "site"),
    "duration_minutes": ("duration_minutes", "duration", "meeting_duration", "length_minutes"),
    "recent": ("recent", "recent_only", "sort_by_recent"),
}


def _words(text: str) -> list[str]:
    """Lower-case word tokens, splitting snake_case and camelCase."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text or "")
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _hits(tokens: list[str], vocabulary: tuple[str, ...]) -> int:
    """How many tokens mean one of the vocabulary words ("mailbox" means mail, "lookup" means look)."""
    return sum(1 for t in tokens if any(t == w or (len(w) >= 4 and (t.startswith(w) or w in t)) for w in vocabulary))


def parse_overrides(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (raw or "").split(","):
        key, _, name = part.partition("=")
        if key.strip() and name.strip():
            out[key.strip()] = name.strip()
    return out


def score(tool: BaseTool, cap: Capability) -> float:
    """How well a tool fits a capability; 0 when it does not work on the right thing or do the right thing."""
    s = tool.schema
    if s.name in cap.preferred:
        return 100 - cap.preferred.index(s.name)
    return _score(cap, s.name, f"{s.title or ''} {s.description}", s.read_only, frozenset(s.properties))


@functools.lru_cache(maxsize=SCORE_CACHE_SIZE)
def _score(cap: Capability, tool_name: str, text: str, read_only: bool, props: frozenset[str]) -> float:
    """`score` of a tool described by its name, title and description, read-only flag and parameter names.

    The same tools are ranked on every turn; the result depends only on these, so it is kept.
    """
    name = _words(tool_name)
    desc = _words(text)[:60]
    objects = 3 * min(1, _hits(name, cap.objects)) + min(1, _hits(desc, cap.objects))
    verbs = 3 * min(1, _hits(name, cap.verbs)) + min(1, _hits(desc[:12], cap.verbs))
    if not verbs and cap.read_only and read_only and "list" in cap.verbs:
        verbs = 1  # a read-only noun tool ("agenda") lists its things
    if not objects or not verbs:
        return 0.0
    points = float(objects + verbs)
    points -= 4 * min(1, _hits(name, cap.avoid))
    if cap.read_only != read_only:
        points -= 6
    points += sum(1 for p in cap.params if any(syn in props for syn in ARG_SYNONYMS.get(p, (p,))))
    return points


def find_tool(registry: ToolRegistry, capability: str, overrides: dict[str, str] | None = None,
              min_score: float = 4.0) -> BaseTool | None:
    """The best tool for a capability among the registry's MCP tools, or None when nothing fits well."""
    overrides = overrides or {}
    if capability in overrides:
        return registry.get(overrides[capability])
    cap = CAPABILITIES.get(capability)
    if cap is None:
        return None
    candidates = [t for t in registry.tools() if t.schema.source != CRM_SOURCE]
    ranked = sorted(((score(t, cap), t) for t in candidates), key=lambda x: x[0], reverse=True)
    if not ranked or ranked[0][0] < min_score:
        return None
    return ranked[0][1]


def map_arguments(tool: BaseTool, canonical: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Canonical arguments → the tool's own parameter names and types. Returns (arguments, missing required)."""
    props = tool.schema.properties
    out: dict[str, Any] = {}
    for key, value in canonical.items():
        if value is None or value == "" or value == []:
            continue
        for candidate in ARG_SYNONYMS.get(key, (key,)):
            if candidate in props and candidate not in out:
                out[candidate] = _coerce(value, props[candidate])
                break
    missing = [r for r in tool.schema.required if r not in out]
    return out, missing


def _coerce(value: Any, spec: dict[str, Any]) -> Any:
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "array" and not isinstance(value, list):
        return [value]
    if kind == "string" and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if kind == "integer" and isinstance(value, str) and value.isdigit():
        return int(value)
    if kind == "boolean" and isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return value
