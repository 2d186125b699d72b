"""The chat page's messages: stored and live turns become typed cards the page shows."""

from __future__ import annotations

from crm_app.services.assistant import Card, Turn
from crm_app.state.chat_view import from_turn, to_ui


def test_a_stored_message_shows_typed_cards_and_an_old_card_still_loads():
    stored = {"id": 4, "role": "assistant", "content": "Here.", "cards": [
        {"kind": "email", "id": "m1", "title": "Quote", "body_kind": "preview", "body_truncated": "true"},
        {"kind": "confirm", "id": "a1", "title": "Send this email?", "status": "retryable", "industry": "Retail"},
    ]}
    message = to_ui(stored)
    assert all(isinstance(c, Card) for c in message.cards)
    email, confirm = message.cards
    assert (email.kind, email.title, email.from_address) == ("email", "Quote", "")
    assert confirm.status == "pending", "an action Microsoft 365 refused for now waits for the user again"
    assert confirm.extra == {"industry": "Retail"}
    assert stored["cards"][1]["status"] == "retryable", "what is stored is not changed by showing it"


def test_only_a_confirmation_has_its_retryable_status_shown_as_pending():
    message = to_ui({"cards": [{"kind": "sent", "id": "s1", "title": "Email sent", "status": "retryable"}]})
    assert message.cards[0].status == "retryable"


def test_a_live_turn_shows_the_cards_it_holds():
    turn = Turn(text="Found one.", cards=[Card(kind="event", id="e1", title="Acme sync", start="2026-03-23T10:00")])
    message = from_turn(turn)
    assert message.id == "" and message.text == "Found one."
    assert message.cards == [Card(kind="event", id="e1", title="Acme sync", start="2026-03-23T10:00")]
    assert message.cards[0] is not turn.cards[0], "the page gets its own copy, not the turn's card"
