"""The card model: its kind is a field, it is written and read in one shape, and old stored cards still load."""

import json

import pytest

from crm_app.assistant.card_model import KIND_FIELDS, Card
from crm_app.assistant.cards import email_card, error_card, sent_card
from crm_app.services.assistant.turn import Turn


def test_a_card_carries_its_kinds_fields_and_nothing_empty_beyond_them():
    card = email_card({"id": "m1", "subject": "Hi", "from": {"address": "a@b.example"}, "body": "x",
                       "body_kind": "full"})
    assert isinstance(card, Card) and card.kind == "email"
    assert set(card) == {"kind", *KIND_FIELDS["email"]}
    assert "status" not in card and "folder" not in card, "fields of other kinds are not part of an email"
    assert card["status"] == "", "a named field reads as empty text where the kind does not carry it"
    with pytest.raises(KeyError):
        card["no_such_field"]


def test_the_stored_shape_round_trips_through_json():
    card = sent_card({"status": "sent", "to": ["john@acme.example"], "subject": "Quote"})
    stored = json.loads(json.dumps(card.to_dict()))
    assert Card.from_dict(stored) == card
    assert stored["kind"] == "sent" and stored["to"] == "john@acme.example"


def test_an_old_stored_card_loads_with_unknown_keys_kept_aside_and_values_as_text():
    old = {"kind": "confirm", "id": "a1", "title": "Update this contact?", "status": "pending", "industry": "Retail",
           "probability": 40, "cc": None}
    card = Card.from_dict(old)
    assert card.kind == "confirm" and card.status == "pending" and card.cc == ""
    assert card.extra == {"industry": "Retail", "probability": "40"}
    assert card["industry"] == "Retail" and "industry" in card
    assert not hasattr(card, "industry"), "unknown keys do not become attributes"


def test_a_stored_card_with_no_kind_is_text_not_a_guess():
    card = Card.from_dict({"title": "Note", "body": "hello", "from_address": "a@b.example"})
    assert card.kind == "text"


def test_with_values_changes_a_copy_only():
    card = Card(kind="confirm", id="a1", status="pending", to="a@b.example")
    moved = card.with_values(status="running", to="c@d.example", note="kept aside")
    assert (moved.status, moved.to, moved.extra) == ("running", "c@d.example", {"note": "kept aside"})
    assert (card.status, card.to, card.extra) == ("pending", "a@b.example", {})


def test_a_turn_stores_its_cards_as_plain_dicts():
    turn = Turn()
    card = error_card("Searching your mail", "The server did not answer.", retry_id="r1")
    card.retry_text = "find the quote"
    turn.cards.append(card)
    [stored] = turn.payload()["cards"]
    assert type(stored) is dict and stored["kind"] == "error" and stored["retry_text"] == "find the quote"
    assert Card.from_dict(stored) == card
