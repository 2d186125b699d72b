"""Settings' discovery report: for each of the user's MCP servers, which tool serves each capability the
assistant knows (mail search, calendar, OneDrive, …), how sure that choice is, and what it could not map."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from crm_app.settings import get_settings
from crm_app.tools.discovery import Choice, discovery_report, parse_overrides

CAPABILITY_LABELS: dict[str, str] = {
    "mail.search": "Search mail", "mail.get": "Read an email", "mail.folders": "List mail folders",
    "mail.send": "Send an email", "mail.reply": "Reply to an email", "mail.draft": "Save a draft",
    "calendar.list": "Show the calendar", "calendar.create": "Schedule a meeting",
    "calendar.find_times": "Find meeting times", "files.list": "List OneDrive files",
    "files.recent": "Recent files", "files.search": "Search OneDrive", "files.read": "Read a file",
    "files.share": "Share a file", "files.drives": "Find the user's drive", "sharepoint.sites": "SharePoint sites",
    "sharepoint.search": "Search SharePoint", "sharepoint.list_files": "SharePoint files",
    "teams.list": "Teams", "teams.channels": "Team channels", "teams.post": "Post to a channel",
    "directory.people": "Look people up",
}


@dataclass(frozen=True)
class MappedRow:
    capability: str
    label: str
    tool: str
    confidence: str
    note: str


@dataclass(frozen=True)
class UnmappedRow:
    capability: str
    label: str
    reason: str


@dataclass(frozen=True)
class ServerDiscovery:
    server_id: str
    server_name: str
    mapped: list[MappedRow]
    unmapped: list[UnmappedRow]
    unavailable: str = ""


def _note(choice: Choice) -> str:
    if choice.note:
        return choice.note
    if choice.runner_up and choice.confidence != "sure":
        return f"next best: {choice.runner_up}"
    return ""


async def discovery_view(user_id: int) -> list[ServerDiscovery]:
    """The report for every server the user has turned on; a server that does not answer says so."""
    from crm_app.services import mcp_runtime
    from crm_app.services.assistant import build_registry

    servers = await asyncio.to_thread(mcp_runtime.servers_for_user, user_id)
    registry = await build_registry(user_id)
    names = {s.id: s.name for s in servers}
    reports = {r.server: r for r in discovery_report(registry, parse_overrides(get_settings().mcp_tool_overrides))}
    out: list[ServerDiscovery] = []
    for server_id, name in names.items():
        report = reports.get(server_id)
        if report is None:
            reason = registry.unavailable.get(server_id, "It offered no tools.")
            out.append(ServerDiscovery(server_id, name, [], [], reason))
            continue
        mapped = [MappedRow(c.capability, CAPABILITY_LABELS.get(c.capability, c.capability), c.tool, c.confidence,
                            _note(c)) for c in report.choices]
        unmapped = [UnmappedRow(u.capability, CAPABILITY_LABELS.get(u.capability, u.capability), u.reason)
                    for u in report.unmapped]
        out.append(ServerDiscovery(server_id, name, mapped, unmapped))
    return out
