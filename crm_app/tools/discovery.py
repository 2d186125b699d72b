"""Find the tool that serves a capability (mail search, calendar list, …) among whatever tools the
user's servers offer — by name, description and schema — and map canonical arguments onto its schema.

Overrides (`MCP_TOOL_OVERRIDES="mail.search=search_mail,mail.get=get_message"`) pin a capability to a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crm_app.tools.base import CRM_SOURCE, BaseTool, ToolRegistry


@dataclass(frozen=True)
class Capability:
    key: str
    preferred: tuple[str, ...]
    words: tuple[str, ...]
    avoid: tuple[str, ...]
    read_only: bool
    params: tuple[str, ...] = ()


CAPABILITIES: dict[str, Capability] = {c.key: c for c in [
    Capability("mail.search", ("outlook_search_emails", "search_emails", "list_emails", "list_messages", "search_mail"),
               ("mail", "email", "message", "inbox", "search", "list"), ("send", "reply", "draft", "folder", "calendar", "event", "file"), True),
    Capability("mail.get", ("outlook_get_email", "get_email", "get_message", "read_email", "read_message"),
               ("mail", "email", "message", "get", "read", "body", "full"), ("send", "reply", "list", "search", "folder"), True, ("id",)),
    Capability("mail.folders", ("outlook_list_folders", "list_mail_folders", "list_folders"),
               ("mail", "folder", "list"), ("file", "drive", "send"), True),
    Capability("mail.send", ("outlook_send_email", "send_email", "send_mail", "send_message"),
               ("send", "mail", "email", "message"), ("reply", "draft", "teams", "channel", "chat"), False),
    Capability("mail.reply", ("outlook_reply_email", "reply_email", "reply_to_message", "reply_message"),
               ("reply", "mail", "email", "message"), ("teams", "channel"), False),
    Capability("mail.draft", ("outlook_create_draft", "create_draft", "draft_email"),
               ("draft", "mail", "email"), ("teams",), False),
    Capability("calendar.list", ("outlook_get_calendar_events", "list_events", "get_events", "list_calendar_events", "calendar_view"),
               ("calendar", "event", "meeting", "list", "get"), ("create", "schedule", "find", "time", "delete"), True),
    Capability("calendar.create", ("outlook_create_calendar_event", "create_event", "create_calendar_event", "schedule_meeting"),
               ("create", "schedule", "calendar", "event", "meeting"), ("list", "find", "delete"), False),
    Capability("calendar.find_times", ("outlook_find_meeting_times", "find_meeting_times", "find_times"),
               ("find", "meeting", "time", "free", "availability"), ("create", "list"), True),
    Capability("files.list", ("onedrive_list_files", "list_files", "list_drive_items", "list_children"),
               ("file", "drive", "onedrive", "list", "folder"), ("search", "share", "read", "sharepoint", "site", "mail"), True),
    Capability("files.recent", ("onedrive_list_files", "list_recent_files", "recent_files"),
               ("file", "drive", "recent", "list"), ("search", "share", "sharepoint"), True),
    Capability("files.search", ("onedrive_search_files", "search_files", "search_drive"),
               ("file", "drive", "onedrive", "search", "find"), ("share", "sharepoint", "site", "mail"), True),
    Capability("files.read", ("onedrive_read_file", "read_file", "get_file_content"),
               ("file", "read", "content", "text"), ("share", "list", "search", "mail"), True),
    Capability("files.share", ("onedrive_share_file", "share_file", "invite"),
               ("share", "file", "invite", "link"), ("list", "search", "read"), False),
    Capability("sharepoint.sites", ("sharepoint_list_sites", "list_sites", "search_sites"),
               ("sharepoint", "site", "list"), ("file", "drive", "search_files"), True),
    Capability("sharepoint.search", ("sharepoint_search_files", "search_sharepoint", "sharepoint_search"),
               ("sharepoint", "search", "file", "document"), ("site", "list_sites", "share"), True),
    Capability("sharepoint.list_files", ("sharepoint_list_files", "list_site_files"),
               ("sharepoint", "site", "file", "list", "document"), ("search", "share"), True),
    Capability("teams.list", ("teams_list_teams", "list_teams", "list_joined_teams"),
               ("teams", "team", "list", "joined"), ("channel", "message", "post"), True),
    Capability("teams.channels", ("teams_list_channels", "list_channels"),
               ("channel", "teams", "list"), ("message", "post"), True),
    Capability("teams.post", ("teams_post_message", "post_message", "send_channel_message"),
               ("post", "message", "channel", "teams", "send"), ("list", "mail", "email"), False),
    Capability("directory.people", ("directory_find_people", "find_people", "search_people", "search_users"),
               ("people", "person", "user", "directory", "find", "group", "resolve"), ("mail", "file", "event"), True),
]}

ARG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "query": ("query", "q", "search", "search_query", "keywords", "text", "term", "free_text"),
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
    "channel_id": ("channel_id", "channel"),
    "site_id": ("site_id", "site"),
    "duration_minutes": ("duration_minutes", "duration", "meeting_duration", "length_minutes"),
    "recent": ("recent", "recent_only", "sort_by_recent"),
}


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", (text or "").lower()) if w}


def parse_overrides(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (raw or "").split(","):
        key, _, name = part.partition("=")
        if key.strip() and name.strip():
            out[key.strip()] = name.strip()
    return out


def score(tool: BaseTool, cap: Capability) -> float:
    s = tool.schema
    name_words = _words(s.name)
    desc_words = _words(s.description) | _words(s.title or "")
    props = set(s.properties)
    points = 0.0
    if s.name in cap.preferred:
        points += 10 - cap.preferred.index(s.name) * 0.1
    points += 2.0 * len(name_words & set(cap.words))
    points += 0.5 * len(desc_words & set(cap.words))
    points -= 2.5 * len(name_words & set(cap.avoid))
    if cap.read_only and s.side_effect:
        points -= 6
    if not cap.read_only and s.read_only:
        points -= 6
    for p in cap.params:
        if any(syn in props for syn in ARG_SYNONYMS.get(p, (p,))):
            points += 1
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
