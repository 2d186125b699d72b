"""Canonical arguments (`sender`, `start`, `message_id`, …) → a tool's own parameters.

A tool may name its parameters in snake_case or camelCase (`message_id`, `messageId`), take Graph
resource ids (`driveId`, `driveItemId`), or be OData-shaped: `filter`, `search`, `select`, `top`,
`orderby` passed through to Microsoft Graph. For an OData mail search the sender, date range, unread
flag and search words become one `filter` (or a `search`, where Graph requires it) built by
`crm_app.graph_query` — the same rules and quoting our own MCP server uses.

Nothing is dropped silently: an argument the tool cannot take is either checked on the results here
(`checked_here`, with `keep` as the test) or reported as `unapplied`, so a reply can say so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crm_app.graph_query.mail_query import FULL_SELECT, SEARCH_PAGE_SIZE, EmailCriteria, build_message_query
from crm_app.graph_query.odata import directory_search_clause
from crm_app.graph_query.timeparse import parse_graph_instant
from crm_app.tools.base import BaseTool

ARG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "participants": ("participants", "participant", "people", "addresses", "with"),
    "query": ("query", "q", "search", "search_query", "keywords", "text", "term", "free_text"),
    "sender": ("sender", "from", "from_address", "sender_email", "from_email", "sender_address"),
    "start": ("start", "start_date", "start_datetime", "start_time", "from_date", "since", "after", "received_after"),
    "end": ("end", "end_date", "end_datetime", "end_time", "to_date", "until", "before", "received_before"),
    "folder": ("folder", "folder_id", "folder_name", "mail_folder", "mail_folder_id", "path"),
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
    "drive_id": ("drive_id",),
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

# Parameters of OData-shaped tools (Graph query options passed through).
ODATA_OPTIONS = frozenset({"filter", "search", "select", "top", "orderby", "skip", "count", "expand"})
MAIL_FILTER_KEYS = ("sender", "start", "end", "unread_only", "query", "participants")
# What every message shows, so a filter the tool could not take can still be checked on its results here.
MAIL_LOCAL_KEYS = ("sender", "start", "end", "unread_only", "participants")
# Graph's alias for the root folder of a drive, usable wherever a drive item id is.
DRIVE_ROOT_ITEM = "root"
LIST_CAPABILITIES = frozenset({"files.list", "files.recent"})
# Ids the caller finds first with another tool (see `crm_app.tools.calls`): canonical key → how.
RESOLVABLE = frozenset({"drive_id"})
DIRECTORY_SEARCH_PROPERTY = "displayName"
CALENDAR_PAGE = 100
CONSISTENCY_HEADER = "consistencylevel"


def norm(name: str) -> str:
    """A parameter name with case and separators removed: `messageId`, `message_id`, `message-id` → `messageid`."""
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


def synonyms(key: str) -> tuple[str, ...]:
    """The normalised parameter names that can carry canonical `key`."""
    return tuple(dict.fromkeys(norm(s) for s in ARG_SYNONYMS.get(key, (key,))))


def is_odata(properties: dict[str, Any]) -> bool:
    """Whether a tool passes Graph query options through (`filter` or `search` with `select`/`top`)."""
    names = {norm(p) for p in properties}
    return "filter" in names or ("search" in names and bool(names & {"select", "top"}))


def canonical_for(param: str, capability_keys: tuple[str, ...]) -> str | None:
    """Which of `capability_keys` a tool parameter can carry, if any (by normalised synonym)."""
    n = norm(param)
    for key in capability_keys:
        if n in synonyms(key):
            return key
    return None


@dataclass(frozen=True)
class ArgumentPlan:
    """How one call's canonical arguments land on a tool's parameters."""

    arguments: dict[str, Any]
    missing: list[str] = field(default_factory=list)
    unapplied: list[str] = field(default_factory=list)
    checked_here: list[str] = field(default_factory=list)
    resolve: dict[str, str] = field(default_factory=dict)
    keep: Callable[[dict[str, Any]], bool] | None = None
    limit: int | None = None
    requested: tuple[str, ...] = ()

    @property
    def applied(self) -> list[str]:
        """Canonical keys that narrowed the results, by the tool or on our side."""
        return [k for k in self.requested if k not in self.unapplied]


def _has_value(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value is not False


def _param_index(tool: BaseTool) -> dict[str, str]:
    """Normalised name → the tool's own spelling."""
    return {norm(p): p for p in tool.schema.properties}


