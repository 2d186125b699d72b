"""Driving the Microsoft 365 sandbox from fault and abuse tests: faults, counters, mail, Sent Items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from mcp_types import CallToolResult, TextContent

AVERY = "avery.chen@northwind.example"
ADMIN_TIMEOUT = 10.0
READ_SCOPES = ["Mail.Read", "User.Read"]


@dataclass(frozen=True)
class SandboxAdmin:
    """The sandbox's loopback admin API (``/_admin/...``) and a Graph reader for checking outcomes."""

    url: str

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_admin/{path}", json=body or {}, timeout=ADMIN_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._post("reset")

    def fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (see ``crm_app.sandbox.faults.FaultRule``)."""
        return self._post("faults", rule)

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/_admin/faults", timeout=ADMIN_TIMEOUT).raise_for_status()

    def rules(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/_admin/faults", timeout=ADMIN_TIMEOUT).json()["rules"]

    def stats(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_admin/stats", timeout=ADMIN_TIMEOUT).json()

    def refresh_grants(self, user: str = AVERY) -> int:
        """How many refresh-token grants the identity provider answered for ``user`` since the last reset."""
        return int(self.stats()["token_grants"].get(user, {}).get("refresh_token", 0))

    def revoke(self, user: str = AVERY) -> int:
        return int(self._post("revoke", {"user": user})["revoked"])

    def config(self, **knobs: int) -> dict[str, Any]:
        return self._post("config", knobs)

    def mint(self, user: str = AVERY, scopes: list[str] | None = None, lifetime: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"user": user, "scopes": scopes or READ_SCOPES}
        if lifetime is not None:
            body["lifetime"] = lifetime
        return self._post("tokens", body)

    def deliver(self, subject: str, body: str, *, sender: tuple[str, str], content_type: str = "text",
                user: str = AVERY) -> dict[str, Any]:
        """Put a message from ``sender`` (name, address) into ``user``'s inbox, received now."""
        return self._post("messages", {"user": user, "from": {"name": sender[0], "address": sender[1]},
                                       "subject": subject, "body": body, "content_type": content_type})

    def outbound(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/_admin/outbound", timeout=ADMIN_TIMEOUT).json()["messages"]

    def graph(self, path: str, *, user: str = AVERY, params: dict[str, str] | None = None) -> dict[str, Any]:
        """GET a Graph resource as ``user`` with a freshly minted read token."""
        token = self.mint(user)["access_token"]
        response = httpx.get(f"{self.url}/v1.0{path}", params=params,
                             headers={"Authorization": f"Bearer {token}"}, timeout=ADMIN_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def sent_items(self, user: str = AVERY) -> list[dict[str, Any]]:
        return self.graph("/me/mailFolders/sentitems/messages", user=user,
                          params={"$top": "100", "$select": "subject,toRecipients,ccRecipients,sentDateTime"})["value"]

    def sent_to(self, address: str, user: str = AVERY) -> list[dict[str, Any]]:
        """Messages in ``user``'s Sent Items addressed (to or cc) to ``address``."""
        address = address.lower()
        out = []
        for message in self.sent_items(user):
            people = [*(message.get("toRecipients") or []), *(message.get("ccRecipients") or [])]
            if any((p.get("emailAddress") or {}).get("address", "").lower() == address for p in people):
                out.append(message)
        return out


def kinds(cards: list[dict[str, str]]) -> list[str]:
    return [card["kind"] for card in cards]


def cards_of(turn: Any, kind: str) -> list[dict[str, str]]:
    return [card for card in turn.cards if card["kind"] == kind]


def tool_text(result: CallToolResult) -> str:
    """The text blocks of an MCP tool result."""
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))
