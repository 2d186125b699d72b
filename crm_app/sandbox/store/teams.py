"""Teams, their channels and channel messages with replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crm_app.sandbox.errors import GraphError, NotFound
from crm_app.sandbox.odata.values import format_datetime

MILLISECONDS = 1000


@dataclass
class ChannelMessage:
    """A top-level channel message and its replies (each reply is Graph JSON)."""

    data: dict[str, Any]
    replies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.data["id"]


@dataclass
class Channel:
    data: dict[str, Any]
    messages: list[ChannelMessage] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.data["id"]

    def next_message_id(self, moment: datetime) -> str:
        """An id from ``moment`` (epoch milliseconds), moved on by a millisecond while taken."""
        taken = {m.id for m in self.messages} | {r["id"] for m in self.messages for r in m.replies}
        millis = int(moment.timestamp() * MILLISECONDS)
        while str(millis) in taken:
            millis += 1
        return str(millis)

    def message(self, message_id: str) -> ChannelMessage:
        found = next((m for m in self.messages if m.id == message_id), None)
        if found is None:
            raise NotFound(
                "The channel message was not found. It may have been deleted; list the channel messages again.",
                code="NotFound",
            )
        return found


@dataclass
class Team:
    data: dict[str, Any]
    members: tuple[str, ...]
    channels: dict[str, Channel] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.data["id"]

    def is_member(self, mail: str) -> bool:
        return mail.lower() in self.members

    def channel(self, channel_id: str) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise NotFound(
                "The channel was not found in this team. List /teams/{team-id}/channels for current ids.",
                code="NotFound",
            )
        return channel


def require_member(team: Team, mail: str) -> None:
    if not team.is_member(mail):
        raise GraphError(
            403,
            "ErrorAccessDenied",
            f"You are not a member of the team '{team.data['displayName']}'. Ask a team owner to add you.",
        )


def chat_message(
    message_id: str,
    *,
    team_id: str,
    channel_id: str,
    tenant_id: str,
    author: dict[str, str],
    content: str,
    content_type: str,
    created: datetime,
    web_url: str,
    subject: str | None = None,
    reply_to: str | None = None,
    importance: str = "normal",
    mentions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A ``chatMessage`` in Graph's shape; ``author`` has ``id`` and ``displayName``."""
    stamp = format_datetime(created)
    return {
        "id": message_id,
        "replyToId": reply_to,
        "etag": message_id,
        "messageType": "message",
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "lastEditedDateTime": None,
        "deletedDateTime": None,
        "subject": subject,
        "summary": None,
        "chatId": None,
        "importance": importance,
        "locale": "en-us",
        "webUrl": web_url,
        "policyViolation": None,
        "eventDetail": None,
        "from": {
            "application": None,
            "device": None,
            "user": {
                "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                "id": author["id"],
                "displayName": author["displayName"],
                "userIdentityType": "aadUser",
                "tenantId": tenant_id,
            },
        },
        "body": {"contentType": content_type, "content": content},
        "channelIdentity": {"teamId": team_id, "channelId": channel_id},
        "attachments": [],
        "mentions": list(mentions or []),
        "reactions": [],
        "messageHistory": [],
    }
