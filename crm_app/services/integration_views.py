"""What Settings and the JSON API show of the integrations: views of servers and tools, tools sorted by area."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from crm_app.mcp import ToolInfo
from crm_app.mcp.config import CUSTOM_SERVER_PREFIX
from crm_app.microsoft import Connection
from crm_app.microsoft.scopes import AREA_DIRECTORY, AREA_LABELS
from crm_app.services.errors import ServiceError

AREA_OTHER = "other"
OTHER_LABEL = "Other tools"

STATUS_NOT_CONNECTED = "not_connected"
STATUS_CONNECTED = "connected"
STATUS_UNAVAILABLE = "unavailable"
STATUS_RECONNECT = "reconnect_needed"
STATUS_DISABLED = "disabled"
STATUS_UNCHECKED = "unchecked"

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_AREA_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("sharepoint", frozenset({"sharepoint", "site", "sites"})),
    ("teams", frozenset({"teams", "team", "channel", "channels", "chat", "chats"})),
    ("calendar", frozenset({"calendar", "calendars", "event", "events", "meeting", "meetings", "schedule"})),
    ("files", frozenset({"onedrive", "drive", "file", "files", "document", "documents", "folder"})),
    ("mail", frozenset({"outlook", "mail", "email", "emails", "message", "messages", "inbox", "draft", "reply"})),
    (AREA_DIRECTORY, frozenset({"directory", "people", "person", "user", "users", "group", "groups", "contact"})),
)


class IntegrationError(ServiceError):
    """An integration action could not be done; the message says why and what to do."""


# ---- views (what the UI and the API show)


@dataclass(frozen=True)
class ToolView:
    """One tool as the Settings panel lists it."""

    name: str
    title: str
    description: str
    area: str
    area_label: str
    read_only: bool

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "title": self.title, "area": self.area, "read_only": self.read_only}


@dataclass(frozen=True)
class ServerView:
    """A tool server's live state for one user."""

    server_id: str
    name: str
    url: str
    enabled: bool
    state: str
    tools: tuple[ToolView, ...] = ()
    latency_ms: float | None = None
    last_error: str | None = None
    checked_at: dt.datetime | None = None

    @property
    def connected(self) -> bool:
        return self.state == STATUS_CONNECTED

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "enabled": self.enabled,
            "connected": self.connected,
            "state": self.state,
            "tool_count": len(self.tools),
            "tools": [tool.name for tool in self.tools],
            "latency_ms": round(self.latency_ms, 1) if self.latency_ms is not None else None,
            "last_error": self.last_error,
            "checked_at": _iso(self.checked_at),
        }


@dataclass(frozen=True)
class Ms365View:
    """The Microsoft 365 card: the connection and, when live-checked, its tool server."""

    status: str
    demo_tenant: bool
    mcp_enabled: bool
    connection: Connection | None
    server: ServerView | None = None
    requested_scopes: tuple[str, ...] = ()

    @property
    def connected(self) -> bool:
        return self.status == STATUS_CONNECTED

    @property
    def last_error(self) -> str | None:
        own = self.connection.last_error if self.connection is not None else None
        if self.server is not None and self.server.last_error and (self.status == STATUS_UNAVAILABLE or not own):
            return self.server.last_error
        return own

    def to_json(self) -> dict[str, object]:
        conn = self.connection
        return {
            "connected": self.connected,
            "status": self.status,
            "demo_tenant": self.demo_tenant,
            "mcp_enabled": self.mcp_enabled,
            "account": {"email": conn.account_email, "name": conn.account_name} if conn else None,
            "connected_at": _iso(conn.connected_at) if conn else None,
            "token_expires_at": _iso(conn.token_expires_at) if conn else None,
            "scopes": list(conn.scopes) if conn else [],
            "sync": {"emails": conn.sync_emails, "calendars": conn.sync_calendars, "files": conn.sync_files}
            if conn else None,
            "last_error": self.last_error,
            "tools": [tool.to_json() for tool in self.server.tools] if self.server else [],
            "latency_ms": round(self.server.latency_ms, 1) if self.server and self.server.latency_ms else None,
            "checked_at": _iso(self.server.checked_at) if self.server else None,
        }


@dataclass(frozen=True)
class CustomServerView:
    """A server the user added, with its live state when checked. The header value is never shown."""

    number: int
    name: str
    url: str
    header_name: str | None
    enabled: bool
    server: ServerView | None = None

    @property
    def server_id(self) -> str:
        return f"{CUSTOM_SERVER_PREFIX}{self.number}"


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str
    view: Ms365View | CustomServerView = field(repr=False)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---- tools by area


def tool_area(name: str) -> str:
    """The area a tool belongs to, judged from the words of its name (any server's naming)."""
    words = {word.lower() for word in _WORD.findall(name.replace("-", "_"))}
    for area, vocabulary in _AREA_WORDS:
        if words & vocabulary:
            return area
    return AREA_OTHER


def tool_views(tools: Iterable[ToolInfo]) -> tuple[ToolView, ...]:
    """Tools sorted by area (in ``AREA_LABELS`` order, other tools last), then by name."""
    order = {area: index for index, area in enumerate(AREA_LABELS)}
    views = [
        ToolView(
            name=tool.name,
            title=tool.title or tool.name,
            description=tool.description,
            area=(area := tool_area(tool.name)),
            area_label=AREA_LABELS.get(area, OTHER_LABEL),
            read_only=tool.annotations.read_only,
        )
        for tool in tools
    ]
    return tuple(sorted(views, key=lambda v: (order.get(v.area, len(order)), v.name)))
