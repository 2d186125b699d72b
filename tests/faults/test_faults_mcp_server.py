"""The MCP server dies in the middle of a conversation: the turn in flight ends with an honest error card,
nothing said so far is lost, and once the server is back the next request works in the same process."""

from __future__ import annotations

import asyncio
import time

import pytest

from crm_app.services import conversations
from tests.faults.support import AVERY, SandboxAdmin, cards_of
from tests.integration.assistant.conftest import fixed_now

IN_FLIGHT_TIMEOUT = 20.0
SLOW_GRAPH_MS = 4000

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


async def wait_in_flight(admin: SandboxAdmin, user: str = AVERY) -> None:
    """Until a Graph request of ``user``'s mailbox is being served (the tool call is in flight)."""
    deadline = time.monotonic() + IN_FLIGHT_TIMEOUT
    while time.monotonic() < deadline:
        stats = await asyncio.to_thread(admin.stats)
        if stats["in_flight"].get(user):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mailbox request of {user} reached the sandbox within {IN_FLIGHT_TIMEOUT} s")


async def test_server_killed_mid_turn_then_back_without_restarting_the_app(avery, admin, monkeypatch):
    fixed_now(monkeypatch)
    first = await avery.say("Show me emails from the last 3 days")
    assert first.status == "done" and cards_of(first, "email")

    admin.fault(latency_ms=SLOW_GRAPH_MS, path_prefix="/v1.0/me/messages")
    turn = asyncio.create_task(avery.say("Show me emails from John Smith"))
    await wait_in_flight(admin)
    avery.mcp.proc.kill()
    avery.mcp.stop()
    failed = await turn

    assert failed.status == "failed"
    errors = cards_of(failed, "error")
    assert len(errors) == 1 and not cards_of(failed, "email")
    assert "not answering" in errors[0]["body"] and "try again" in errors[0]["body"].lower()
    assert errors[0]["retry_text"] == "Show me emails from John Smith"
    assert "failed" in failed.text.lower()

    history = conversations.messages(avery.user.id, avery.conversation_id)
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    assert history[1]["cards"] == first.cards, "the earlier answer is kept as it was shown"
    assert history[2]["content"] == "Show me emails from John Smith"
    assert history[3]["status"] == "failed" and cards_of_payload(history[3], "error")

    admin.clear_faults()
    avery.mcp.start()
    again = await avery.say(errors[0]["retry_text"])
    assert again.status == "done", again.text
    assert cards_of(again, "email")
    assert {c["from_address"] for c in cards_of(again, "email")} == {"john.smith@acme.example"}
    assert len(conversations.messages(avery.user.id, avery.conversation_id)) == 6


def cards_of_payload(message: dict, kind: str) -> list[dict]:
    return [card for card in message.get("cards") or [] if card.get("kind") == kind]


async def test_first_request_in_an_outage_says_not_answering_and_the_next_after_recovery_works(
    avery, admin, monkeypatch
):
    from crm_app.services import mcp_runtime

    fixed_now(monkeypatch)
    monkeypatch.setattr(mcp_runtime, "BREAKER_RESET_SECONDS", 300.0)
    assert (await avery.say("Show me emails from the last 3 days")).status == "done"

    avery.mcp.stop()
    tries = [await avery.say("Show me emails from John Smith") for _ in range(3)]
    for turn in tries:
        errors = cards_of(turn, "error")
        assert turn.status == "failed" and len(errors) == 1 and not cards_of(turn, "email")
        assert "not answering" in errors[0]["body"]
        assert "several times" not in errors[0]["body"] and "several times" not in turn.text
    assert "paused" not in cards_of(tries[0], "error")[0]["body"], "the first try met no pause"
    manager = mcp_runtime.get_mcp_manager()
    assert manager._breaker(mcp_runtime.ms365_config()).state == "open", "the repeated failures paused the calls"

    avery.mcp.start()
    await manager.check_health()
    again = await avery.say("Show me emails from John Smith")
    # Calls are paused for 300 s after the outage, so only the health check can have resumed them.
    assert again.status == "done", again.text
    assert {c["from_address"] for c in cards_of(again, "email")} == {"john.smith@acme.example"}
    assert not cards_of(again, "error")