def plan_arguments(tool: BaseTool, canonical: dict[str, Any], capability: str = "") -> ArgumentPlan:
    """Where each canonical argument goes for this tool, and what could not be placed."""
    props = tool.schema.properties
    index = _param_index(tool)
    if capability == "mail.search" and is_odata(props):
        return _odata_mail_search(tool, canonical, index)
    out: dict[str, Any] = {}
    placed: set[str] = set()
    for key, value in canonical.items():
        if value is None or value == "" or value == []:
            continue
        for candidate in synonyms(key):
            own = index.get(candidate)
            if own is not None and own not in out:
                out[own] = coerce(value, props[own])
                placed.add(key)
                break
    if capability == "mail.get" and "select" in index and index["select"] not in out:
        out[index["select"]] = FULL_SELECT
    if capability == "calendar.list" and is_odata(props) and "top" in index and index["top"] not in out:
        out[index["top"]] = CALENDAR_PAGE  # Graph's default page of a calendar view is 10 events
    if capability == "directory.people" and is_odata(props) and canonical.get("query"):
        _directory_search(out, index, str(canonical["query"]))
    if capability in LIST_CAPABILITIES:
        for param in tool.schema.required:
            if canonical_for(param, ("item_id",)) and param not in out:
                out[param] = DRIVE_ROOT_ITEM
        if canonical.get("recent") and "orderby" in index and "recent" not in placed:
            out[index["orderby"]] = "lastModifiedDateTime desc"
            placed.add("recent")
    resolve = {p: key for p in tool.schema.required if p not in out
               for key in RESOLVABLE if norm(p) in synonyms(key)}
    missing = [r for r in tool.schema.required if r not in out and r not in resolve]
    requested = tuple(k for k, v in canonical.items() if _has_value(v) and k not in ("top", "recent"))
    unplaced = [k for k in requested if k not in placed]
    if capability == "mail.search":
        return _checked_mail(out, missing, resolve, canonical, requested, unplaced)
    return ArgumentPlan(out, missing, unplaced, [], resolve, requested=requested)


