"""Least-privilege Microsoft Graph permissions for the enabled tool areas.

Each tool area asks only for the delegated permissions its tools need. Directory
look-ups (resolving "John" or "the finance team" to addresses) and the signed-in
profile are always requested. msal adds ``openid``, ``profile`` and
``offline_access`` (the refresh token) to every request itself.
"""

from __future__ import annotations

from collections.abc import Iterable

AREA_MAIL = "mail"
AREA_CALENDAR = "calendar"
AREA_FILES = "files"
AREA_SHAREPOINT = "sharepoint"
AREA_TEAMS = "teams"
AREA_DIRECTORY = "directory"

AREA_LABELS: dict[str, str] = {
    AREA_MAIL: "Mail",
    AREA_CALENDAR: "Calendar",
    AREA_FILES: "OneDrive files",
    AREA_SHAREPOINT: "SharePoint",
    AREA_TEAMS: "Teams",
    AREA_DIRECTORY: "People and groups",
}

AREA_SCOPES: dict[str, tuple[str, ...]] = {
    # search/read mail, drafts and replies; sending
    AREA_MAIL: ("Mail.ReadWrite", "Mail.Send"),
    # events read and created; free/busy of colleagues for meeting times
    AREA_CALENDAR: ("Calendars.ReadWrite", "Calendars.Read.Shared"),
    # own OneDrive: list, search, read, share
    AREA_FILES: ("Files.ReadWrite",),
    # sites and their document libraries, read only
    AREA_SHAREPOINT: ("Sites.Read.All",),
    # joined teams, their channels, reading a channel's messages, posting to a channel
    AREA_TEAMS: ("Team.ReadBasic.All", "Channel.ReadBasic.All", "ChannelMessage.Read.All", "ChannelMessage.Send"),
}

BASE_SCOPES: tuple[str, ...] = ("User.Read", "User.ReadBasic.All", "GroupMember.Read.All")

TOOL_AREAS: tuple[str, ...] = tuple(AREA_SCOPES)
RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access"})
OFFLINE_ACCESS = "offline_access"


def parse_areas(value: str | Iterable[str]) -> tuple[str, ...]:
    """The known tool areas named in ``value`` (comma-separated text or a list), in canonical order.

    Raises ``ValueError`` naming any unknown area.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    wanted = {item.strip().lower() for item in items if item and item.strip()}
    unknown = sorted(wanted - set(TOOL_AREAS))
    if unknown:
        raise ValueError(
            f"Unknown Microsoft 365 tool area(s): {', '.join(unknown)}. "
            f"Use a comma-separated list of: {', '.join(TOOL_AREAS)}."
        )
    return tuple(area for area in TOOL_AREAS if area in wanted)


def scopes_for(areas: Iterable[str]) -> list[str]:
    """The Graph permissions to request for ``areas`` (without msal's reserved scopes)."""
    scopes: list[str] = list(BASE_SCOPES)
    for area in parse_areas(list(areas)):
        for scope in AREA_SCOPES[area]:
            if scope not in scopes:
                scopes.append(scope)
    return scopes


def graph_scopes(granted: Iterable[str]) -> list[str]:
    """``granted`` without the OpenID Connect scopes msal adds itself (for a refresh request)."""
    return [scope for scope in granted if scope and scope.lower() not in RESERVED_SCOPES and scope != "email"]


def split_scopes(value: str | None) -> list[str]:
    """A space-separated ``scope`` value as a list, keeping order and dropping repeats."""
    seen: list[str] = []
    for scope in (value or "").split():
        if scope not in seen:
            seen.append(scope)
    return seen
