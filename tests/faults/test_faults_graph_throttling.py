"""Microsoft Graph throttles (429 with Retry-After) and fails (503): calls are retried within bounds, then the
answer arrives or the failure is stated; a write is never repeated."""

from __future__ import annotations

import pytest

from crm_app.ms365_mcp.settings import DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_AFTER_SECONDS
from tests.faults.support import SandboxAdmin, cards_of
from tests.integration.assistant.conftest import fixed_now

MESSAGES = "/v1.0/me/messages"
ATTEMPTS_PER_CALL = 1 + DEFAULT_MAX_RETRIES

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    fixed_now(monkeypatch)


def messages_requests(admin: SandboxAdmin) -> int:
    return int(admin.stats()["requests_by_path"].get(MESSAGES, 0))


@pytest.mark.parametrize("status,retry_after", [(429, 1), (503, 0)])
async def test_a_short_burst_is_retried_and_the_answer_arrives(avery, admin, status, retry_after):
    admin.reset()
    rule = admin.fault(status=status, burst=2, retry_after=retry_after, path_prefix=MESSAGES)
    turn = await avery.say("Show me emails from the last 3 days")
    assert turn.status == "done", turn.text
    assert cards_of(turn, "email") and not cards_of(turn, "error")
    stats = admin.stats()
    assert stats["statuses"].get(str(status)) == 2 and stats["faults_injected"] == 2
    assert messages_requests(admin) == 3, "two refused attempts, then the one that answered"
    assert not [r for r in admin.rules() if r["id"] == rule["id"]], "the burst was used up"


async def test_bursts_across_parallel_calls_all_complete(avery, admin):
    admin.reset()
    admin.fault(status=429, every_nth=2, retry_after=0, path_prefix=MESSAGES)
    turn = await avery.say("show emails from Acme's contacts")
    assert turn.status == "done", turn.text
    assert cards_of(turn, "email") and not cards_of(turn, "error")
    assert admin.stats()["statuses"].get("429", 0) >= 1
    senders = {c["from_address"] for c in cards_of(turn, "email")}
    assert senders <= {"john.smith@acme.example", "maria.garcia@acme.example", "m.garcia@acme.example"}


@pytest.mark.parametrize("status,words", [(429, "throttling"), (503, "unavailable")])
async def test_a_long_outage_is_stated_after_a_bounded_number_of_attempts(avery, admin, status, words):
    admin.reset()
    admin.fault(status=status, retry_after=0, path_prefix=MESSAGES)
    turn = await avery.say("Show me emails from the last 3 days")
    assert turn.status == "failed"
    error = cards_of(turn, "error")
    assert error and not cards_of(turn, "email")
    assert words in error[0]["body"].lower() and "try again" in error[0]["body"].lower()
    assert messages_requests(admin) == ATTEMPTS_PER_CALL, "the MCP server retries; nobody retries on top of it"


async def test_a_retry_after_beyond_the_cap_is_not_waited_for(avery, admin):
    admin.reset()
    wait = int(DEFAULT_MAX_RETRY_AFTER_SECONDS * 12)
    admin.fault(status=429, burst=1, retry_after=wait, path_prefix=MESSAGES)
    turn = await avery.say("Show me emails from the last 3 days")
    assert turn.status == "failed"
    assert f"in {wait} seconds" in cards_of(turn, "error")[0]["body"]
    assert messages_requests(admin) == 1
    again = await avery.say(cards_of(turn, "error")[0]["retry_text"])
    assert again.status == "done" and cards_of(again, "email")


async def test_a_throttled_send_is_not_repeated_and_says_so(avery, admin):
    from crm_app.services.assistant import confirm_action

    admin.reset()
    turn = await avery.say("Send an email to john@company.com about the throttling drill")
    card = cards_of(turn, "confirm")[0]
    admin.fault(status=429, retry_after=1, path_prefix="/v1.0/me/sendMail")
    done = await confirm_action(avery.user, turn.message_id, card["id"])
    assert done.status == "failed"
    assert "throttling" in cards_of(done, "error")[0]["body"].lower()
    assert admin.stats()["requests_by_path"].get("/v1.0/me/sendMail") == 1, "a write is sent once, never replayed"
    assert not admin.sent_to("john@company.com")
    assert not admin.outbound()
