"""Confirming a proposed action through the real stack: it runs once however many times it is confirmed."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.support import SandboxAdmin, cards_of
from tests.integration.assistant.conftest import fixed_now

SEND_MAIL = "/v1.0/me/sendMail"


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    fixed_now(monkeypatch)


def stored_action(avery, message_id: int, action_id: str) -> tuple[dict, dict]:
    from crm_app.services import conversations

    msg = conversations.get_message(avery.user.id, message_id)
    card = next(c for c in msg["cards"] if c["kind"] == "confirm" and c["id"] == action_id)
    return msg["actions"][action_id], card


async def propose_send(avery, about: str):
    turn = await avery.say(f"Send an email to john@company.com about {about}")
    return SandboxAdmin(avery.sandbox.url), turn, cards_of(turn, "confirm")[0]


async def test_simultaneous_confirmations_send_one_email(avery):
    from crm_app.services.assistant import confirm_action

    admin, turn, card = await propose_send(avery, "the double click")
    assert not admin.sent_to("john@company.com")
    outcomes = await asyncio.gather(*(confirm_action(avery.user, turn.message_id, card["id"]) for _ in range(4)))
    ran = [t for t in outcomes if t.text != "That action was already handled."]
    assert len(ran) == 1, [t.text for t in outcomes]
    assert ran[0].status == "done" and not cards_of(ran[0], "error"), ran[0].text
    assert all(t.status == "done" and not t.cards and not t.chips for t in outcomes if t is not ran[0])
    sent = admin.sent_to("john@company.com")
    assert len(sent) == 1 and sent[0]["subject"] == card["subject"]
    assert admin.stats()["requests_by_path"].get(SEND_MAIL) == 1
    action, stored_card = stored_action(avery, turn.message_id, card["id"])
    assert action["status"] == "done" and stored_card["status"] == "done"


async def test_a_cancelled_action_cannot_be_confirmed(avery):
    from crm_app.services.assistant import cancel_action, confirm_action

    admin, turn, card = await propose_send(avery, "the cancelled plan")
    cancel_action(avery.user, turn.message_id, card["id"])
    again = await confirm_action(avery.user, turn.message_id, card["id"])
    assert again.text == "That action was already handled." and not again.cards
    assert not admin.sent_to("john@company.com")
    action, stored_card = stored_action(avery, turn.message_id, card["id"])
    assert action["status"] == "cancelled" and stored_card["status"] == "cancelled"


async def test_edits_are_kept_on_the_card_once_the_action_ran(avery):
    from crm_app.services.assistant import confirm_action

    admin, turn, card = await propose_send(avery, "our meeting")
    done = await confirm_action(avery.user, turn.message_id, card["id"],
                                {"subject": "Meeting moved", "secret": "not a card field"})
    assert done.status == "done", done.text
    assert [m["subject"] for m in admin.sent_to("john@company.com")] == ["Meeting moved"]
    action, stored_card = stored_action(avery, turn.message_id, card["id"])
    assert stored_card["subject"] == "Meeting moved" and "secret" not in stored_card
    assert action["status"] == "done"


@pytest.mark.parametrize("status", [429, 503])
async def test_a_send_refused_for_now_can_be_confirmed_again_and_sends_once(avery, status):
    from crm_app.services.assistant import confirm_action

    admin, turn, card = await propose_send(avery, "the throttled retry")
    admin.fault(status=status, burst=1, retry_after=0, path_prefix=SEND_MAIL)
    first = await confirm_action(avery.user, turn.message_id, card["id"], {"subject": "Retried subject"})
    assert first.status == "failed" and first.action_status == "retryable"
    assert "press Confirm on the card again" in cards_of(first, "error")[0]["body"]
    assert not admin.sent_to("john@company.com")
    action, stored_card = stored_action(avery, turn.message_id, card["id"])
    assert action["status"] == "retryable" and stored_card["status"] == "retryable"
    assert stored_card["subject"] == "Retried subject"

    second = await confirm_action(avery.user, turn.message_id, card["id"])
    assert second.status == "done" and second.action_status == "done", second.text
    assert [m["subject"] for m in admin.sent_to("john@company.com")] == ["Retried subject"]
    assert admin.stats()["requests_by_path"].get(SEND_MAIL) == 2
    third = await confirm_action(avery.user, turn.message_id, card["id"])
    assert third.text == "That action was already handled."
    assert len(admin.sent_to("john@company.com")) == 1
    action, stored_card = stored_action(avery, turn.message_id, card["id"])
    assert action["status"] == "done" and stored_card["status"] == "done"


async def test_a_send_the_server_rejected_is_not_offered_again(avery):
    from crm_app.services.assistant import confirm_action

    admin, turn, card = await propose_send(avery, "the rejected send")
    first = await confirm_action(avery.user, turn.message_id, card["id"], {"to": "not an address"})
    assert first.status == "failed" and first.action_status == "failed", first.text
    assert "Confirm on the card again" not in cards_of(first, "error")[0]["body"]
    again = await confirm_action(avery.user, turn.message_id, card["id"])
    assert again.text == "That action was already handled."
    assert not admin.sent_to("john@company.com") and not admin.outbound()
    action, stored_card = stored_action(avery, turn.message_id, card["id"])
    assert action["status"] == "failed" and stored_card["status"] == "failed"
