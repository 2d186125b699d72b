"""Reading a Teams channel from the chat through the real stack: the parser, the MCP tool, the post cards."""

from __future__ import annotations

import httpx

from tests.integration.assistant.conftest import fixed_now


def channel_truth(avery, team: str, channel: str) -> list[dict]:
    from tests.integration.assistant.conftest import mint

    token = mint(avery.sandbox)["access_token"]
    graph = f"{avery.sandbox.url}/v1.0"
    headers = {"Authorization": f"Bearer {token}"}
    teams = httpx.get(f"{graph}/me/joinedTeams", headers=headers, timeout=10).json()["value"]
    team_id = next(t["id"] for t in teams if t["displayName"] == team)
    channels = httpx.get(f"{graph}/teams/{team_id}/channels", headers=headers, timeout=10).json()["value"]
    channel_id = next(c["id"] for c in channels if c["displayName"] == channel)
    return httpx.get(f"{graph}/teams/{team_id}/channels/{channel_id}/messages", headers=headers, timeout=10).json()["value"]


async def test_whats_new_in_the_sales_general_channel(avery, monkeypatch):
    fixed_now(monkeypatch)
    truth = channel_truth(avery, "Sales", "General")
    turn = await avery.say("what's new in the sales general channel")
    assert turn.status == "done"
    assert avery.tools() == ["teams_read_channel_messages"]
    assert avery.calls[0][1] == {"team": "sales", "channel": "general"}
    assert [c["kind"] for c in turn.cards] == ["post"] * len(truth)
    assert [c["id"] for c in turn.cards] == [m["id"] for m in truth]
    assert {c["title"] for c in turn.cards} <= {"Avery Chen", "Jordan Patel"}
    pricing = next(c for c in turn.cards if "pricing sheet" in c["body"])
    assert "<p>" not in pricing["body"] and pricing["link"]
    assert f"{len(truth)} messages" in turn.text and "the general channel of sales" in turn.text
    assert turn.chips and turn.chips[0].label == "Read the channel" and turn.chips[0].state == "done"


async def test_unknown_team_is_an_honest_error(avery, monkeypatch):
    fixed_now(monkeypatch)
    turn = await avery.say("what's new in the marketing general channel")
    assert avery.tools() == ["teams_read_channel_messages"]
    assert turn.status == "failed"
    assert [c["kind"] for c in turn.cards] == ["error"]
    assert "no team called 'marketing'" in turn.cards[0]["body"] and "Sales" in turn.cards[0]["body"]
