"""Microsoft Teams tools: the user's teams, their channels, posting a message."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

from crm_app.ms365_mcp.graph import GraphClient
from crm_app.ms365_mcp.mapping import named
from crm_app.ms365_mcp.models import Channel, ChannelList, PostedMessage, PostResult, Team, TeamList
from crm_app.graph_query.timeparse import parse_graph_instant, utc_iso
from crm_app.ms365_mcp.tools.common import (
    ADDITIVE,
    READ_ONLY,
    GraphId,
    RequiredText,
    bearer_token,
    fetch_list,
    segment,
)

MAX_TEAMS = 100
MAX_CHANNELS = 200
MAX_MESSAGE_LENGTH = 28_000
NAMED_SELECT = "id,displayName,description,webUrl"


def register(server: MCPServer, graph: GraphClient) -> None:
    """Add the Teams tools to `server`, calling Graph through `graph`."""

    @server.tool(
        name="teams_list_teams",
        title="List my Teams",
        description=(
            "List the Microsoft Teams teams the user is a member of. Returns {\"teams\": [{id, display_name, "
            "description, web_url}], \"count\", \"has_more\"}. Pass a team's id to teams_list_channels."
        ),
        annotations=READ_ONLY,
    )
    async def teams_list_teams(ctx: Context) -> TeamList:
        teams, more = await fetch_list(
            graph, bearer_token(ctx), "/me/joinedTeams", lambda item: named(item, Team),
            params={"$select": NAMED_SELECT}, limit=MAX_TEAMS,
        )
        return TeamList(teams=teams, count=len(teams), has_more=more)

    @server.tool(
        name="teams_list_channels",
        title="List a team's channels",
        description=(
            "List the channels of a team (team_id from teams_list_teams). Returns {\"channels\": [{id, "
            "display_name, description, web_url}], \"count\", \"has_more\"}."
        ),
        annotations=READ_ONLY,
    )
    async def teams_list_channels(
        ctx: Context,
        team_id: Annotated[GraphId, Field(description="Team id from teams_list_teams")],
    ) -> ChannelList:
        channels, more = await fetch_list(
            graph, bearer_token(ctx), f"/teams/{segment(team_id)}/channels", lambda item: named(item, Channel),
            params={"$select": NAMED_SELECT}, limit=MAX_CHANNELS,
        )
        return ChannelList(channels=channels, count=len(channels), has_more=more)

    @server.tool(
        name="teams_post_message",
        title="Post to a Teams channel",
        description=(
            "Post a plain-text message to a Teams channel as the user; every channel member can see it at once. "
            "Call only after the user confirmed the text. Returns {\"message\": {id, web_url, created_at}}."
        ),
        annotations=ADDITIVE,
    )
    async def teams_post_message(
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
