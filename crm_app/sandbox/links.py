"""Browser links (``webLink`` / ``webUrl``) to the sandbox's own read-only viewer pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

_URL_SAFE_ID = re.compile(r"[A-Za-z0-9_\-=]*")


def quote_id(value: str) -> str:
    """Percent-encode an id for a query string (fast for base64url ids, whose only unsafe character is '=')."""
    if _URL_SAFE_ID.fullmatch(value):
        return value.replace("=", "%3D")
    return quote(value, safe="")


@dataclass(frozen=True)
class Links:
    """Builds viewer URLs under the public (browser) base URL."""

    base: str

    def message(self, message_id: str) -> str:
        return f"{self.base}/owa/?ItemID={quote_id(message_id)}&exvsurl=1&viewmodel=ReadMessageItem"

    def event(self, event_id: str) -> str:
        return f"{self.base}/owa/?itemid={quote_id(event_id)}&exvsurl=1&path=/calendar/item"

    def drive_item(self, item_id: str) -> str:
        return f"{self.base}/drive/items/{quote(item_id, safe='')}"

    def site(self, name: str) -> str:
        return f"{self.base}/sites/{quote(name, safe='')}"

    def team(self, team_id: str) -> str:
        return f"{self.base}/teams/{quote(team_id, safe='')}"

    def channel(self, team_id: str, channel_id: str) -> str:
        return f"{self.base}/teams/{quote(team_id, safe='')}/channels/{quote(channel_id, safe='')}"

    def chat_message(self, team_id: str, channel_id: str, message_id: str) -> str:
        return f"{self.channel(team_id, channel_id)}#message-{quote(message_id, safe='')}"
