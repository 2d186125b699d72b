"""What a new user meets in the first minutes, through the real stack: recent files, the sender as a contact,
forwarding, logging an email, the team question and long result lists."""

from __future__ import annotations

import pytest

from tests.integration.assistant.conftest import fixed_now


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    fixed_now(monkeypatch)


async def test_recent_files_are_the_newest_files_across_the_drive(avery):
    turn = await avery.say("List my recent OneDrive files")
    assert avery.tools() == ["onedrive_recent_files"]
    assert turn.cards and {c["kind"] for c in turn.cards} == {"file"}
    assert all(c["is_folder"] == "" for c in turn.cards)
    stamps = [c["modified"] for c in turn.cards]
    assert stamps == sorted(stamps, reverse=True)
    assert "recent" in turn.text



async def test_finished_chips_read_as_finished(avery):
    from crm_app.services.assistant import confirm_action

    searched = await avery.say("Show me emails from John Smith")
    assert [(c.label, c.state) for c in searched.chips] == [("Searched your mail", "done")]
    turn = await avery.say("Send an email to john@company.com about our meeting")
    [card] = [c for c in turn.cards if c["kind"] == "confirm"]
    done = await confirm_action(avery.user, turn.message_id, card["id"])
    assert [(c.label, c.state) for c in done.chips] == [("Sent the email", "done")]
    contact = await avery.say("Create a contact Jane Roe jane@roe.io")
    [card] = [c for c in contact.cards if c["kind"] == "confirm"]
    created = await confirm_action(avery.user, contact.message_id, card["id"])
    assert [(c.label, c.state) for c in created.chips] == [("Created the CRM record", "done")]
    assert not any("…" in c.label or "request" in c.label.lower() for c in created.chips + done.chips)


async def test_the_summary_reads_naturally_and_show_more_fetches_the_next_page(avery):
    first = await avery.say("Can you search my emails?")
    assert len(first.cards) == 10
    assert first.text.startswith("I found 10 emails.") and "—" not in first.text
    assert "“show more”" in first.text
    more = await avery.say("show more")
    [(name, args)] = avery.calls
    assert name == "outlook_search_emails" and args["top"] == 20
    assert len(more.cards) == 10 and {c["kind"] for c in more.cards} == {"email"}
    assert not {c["id"] for c in more.cards} & {c["id"] for c in first.cards}
    dates = [c["date"] for c in first.cards + more.cards]
    assert dates == sorted(dates, reverse=True)
    assert more.text.startswith("Here are 10 more emails.")
    third = await avery.say("show more")
    assert avery.calls[0][1]["top"] == 30
    assert not {c["id"] for c in third.cards} & {c["id"] for c in first.cards + more.cards}


async def test_a_contact_for_the_open_emails_sender_uses_their_name_and_address(avery):
    avery.inject(("Dave Rossi", "dave.rossi@rossi.example"), "Intro from Dave", "2026-03-25T09:00:00Z")
    await avery.say("show me emails about Intro from Dave")
    await avery.say("what does the first one say?")
    turn = await avery.say("create a contact for the sender")
    [card] = [c for c in turn.cards if c["kind"] == "confirm"]
    assert (card["first_name"], card["last_name"], card["emails"]) == ("Dave", "Rossi", "dave.rossi@rossi.example")
    assert card["title"] == "Create this contact?"


async def test_a_sender_already_in_the_crm_is_offered_their_record(avery):
    await avery.say("Show me emails from Peter Gibbons")
    await avery.say("what does the first one say?")
    turn = await avery.say("create a contact for the sender")
    assert turn.cards == [] and avery.calls == []
    assert "Peter Gibbons <peter.gibbons@initech.example> is already in the CRM" in turn.text
    opened = await avery.say("yes")
    assert [c["kind"] for c in opened.cards] == ["crm"]
    assert "Peter Gibbons" in opened.cards[0]["title"]


async def test_an_answer_to_the_assistants_question_completes_the_request(avery):
    asked = await avery.say("Email John about the renewal")
    assert "John Smith" in asked.text and "John Baker" in asked.text
    turn = await avery.say("the one at Globex")
    [card] = [c for c in turn.cards if c["kind"] == "confirm"]
    assert card["to"] == "john.baker@globex.example" and card["subject"] == "The renewal"


LONG_BODY = ("Hello Avery, following up on our call about the pilot rollout. " * 8).strip()