def map_arguments(tool: BaseTool, canonical: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Canonical arguments → the tool's own parameter names and types. Returns (arguments, missing required)."""
    plan = plan_arguments(tool, canonical)
    return plan.arguments, [*plan.missing, *plan.resolve]


def coerce(value: Any, spec: dict[str, Any]) -> Any:
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and isinstance(spec.get("anyOf"), list):
        kind = next((s.get("type") for s in spec["anyOf"] if isinstance(s, dict) and s.get("type") != "null"), None)
    if kind == "array" and not isinstance(value, list):
        return [value]
    if kind == "string" and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if kind == "integer" and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if kind == "number" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if kind == "boolean" and isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return value


# ---------------------------------------------------------------- mail search
def _criteria(canonical: dict[str, Any], keys: tuple[str, ...] = MAIL_FILTER_KEYS) -> EmailCriteria:
    def instant(value: Any) -> datetime | None:
        return parse_graph_instant(value) if isinstance(value, str) and value else None

    return EmailCriteria(
        query=(canonical.get("query") or None) if "query" in keys else None,
        sender=(str(canonical["sender"]).lower() if canonical.get("sender") else None) if "sender" in keys else None,
        start=instant(canonical.get("start")) if "start" in keys else None,
        end=instant(canonical.get("end")) if "end" in keys else None,
        unread_only=bool(canonical.get("unread_only")) if "unread_only" in keys else False,
        participants=tuple(str(p).lower() for p in canonical.get("participants") or () if p)
        if "participants" in keys else (),
    )


def _top(canonical: dict[str, Any], default: int = 10) -> int:
    try:
        return max(1, int(canonical.get("top") or default))
    except (TypeError, ValueError):
        return default


def _odata_mail_search(tool: BaseTool, canonical: dict[str, Any], index: dict[str, str]) -> ArgumentPlan:
    """One Graph mail query (`filter` or `search`) from the sender, dates, unread flag and words."""
    props = tool.schema.properties
    criteria = _criteria(canonical)
    top = _top(canonical)
    query = build_message_query(criteria, top)
    requested = tuple(k for k in MAIL_FILTER_KEYS if _has_value(canonical.get(k)))
    out: dict[str, Any] = {}
    unplaced: list[str] = []
    for option, value in query.params.items():
        own = index.get(norm(option.lstrip("$")))
        if own is not None:
            out[own] = coerce(int(value) if option == "$top" else value, props[own])
        elif option == "$filter":
            unplaced.extend(k for k in requested if k != "query")
        elif option == "$search":
            unplaced.extend(k for k in requested if k in ("query", "participants")
                            or (k == "sender" and not criteria.sender_is_address))
    # Every message is checked against the sender, dates and unread flag here, as our own server does (a
    # `search` carries dates only to the day and no unread flag). What the tool could not take at all is
    # reported: checked here when the messages show it, unapplied otherwise.
    local_keys = tuple(k for k in MAIL_LOCAL_KEYS if k in requested)
    checked_here = [k for k in dict.fromkeys(unplaced) if k in local_keys]
    unapplied = [k for k in dict.fromkeys(unplaced) if k not in local_keys]
    if canonical.get("folder"):  # the tool lists every folder; which folder a message is in, it does not say
        unapplied.append("folder")
        requested = (*requested, "folder")
    keep = _mail_keep(_criteria(canonical, local_keys)) if local_keys else None
    missing = [r for r in tool.schema.required if r not in out]
    return ArgumentPlan(out, missing, unapplied, checked_here, {}, keep, query.page_limit, requested)


def _checked_mail(out: dict[str, Any], missing: list[str], resolve: dict[str, str], canonical: dict[str, Any],
                  requested: tuple[str, ...], unplaced: list[str]) -> ArgumentPlan:
    """A plain (non-OData) mail search: what the tool could not take but each message shows is checked here."""
    local = tuple(k for k in unplaced if k in MAIL_LOCAL_KEYS)
    unapplied = [k for k in unplaced if k not in local]
    if local:
        top = _top(canonical)
        own = next((p for p in out if canonical_for(p, ("top",))), None)
        if own is not None:  # a wider page, so that what is checked here still leaves enough
            out[own] = max(top, SEARCH_PAGE_SIZE)
        keep = _mail_keep(_criteria(canonical, local))
        return ArgumentPlan(out, missing, unapplied, list(local), resolve, keep, top, requested)
    return ArgumentPlan(out, missing, unapplied, [], resolve, requested=requested)


def _mail_keep(criteria: EmailCriteria) -> Callable[[dict[str, Any]], bool]:
    def keep(message: dict[str, Any]) -> bool:
        return criteria.mismatch(graph_message(message)) is None

    return keep


def graph_message(m: dict[str, Any]) -> dict[str, Any]:
    """A message in Graph's shape (`from.emailAddress`, `receivedDateTime`, `isRead`) from either shape."""
    if isinstance(m.get("from"), dict) and "emailAddress" in m["from"]:
        return m
    sender = m.get("from") if isinstance(m.get("from"), dict) else {}
    return {
        **m,
        "from": {"emailAddress": {"address": m.get("from_address") or sender.get("address") or "",
                                  "name": m.get("from_name") or sender.get("name") or ""}},
        "receivedDateTime": m.get("receivedDateTime") or m.get("received_at"),
        "isRead": m.get("isRead", m.get("is_read")),
    }


# ---------------------------------------------------------------- directory
def _directory_search(out: dict[str, Any], index: dict[str, str], text: str) -> None:
    """Directory objects are searched with a quoted `property:text` clause and eventual consistency."""
    if "search" in index:
        out[index["search"]] = directory_search_clause(DIRECTORY_SEARCH_PROPERTY, text)
    if CONSISTENCY_HEADER in index:
        out[index[CONSISTENCY_HEADER]] = "eventual"
