"""Microsoft Teams tools: the user's teams, their channels, reading a channel's messages, posting a message."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from crm_app.ms365_mcp.errors import ArgumentError, NotFound
from crm_app.ms365_mcp.graph import GraphClient
from crm_app.ms365_mcp.mapping import channel_post, named
from crm_app.ms365_mcp.models import (
    Channel,
    ChannelList,
    ChannelMessageList,
    NamedItem,
    PostedMessage,
    PostResult,
    Team,
    TeamList,
)
from crm_app.graph_query.timeparse import parse_graph_instant, utc_iso
from crm_app.ms365_mcp.tools.common import (
    ADDITIVE,
    READ_ONLY,
    GraphId,
    RequiredText,
    ShortName,
    ToolSpec,
    bearer_token,
    fetch_list,
    segment,
)

MAX_TEAMS = 100
MAX_CHANNELS = 200
MAX_MESSAGE_LENGTH = 28_000
NAMED_SELECT = "id,displayName,description,webUrl"
DEFAULT_CHANNEL_MESSAGES = 20
MAX_CHANNEL_MESSAGES = 50
DEFAULT_CHANNEL = "General"


def pick(items: list[NamedItem], wanted: str, what: str, listing_tool: str) -> NamedItem:
    """The one item whose id is `wanted`, or whose name is (or else contains) it; refuses none and several."""
    key = " ".join(wanted.lower().split())
    by_id = [i for i in items if i.id == wanted]
    exact = [i for i in items if (i.display_name or "").lower() == key]
    partial = [i for i in items if key in (i.display_name or "").lower()]
    found = by_id or exact or partial
    names = ", ".join(sorted(i.display_name or i.id for i in items)) or "none"
    if not found:
        raise NotFound(f"There is no {what} called '{wanted}'. The {what}s are: {names}. Call {listing_tool} to see them.")
    if len(found) > 1:
        raise ArgumentError(what, f"'{wanted}' matches several: {', '.join(i.display_name or i.id for i in found)}; "
                                  "give the full name or the id")
    return found[0]


async def joined_teams(graph: GraphClient, token: str) -> tuple[list[Team], bool]:
    """The teams the user is a member of, and whether more were left out."""
    return await fetch_list(
        graph, token, "/me/joinedTeams", lambda item: named(item, Team),
        params={"$select": NAMED_SELECT}, limit=MAX_TEAMS,
    )


async def team_channels(graph: GraphClient, token: str, team_id: str) -> tuple[list[Channel], bool]:
    """The channels of a team, and whether more were left out."""
    return await fetch_list(
        graph, token, f"/teams/{segment(team_id)}/channels", lambda item: named(item, Channel),
        params={"$select": NAMED_SELECT}, limit=MAX_CHANNELS,
    )


async def teams_list_teams(graph: GraphClient, ctx: Context) -> TeamList:
    teams, more = await joined_teams(graph, bearer_token(ctx))
    return TeamList(teams=teams, count=len(teams), has_more=more)


async def teams_list_channels(
    graph: GraphClient,
    ctx: Context,
    team_id: Annotated[GraphId, Field(description="Team id from teams_list_teams")],
) -> ChannelList:
    channels, more = await team_channels(graph, bearer_token(ctx), team_id)
    return ChannelList(channels=channels, count=len(channels), has_more=more)


async def teams_read_channel_messages(
    graph: GraphClient,
    ctx: Context,
    team: Annotated[ShortName, Field(description="Team name or id")],
    channel: Annotated[ShortName, Field(description="Channel name or id")] = DEFAULT_CHANNEL,
    top: Annotated[int, Field(ge=1, le=MAX_CHANNEL_MESSAGES, description="Maximum messages to return")]
    = DEFAULT_CHANNEL_MESSAGES,
) -> ChannelMessageList:
    token = bearer_token(ctx)
    teams, _ = await joined_teams(graph, token)
    the_team = pick(teams, team, "team", "teams_list_teams")
    channels, _ = await team_channels(graph, token, the_team.id)
    the_channel = pick(channels, channel, "channel", "teams_list_channels")
    page = await graph.collect(
        f"/teams/{segment(the_team.id)}/channels/{segment(the_channel.id)}/messages",
        token=token, params={"$top": str(top)}, limit=top, max_pages=1,
    )
    posts = [channel_post(item) for item in page.items if item.get("messageType", "message") == "message"
             and not item.get("deletedDateTime")]
    return ChannelMessageList(team=the_team, channel=the_channel, channel_messages=posts, count=len(posts),
                              has_more=page.has_more)


async def teams_post_message(
    graph: GraphClient,
    ctx: Context,
    team_id: Annotated[GraphId, Field(description="Team id from teams_list_teams")],
    channel_id: Annotated[GraphId, Field(description="Channel id from teams_list_channels")],
    message: Annotated[RequiredText, Field(max_length=MAX_MESSAGE_LENGTH, description="Message text")],
) -> PostResult:
    token = bearer_token(ctx)
    posted = await graph.post_json(
        f"/teams/{segment(team_id)}/channels/{segment(channel_id)}/messages",
        token=token,
        body={"body": {"contentType": "text", "content": message}},
    )
    created = parse_graph_instant(posted.get("createdDateTime"))
    return PostResult(
        message=PostedMessage(
            id=str(posted.get("id") or ""),
            web_url=posted.get("webUrl") or None,
            created_at=utc_iso(created) if created else None,
        )
    )


TOOLS = (
    ToolSpec(
        teams_list_teams,
        "List my Teams",
        "List the Microsoft Teams teams the user is a member of. Returns {\"teams\": [{id, display_name, "
        "description, web_url}], \"count\", \"has_more\"}. Pass a team's id to teams_list_channels.",
        READ_ONLY,
    ),
    ToolSpec(
        teams_list_channels,
        "List a team's channels",
        "List the channels of a team (team_id from teams_list_teams). Returns {\"channels\": [{id, "
        "display_name, description, web_url}], \"count\", \"has_more\"}.",
        READ_ONLY,
    ),
    ToolSpec(
        teams_read_channel_messages,
        "Read a Teams channel's messages",
        "Read the latest messages of a Teams channel, newest first, as plain text. `team` and `channel` are "
        "names (\"Sales\", \"General\") or ids from teams_list_teams / teams_list_channels; `channel` "
        f"defaults to {DEFAULT_CHANNEL}. Returns {{\"team\", \"channel\", \"channel_messages\": [{{id, "
        "author, created_at, subject, body, web_url}], \"count\", \"has_more\"}; replies are not included.",
        READ_ONLY,
    ),
    ToolSpec(
        teams_post_message,
        "Post to a Teams channel",
        "Post a plain-text message to a Teams channel as the user; every channel member can see it at once. "
        "Call only after the user confirmed the text. Returns {\"message\": {id, web_url, created_at}}.",
        ADDITIVE,
    ),
)