async def test_logging_an_unknown_senders_email_creates_the_contact_then_logs_the_full_body(avery):
    from crm_app.services import crm
    from crm_app.services.assistant import confirm_action, log_email_card, offer_contact

    avery.inject(("Dave Rossi", "dave.rossi@rossi.example"), "Pilot rollout follow-up", "2026-03-25T09:00:00Z",
           LONG_BODY)
    listed = await avery.say("show me emails about Pilot rollout follow-up")
    [card] = listed.cards
    assert card["body_kind"] == "preview" and len(card["body"]) < len(LONG_BODY)
    refused = await log_email_card(avery.user, card)
    assert refused["ok"] is False and refused["error_code"] == "NotFound"
    offered = await offer_contact(avery.user, avery.conversation_id, card)
    [confirm] = [c for c in offered.cards if c["kind"] == "confirm"]
    assert (confirm["first_name"], confirm["last_name"], confirm["emails"]) == ("Dave", "Rossi", "dave.rossi@rossi.example")
    assert "Pilot rollout follow-up" in confirm["text"]
    done = await confirm_action(avery.user, offered.message_id, confirm["id"])
    assert done.status == "done", done.text
    assert "I logged “Pilot rollout follow-up” to the new contact's timeline." in done.text
    assert [c.label for c in done.chips] == ["Created the CRM record", "Logged the email to the CRM"]
    contact = crm.contacts_by_emails(["dave.rossi@rossi.example"])["dave.rossi@rossi.example"]
    [entry] = [a for a in crm.timeline(contact_id=contact["id"]) if a["kind"] == "email"]
    assert entry["subject"] == "Pilot rollout follow-up" and entry["body"] == LONG_BODY
    again = await log_email_card(avery.user, card)
    assert again["data"]["status"] == "already_logged"


async def test_logging_a_known_contacts_email_stores_its_full_body(avery):
    from crm_app.services import crm
    from crm_app.services.assistant import log_email_card

    avery.inject(("Peter Gibbons", "peter.gibbons@initech.example"), "Pilot scope notes", "2026-03-25T09:30:00Z",
           LONG_BODY)
    listed = await avery.say("show me emails about Pilot scope notes")
    [card] = listed.cards
    assert card["body_kind"] == "preview"
    logged = await log_email_card(avery.user, card)
    assert logged["ok"] and logged["data"]["status"] == "logged"
    contact = crm.contacts_by_emails(["peter.gibbons@initech.example"])["peter.gibbons@initech.example"]
    [entry] = [a for a in crm.timeline(contact_id=contact["id"]) if a["subject"] == "Pilot scope notes"]
    assert entry["body"] == LONG_BODY


async def test_a_meeting_with_the_team_asks_which_team_then_shows_its_defaults(avery):
    asked = await avery.say("Schedule a meeting with the team next Monday at 2pm")
    assert [c for c in asked.cards if c["kind"] == "confirm"] == []
    assert asked.text.startswith("Which team do you mean?")
    assert "Finance team <finance@northwind.example>" in asked.text and "Sales team <sales@northwind.example>" in asked.text
    assert "outlook_create_calendar_event" not in avery.tools()
    turn = await avery.say("the sales team")
    [card] = [c for c in turn.cards if c["kind"] == "confirm"]
    assert card["attendees"] == "sales@northwind.example"
    assert card["start"] == "2026-03-30T14:00:00+01:00" and card["end"] == "2026-03-30T14:30:00+01:00"
    assert card["subject"] == "Meeting" and card["when"] == "Monday 30 March 2026, 14:00–14:30"
    assert card["text"] == "I chose the subject “Meeting” and the length (30 minutes); press Edit to change them."


async def test_a_meeting_with_a_named_group_and_length_needs_no_question_and_claims_no_default(avery):
    turn = await avery.say("book a 45 minute budget review with the finance team tomorrow at 3pm")
    [card] = [c for c in turn.cards if c["kind"] == "confirm"]
    assert card["attendees"] == "finance@northwind.example" and card["subject"] == "Budget review"
    assert card["end"] == "2026-03-26T15:45:00+00:00"
    assert "text" not in card


async def test_file_cards_name_the_folder_an_item_is_in_and_its_sharepoint_site(avery):
    recent = await avery.say("List my recent OneDrive files")
    assert all(c["site"] == "" and not c["path"].endswith(c["title"]) and c["path"].startswith("/")
               for c in recent.cards)
    found = await avery.say("Find the Q4 report in SharePoint")
    assert found.cards and all(c["site"] for c in found.cards)
    assert all(c["path"].startswith(f"{c['site']} › /") and not c["path"].endswith(c["title"]) for c in found.cards)


async def test_a_new_contact_with_an_address_the_crm_has_is_refused_with_the_record_named(avery):
    turn = await avery.say("Create a contact Pete Gibbons peter.gibbons@initech.example")
    assert [c for c in turn.cards if c["kind"] == "confirm"] == []
    assert turn.text.startswith("Peter Gibbons <peter.gibbons@initech.example> is already in the CRM.")
    assert "open the contact Peter Gibbons" in turn.text
