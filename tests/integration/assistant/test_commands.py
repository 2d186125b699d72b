"""Every command from the plan through the real stack: the parser, the tool chosen, its arguments, the cards."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.assistant.conftest import fixed_now


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    fixed_now(monkeypatch)


def kinds(turn) -> list[str]:
    return [c["kind"] for c in turn.cards]


async def test_search_my_emails(avery):
    turn = await avery.say("Can you search my emails?")
    assert avery.tools() == ["outlook_search_emails"]
    assert turn.status == "done" and kinds(turn) and set(kinds(turn)) == {"email"}
    for c in turn.cards:  # a preview is labelled full only when the server says nothing of it was cut
        assert c["body_kind"] in ("preview", "empty")
        assert c["body_label"] == {"true": "Preview · truncated"}.get(c["body_truncated"],
                                                                      "No body text" if c["body_kind"] == "empty" else "Full body")
    assert any(c["body_label"] == "Preview · truncated" for c in turn.cards)
    assert "preview" in turn.text.lower()


async def test_emails_from_the_last_3_days_are_dated_inside_the_range(avery):
    turn = await avery.say("Show me emails from the last 3 days")
    name, args = avery.calls[0]
    assert name == "outlook_search_emails" and args["start"].startswith("2026-03-22")
    assert turn.cards and all(c["date"] >= "2026-03-22" for c in turn.cards)


async def test_emails_from_last_week(avery):
    await avery.say("Show me emails from last week")
    _, args = avery.calls[0]
    assert args["start"].startswith("2026-03-16") and args["end"].startswith("2026-03-23")


@pytest.mark.parametrize("text,query", [("Find emails about the quarterly report", "quarterly report"),
                                        ("Find emails about meetings", "meeting")])
async def test_topic_search(avery, text, query):
    turn = await avery.say(text)
    _, args = avery.calls[0]
    assert query in args["query"].lower()
    assert turn.cards, "the demo mailbox has mail on this topic"


async def test_sender_filter_returns_only_that_sender_then_full_body_follow_up(avery):
    turn = await avery.say("Show me emails from John Smith")
    _, args = avery.calls[0]
    assert args["sender"] == "john.smith@acme.example"
    assert turn.cards and {c["from_address"] for c in turn.cards} == {"john.smith@acme.example"}
    assert all(c["crm_contact_name"] == "John Smith" for c in turn.cards)
    follow = await avery.say("what does the first one say?")
    assert avery.tools() == ["outlook_get_email"]
    assert avery.calls[0][1]["message_id"] == turn.cards[0]["id"]
    assert follow.cards[0]["body_kind"] in ("full", "empty")
    assert follow.cards[0]["body_label"] in ("Full body", "No body text")


async def test_two_johns_get_a_question_not_a_guess(avery):
    turn = await avery.say("Email John about the renewal")
    assert avery.calls == []
    assert "John Smith" in turn.text and "John Baker" in turn.text


async def test_emails_from_a_companys_contacts(avery):
    turn = await avery.say("show emails from Acme's contacts")
    senders = {args["sender"] for _, args in avery.calls}
    assert senders == {"john.smith@acme.example", "maria.garcia@acme.example", "m.garcia@acme.example"}
    assert all(c["from_address"] in senders for c in turn.cards)


async def test_send_an_email_waits_for_confirmation_then_lands_in_sent_items(avery):
    from crm_app.services.assistant import confirm_action

    turn = await avery.say("Send an email to john@company.com about our meeting")
    assert avery.calls == [] or all(n != "outlook_send_email" for n, _ in avery.calls)
    confirm = [c for c in turn.cards if c["kind"] == "confirm"]
    assert confirm and confirm[0]["to"] == "john@company.com" and "meeting" in confirm[0]["subject"].lower()
    assert confirm[0]["highlight"] == ""
    done = await confirm_action(avery.user, turn.message_id, confirm[0]["id"])
    assert done.status == "done", done.text
    assert [c["kind"] for c in done.cards] == ["sent"], "the result is one sent card, not raw text"
    assert done.cards[0]["to"] == "john@company.com" and done.cards[0]["cc"] == ""
    assert done.cards[0]["subject"] == confirm[0]["subject"] and done.cards[0]["folder"] == "Sent Items"
    tokens = httpx.post(f"{avery.sandbox.url}/_admin/tokens", json={"user": "avery.chen@northwind.example",
                                                                    "scopes": ["Mail.Read"]}).json()
    sent = httpx.get(f"{avery.sandbox.url}/v1.0/me/mailFolders/sentitems/messages",
                     params={"$top": "5", "$orderby": "sentDateTime desc"},
                     headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()["value"]
    assert any(m["subject"] == confirm[0]["subject"] and m["toRecipients"][0]["emailAddress"]["address"] == "john@company.com"
               for m in sent)
    again = await confirm_action(avery.user, turn.message_id, confirm[0]["id"])
    assert "already" in again.text


@pytest.mark.parametrize("text,start", [("What's on my calendar today?", "2026-03-25"),
                                        ("What's on my calendar tomorrow?", "2026-03-26"),
                                        ("Show me this week's meetings", "2026-03-23")])
async def test_calendar(avery, text, start):
    turn = await avery.say(text)
    name, args = avery.calls[0]
    assert name == "outlook_get_calendar_events" and args["start"].startswith(start)
    assert all(c["kind"] == "event" for c in turn.cards)


async def test_schedule_a_meeting_is_a_proposal_with_attendees(avery):
    turn = await avery.say("Schedule a meeting with the Finance team next Monday at 2pm")
    confirm = [c for c in turn.cards if c["kind"] == "confirm"]
    assert confirm, turn.text
    assert confirm[0]["start"].startswith("2026-03-30T14:00")
    assert confirm[0]["attendees"] == "finance@northwind.example"
    assert "outlook_create_calendar_event" not in avery.tools()


@pytest.mark.parametrize("text,tool", [("List my OneDrive files", "onedrive_list_files"),
                                       ("List my recent OneDrive files", "onedrive_recent_files"),
                                       ("Find the Q4 report in SharePoint", "sharepoint_search_files"),
                                       ("What SharePoint sites do I have access to?", "sharepoint_list_sites")])
async def test_files_and_sharepoint(avery, text, tool):
    turn = await avery.say(text)
    assert avery.tools()[0] == tool
    assert turn.cards and turn.status == "done"
    if "Q4" in text:
        assert any("q4" in c["title"].lower() for c in turn.cards)


async def test_share_the_budget_spreadsheet_with_the_finance_team(avery):
    turn = await avery.say("Share the budget spreadsheet with the finance team")
    confirm = [c for c in turn.cards if c["kind"] == "confirm"]
    assert confirm, turn.text
    assert "budget" in confirm[0]["file"].lower()
    assert confirm[0]["recipients"] == "finance@northwind.example"
    assert "onedrive_share_file" not in avery.tools()


async def test_crm_commands_are_proposals_and_apply_on_confirm(avery):
    from crm_app.services import crm
    from crm_app.services.assistant import confirm_action

    turn = await avery.say("create a contact Jane Roe jane@roe.io at Roe Inc")
    card = next(c for c in turn.cards if c["kind"] == "confirm")
    assert not crm.contacts_by_emails(["jane@roe.io"])
    done = await confirm_action(avery.user, turn.message_id, card["id"])
    assert done.status == "done"
    assert crm.contacts_by_emails(["jane@roe.io"])["jane@roe.io"]["company"] == "Roe Inc"

    turn = await avery.say("move the Acme deal to negotiation")
    card = next(c for c in turn.cards if c["kind"] == "confirm")
    await confirm_action(avery.user, turn.message_id, card["id"])
    assert crm.find_deals("Acme")[0]["stage"] == "negotiation"

    turn = await avery.say("add a note to the Acme deal saying they want a pilot first")
    card = next(c for c in turn.cards if c["kind"] == "confirm")
    await confirm_action(avery.user, turn.message_id, card["id"])
    deal = crm.find_deals("Acme")[0]
    assert any("pilot" in a["body"] for a in crm.timeline(deal_id=deal["id"]))


async def test_a_crm_change_naming_no_single_record_gets_no_confirmation_card(avery):
    from crm_app.services import crm

    turn = await avery.say("move the Zyzzogeton deal to negotiation")
    assert turn.status == "failed" and not [c for c in turn.cards if c["kind"] == "confirm"]
    assert "couldn't find a deal called “Zyzzogeton”" in turn.cards[0]["body"]

    crm.create_deal({"title": "Acme renewal", "amount": "1000"}, avery.user.id)
    turn = await avery.say("move the Acme deal to negotiation")
    assert not [c for c in turn.cards if c["kind"] == "confirm"]
    assert "Several deals match “Acme”" in turn.text
    assert "Acme plant expansion" in turn.text and "Acme renewal" in turn.text
    assert all(d["stage"] != "negotiation" for d in crm.find_deals("Acme"))


async def test_unsupported_is_honest(avery):
    turn = await avery.say("Book me a flight to Paris")
    assert avery.calls == []
    assert "can't" in turn.text.lower()


async def test_mcp_server_down_gives_an_honest_error_card(avery):
    avery.mcp.stop()
    try:
        turn = await avery.say("Show me emails from the last 3 days")
        assert turn.status == "failed"
        err = [c for c in turn.cards if c["kind"] == "error"]
        assert err and "retry_text" in err[0]
        assert not [c for c in turn.cards if c["kind"] == "email"]
        assert "failed" in turn.text.lower()
    finally:
        avery.mcp.start()
    turn = await avery.say("Show me emails from the last 3 days")
    assert turn.status == "done" and turn.cards


async def test_log_to_crm_files_the_email_or_offers_the_contact(avery):
    from sqlmodel import select

    from crm_app.db import session_scope
    from crm_app.models import AuditEntry
    from crm_app.services import crm
    from crm_app.services.assistant import confirm_action, log_email_card, offer_contact

    turn = await avery.say("Show me emails from John Smith")
    card = turn.cards[0]
    result = await log_email_card(avery.user, card)
    assert result["ok"] and result["data"]["status"] == "logged"
    john = crm.contacts_by_emails(["john.smith@acme.example"])["john.smith@acme.example"]
    logged = [a for a in crm.timeline(contact_id=john["id"]) if a["kind"] == "email"]
    assert logged and logged[0]["subject"] == card["title"] and logged[0]["email_message_id"] == card["id"]
    again = await log_email_card(avery.user, card)
    assert again["data"]["status"] == "already_logged"

    stranger = {**card, "from_address": "ravi.menon@partnerco.example", "from_name": "Ravi Menon", "crm_contact_id": "",
                "to": ""}
    missing = await log_email_card(avery.user, stranger)
    assert not missing["ok"] and missing["error_code"] == "NotFound"
    offer = await offer_contact(avery.user, avery.conversation_id, stranger)
    confirm = next(c for c in offer.cards if c["kind"] == "confirm")
    assert confirm["first_name"] == "Ravi" and confirm["emails"] == "ravi.menon@partnerco.example"
    await confirm_action(avery.user, offer.message_id, confirm["id"])
    assert "ravi.menon@partnerco.example" in crm.contacts_by_emails(["ravi.menon@partnerco.example"])
    with session_scope() as s:
        audited = s.exec(select(AuditEntry).where(AuditEntry.user_id == avery.user.id)).all()
    assert {"crm_log_email", "crm_create_contact", "outlook_search_emails"} <= {a.tool for a in audited}
