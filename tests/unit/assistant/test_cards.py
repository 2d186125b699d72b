"""Tool results → cards: the body label follows whether text was cut, people show once, sends become result cards."""

from crm_app.assistant.cards import FULL_LABEL, PREVIEW_LABEL, cards_from_result, crm_card, email_card, event_card
from crm_app.tools.base import ToolResult


def _email(**extra):
    return {"id": "m1", "subject": "Hello", "from": {"name": "John Smith", "address": "john@acme.example"},
            "to": [{"name": "john@company.com", "address": "john@company.com"}], "body": "Short and whole.",
            "body_kind": "preview", **extra}


def test_a_preview_that_holds_the_whole_text_is_labelled_full():
    card = email_card(_email(body_truncated=False))
    assert card["body_kind"] == "preview" and card["body_truncated"] == ""
    assert card["body_label"] == FULL_LABEL


def test_a_cut_preview_is_never_labelled_full():
    card = email_card(_email(body_truncated=True))
    assert card["body_truncated"] == "true" and card["body_label"] == PREVIEW_LABEL


def test_a_graph_shaped_preview_counts_as_cut_at_graphs_preview_length():
    short = email_card({"subject": "s", "from": {"emailAddress": {"address": "a@b.example"}}, "bodyPreview": "hi"})
    long = email_card({"subject": "s", "from": {"emailAddress": {"address": "a@b.example"}}, "bodyPreview": "x" * 255})
    assert short["body_label"] == FULL_LABEL and short["body_truncated"] == ""
    assert long["body_label"] == PREVIEW_LABEL and long["body_truncated"] == "true"


def test_full_and_empty_bodies_keep_their_labels():
    assert email_card(_email(body_kind="full", body="All of it"))["body_label"] == FULL_LABEL
    empty = email_card(_email(body=""))
    assert empty["body_kind"] == "empty" and empty["body_truncated"] == "" and empty["body_label"] == "No body text"


def test_a_person_whose_name_is_the_address_shows_the_address_once():
    card = email_card(_email())
    assert card["to"] == "john@company.com"
    event = event_card({"subject": "x", "start": "2026-01-01T10:00", "end": "2026-01-01T11:00",
                        "organizer": {"name": "A@B.example", "address": "a@b.example"},
                        "attendees": [{"name": "Maria Garcia", "address": "maria@acme.example"}]})
    assert event["organizer"] == "a@b.example"
    assert event["attendees"] == "Maria Garcia <maria@acme.example>"


def test_a_send_becomes_a_sent_card_without_empty_recipients():
    result = ToolResult(ok=True, tool="outlook_send_email", source="ms365", data={
        "status": "sent", "to": [{"name": "", "address": "john@company.com"}], "cc": [], "subject": "Our meeting"})
    (card,) = cards_from_result(result)
    assert card == {"kind": "sent", "id": "", "status": "sent", "title": "Email sent", "to": "john@company.com", "cc": "",
                    "subject": "Our meeting", "folder": "Sent Items", "link": ""}


def test_a_draft_becomes_a_card_pointing_at_drafts():
    result = ToolResult(ok=True, tool="outlook_create_draft", source="ms365", data={
        "status": "draft_created", "draft": {"id": "d1", "subject": "Q2", "to": [{"address": "j@x.example"}],
                                            "web_link": "https://example/owa/d1"}})
    (card,) = cards_from_result(result)
    assert (card["kind"], card["title"], card["folder"], card["to"], card["link"]) == (
        "sent", "Draft saved", "Drafts", "j@x.example", "https://example/owa/d1")


def test_deal_cards_use_the_shared_money_format_and_capitalised_stages():
    card = crm_card("deal", {"id": 1, "title": "Acme", "stage": "negotiation", "currency": "USD", "amount": "85000.00",
                             "company": "Acme Corporation"})
    assert card["subtitle"] == "Negotiation · USD 85,000.00 · Acme Corporation"
