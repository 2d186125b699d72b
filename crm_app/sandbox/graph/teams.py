"""Teams: joined teams, channels, channel messages and replies."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crm_app.sandbox.errors import BadRequest
from crm_app.sandbox.graph.http import (
    Caller,
    entity,
    json_body,
    list_response,
    requires,
    select_fields,
)
from crm_app.sandbox.odata.options import parse_select
from crm_app.sandbox.odata.schema import CHANNEL, CHAT_MESSAGE, TEAM
from crm_app.sandbox.store.teams import (
    Channel,
    ChannelMessage,
    Team,
    chat_message,
    require_member,
)

TEAM_READ = ("Team.ReadBasic.All", "TeamSettings.Read.All", "TeamSettings.ReadWrite.All", "User.Read.All",
             "Directory.Read.All")
CHANNEL_READ = ("Channel.ReadBasic.All", "ChannelSettings.Read.All", "ChannelSettings.ReadWrite.All",
                "Directory.Read.All")
MESSAGE_READ = ("ChannelMessage.Read.All",)
MESSAGE_SEND = ("ChannelMessage.Send",)
MESSAGES_DEFAULT_TOP = 20
MESSAGES_MAX_TOP = 50
MESSAGE_OPTIONS = frozenset({"$top", "$skiptoken", "$expand"})
CONTENT_TYPES = frozenset({"text", "html"})


def team_of(request: Request, caller: Caller) -> Team:
    team = caller.sandbox.state.team(request.path_params["team_id"])
    require_member(team, caller.user.mail)
    return team


def channel_of(request: Request, caller: Caller) -> tuple[Team, Channel]:
    team = team_of(request, caller)
    return team, team.channel(request.path_params["channel_id"])


def selected(request: Request, data: dict[str, Any], schema: Any) -> dict[str, Any]:
    select = parse_select(request.query_params["$select"], schema) if "$select" in request.query_params else None
    return select_fields(data, select)


@requires(*TEAM_READ)
async def joined_teams(request: Request, caller: Caller) -> Response:
    """GET /me/joinedTeams."""
    teams = [team for team in caller.sandbox.state.data.teams if team.is_member(caller.user.mail)]
    return list_response(request, "Collection(microsoft.graph.team)", teams, TEAM, read=lambda t: t.data)


@requires(*TEAM_READ)
async def get_team(request: Request, caller: Caller) -> Response:
    """GET /teams/{team-id}."""
    team = team_of(request, caller)
    return entity(request, "teams/$entity", selected(request, team.data, TEAM))


@requires(*CHANNEL_READ)
async def channels(request: Request, caller: Caller) -> Response:
    """GET /teams/{team-id}/channels."""
    team = team_of(request, caller)
    return list_response(request, f"teams('{team.id}')/channels", list(team.channels.values()), CHANNEL,
                         read=lambda c: c.data)


@requires(*CHANNEL_READ)
async def get_channel(request: Request, caller: Caller) -> Response:
    """GET /teams/{team-id}/channels/{channel-id}."""
    team, channel = channel_of(request, caller)
    return entity(request, f"teams('{team.id}')/channels/$entity", selected(request, channel.data, CHANNEL))


def render_message(message: ChannelMessage, expand: tuple[str, ...]) -> dict[str, Any]:
    data = dict(message.data)
    if "replies" in expand:
        data["replies"] = list(message.replies)
    return data


@requires(*MESSAGE_READ)
async def channel_messages(request: Request, caller: Caller) -> Response:
    """GET /teams/{team-id}/channels/{channel-id}/messages: newest first, pages of up to 50."""
    team, channel = channel_of(request, caller)
    newest_first = list(reversed(channel.messages))
    return list_response(
        request, f"teams('{team.id}')/channels('{channel.id}')/messages", newest_first, CHAT_MESSAGE,
        read=lambda m: m.data, render=lambda m, o: render_message(m, o.expand), use_skiptoken=True,
        default_top=MESSAGES_DEFAULT_TOP, max_top=MESSAGES_MAX_TOP, allowed=MESSAGE_OPTIONS,
    )


@requires(*MESSAGE_READ)
async def get_channel_message(request: Request, caller: Caller) -> Response:
    """GET /teams/{team-id}/channels/{channel-id}/messages/{message-id}."""
    team, channel = channel_of(request, caller)
    message = channel.message(request.path_params["message_id"])
    return entity(request, f"teams('{team.id}')/channels('{channel.id}')/messages/$entity", dict(message.data))


@requires(*MESSAGE_READ)
async def replies(request: Request, caller: Caller) -> Response:
    """GET .../messages/{message-id}/replies."""
    team, channel = channel_of(request, caller)
    message = channel.message(request.path_params["message_id"])
    return list_response(
        request, f"teams('{team.id}')/channels('{channel.id}')/messages('{message.id}')/replies",
        list(reversed(message.replies)), CHAT_MESSAGE, use_skiptoken=True, default_top=MESSAGES_DEFAULT_TOP,
        max_top=MESSAGES_MAX_TOP, allowed=MESSAGE_OPTIONS,
    )


def new_message(caller: Caller, team: Team, channel: Channel, body: dict[str, Any],
                reply_to: str | None = None) -> dict[str, Any]:
    content = body.get("body")
    if not isinstance(content, dict) or not isinstance(content.get("content"), str) or not content["content"].strip():
        raise BadRequest("The message needs a body: {\"body\": {\"contentType\": \"html\", \"content\": \"...\"}}.")
    content_type = str(content.get("contentType") or "text").lower()
    if content_type not in CONTENT_TYPES:
        raise BadRequest("'body.contentType' must be text or html.")
    subject = body.get("subject")
    if subject is not None and not isinstance(subject, str):
        raise BadRequest("'subject' must be a string.")
    now = caller.sandbox.state.now()
    message_id = channel.next_message_id(now)
    links = caller.sandbox.links
    return chat_message(
        message_id, team_id=team.id, channel_id=channel.id, tenant_id=caller.sandbox.tenant.id,
        author={"id": caller.user.id, "displayName": caller.user.display_name}, content=content["content"],
        content_type=content_type, created=now, subject=subject, reply_to=reply_to,
        importance=str(body.get("importance") or "normal"),
        web_url=links.chat_message(team.id, channel.id, message_id),
    )


@requires(*MESSAGE_SEND)
async def post_message(request: Request, caller: Caller) -> Response:
    """POST /teams/{team-id}/channels/{channel-id}/messages."""
    team, channel = channel_of(request, caller)
    data = new_message(caller, team, channel, await json_body(request))
    channel.messages.append(ChannelMessage(data))
    return entity(request, f"teams('{team.id}')/channels('{channel.id}')/messages/$entity", data, 201)


@requires(*MESSAGE_SEND)
async def post_reply(request: Request, caller: Caller) -> Response:
    """POST .../messages/{message-id}/replies."""
    team, channel = channel_of(request, caller)
    parent = channel.message(request.path_params["message_id"])
    data = new_message(caller, team, channel, await json_body(request), reply_to=parent.id)
    parent.replies.append(data)
    return entity(request, f"teams('{team.id}')/channels('{channel.id}')/messages('{parent.id}')/replies/$entity",
                  data, 201)


def routes() -> list[Route]:
    base = "/v1.0/teams/{team_id}"
    channel = base + "/channels/{channel_id}"
    return [
        Route("/v1.0/me/joinedTeams", joined_teams, methods=["GET"]),
        Route(base, get_team, methods=["GET"]),
        Route(base + "/channels", channels, methods=["GET"]),
        Route(channel, get_channel, methods=["GET"]),
        Route(channel + "/messages", channel_messages, methods=["GET"]),
        Route(channel + "/messages", post_message, methods=["POST"]),
        Route(channel + "/messages/{message_id}", get_channel_message, methods=["GET"]),
        Route(channel + "/messages/{message_id}/replies", replies, methods=["GET"]),
        Route(channel + "/messages/{message_id}/replies", post_reply, methods=["POST"]),
    ]
