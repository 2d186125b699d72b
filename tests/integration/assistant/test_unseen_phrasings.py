"""Phrasings the rules were not written for, through the real stack: the fallback, composed filters, references."""

from __future__ import annotations

import pytest

from tests.integration.assistant.conftest import fixed_now


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    fixed_now(monkeypatch)


async def test_an_unseen_phrasing_reaches_the_calendar_through_the_fallback(avery):
    turn = await avery.say("whats happening tommorow")
    name, args = avery.calls[0]
    assert name == "outlook_get_calendar_events"
    assert args["start"].startswith("2026-03-26") and args["end"].startswith("2026-03-27")
    assert turn.status == "done"


async def test_a_request_far_from_every_capability_gets_suggestions_and_no_tool(avery):
    turn = await avery.say("reschedule the pilot kickoff to friday")
    assert avery.calls == []
    assert "can't" in turn.text.lower()
    assert not [c for c in turn.cards if c["kind"] == "confirm"]


async def test_emails_with_attachments_show_only_emails_that_have_them(avery):
    turn = await avery.say("emails with attachments from the last 30 days")
    assert avery.tools() and set(avery.tools()) == {"outlook_search_emails"}
    assert all(c["has_attachments"] == "true" for c in turn.cards if c["kind"] == "email")
    assert "attachments" in turn.text


async def test_deals_closing_this_month_are_only_those_closing_this_month(avery):
    from crm_app.services import crm

    for title, close in (("Closes first of March", "2026-03-01"), ("Closes end of March", "2026-03-31"),
                         ("Closes in April", "2026-04-01"), ("Closed in February", "2026-02-28")):
        crm.create_deal({"title": title, "amount": "10", "expected_close": close}, avery.user.id)
    turn = await avery.say("which deals close this month")
    [(name, args)] = avery.calls
    assert name == "crm_search" and args["entity"] == "deal"
    start, end = args["close_from"], args["close_before"]
    assert (start, end) == ("2026-03-01", "2026-04-01")  # the test clock is 25 March 2026
    every = crm.list_deals(page_size=100).rows
    inside = {d["title"] for d in every if d["expected_close"] and start <= str(d["expected_close"]) < end}
    assert inside == {"Closes first of March", "Closes end of March"}
    assert {c["title"] for c in turn.cards if c["kind"] == "crm"} == inside
    assert "expected to close from" in turn.text


async def test_read_the_latest_email_from_a_contact_searches_then_opens_it(avery):
    turn = await avery.say("read the latest email from John Smith")
    assert avery.tools() == ["outlook_search_emails", "outlook_get_email"]
    search_args, get_args = avery.calls[0][1], avery.calls[1][1]
    assert search_args["sender"] == "john.smith@acme.example" and search_args["top"] == 1
    assert get_args["message_id"]
    opened = [c for c in turn.cards if c["kind"] == "email" and c["body_kind"] in ("full", "empty")]
    assert opened and opened[-1]["from_address"] == "john.smith@acme.example"


async def test_forwarding_a_described_email_searches_then_waits_for_confirmation(avery):
    turn = await avery.say("forward the last email from John Smith to jane@roe.io")
    assert "outlook_forward_email" not in avery.tools()
    assert avery.tools()[0] == "outlook_search_emails"
    confirm = [c for c in turn.cards if c["kind"] == "confirm"]
    assert confirm and "jane@roe.io" in confirm[0]["to"]
