"""Meeting briefs: the next meeting, or the next one matching a name, a company or a topic."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_app.assistant.intents import Intent
from crm_app.services.assistant.brief import pick_event
from crm_app.services.record_inbox import RecordAddresses


@pytest.mark.parametrize("text,args", [
    ("brief me on my next meeting", {}),
    ("Get me ready for my next call", {}),
    ("Prepare me for the Acme call", {"query": "Acme"}),
    ("prep me for my meeting with John Smith", {"query": "John Smith"}),
    ("what should I know before the quarterly business review?", {"query": "quarterly business review"}),
])
def test_brief_requests(run, text, args):
    plan = run(text)
    assert plan.intent == Intent.CALENDAR_BRIEF and plan.args == args


@pytest.mark.parametrize("text", ["what's my next meeting", "brief me on the Acme deal", "prepare a proposal for Acme"])
def test_not_a_brief(run, text):
    assert run(text).intent != Intent.CALENDAR_BRIEF


NOW = dt.datetime(2026, 3, 25, 10, 30, tzinfo=dt.UTC)


def event(subject: str, start: str, *people: str, all_day: bool = False) -> dict:
    return {"subject": subject, "start": start, "is_all_day": all_day,
            "attendees": [{"name": p.split("@")[0], "address": p} for p in people]}


EVENTS = [
    event("Old standup", "2026-03-25T09:00:00+00:00", "jordan.patel@northwind.example"),
    event("Out of office", "2026-03-25T00:00:00+00:00", all_day=True),
    event("Pricing sync", "2026-03-25T12:00:00+00:00", "jordan.patel@northwind.example"),
    event("Plant expansion", "2026-03-25T14:00:00+00:00", "john.smith@acme.example"),
    event("Globex renewal review", "2026-03-26T09:00:00+00:00", "hannah.okafor@globex.example"),
]


def test_pick_event_next_by_words_or_by_company_people():
    assert pick_event(EVENTS, NOW, "", RecordAddresses())["subject"] == "Pricing sync"
    assert pick_event(EVENTS, NOW, "renewal review", RecordAddresses())["subject"] == "Globex renewal review"
    assert pick_event(EVENTS, NOW, "John Smith", RecordAddresses())["subject"] == "Plant expansion"
    acme = RecordAddresses((), ("acme.example",))
    assert pick_event(EVENTS, NOW, "Acme", acme)["subject"] == "Plant expansion"
    assert pick_event(EVENTS, NOW, "standup", RecordAddresses()) is None
    assert pick_event(EVENTS, NOW, "Umbrella", RecordAddresses()) is None


ME = frozenset({"avery.chen@northwind.example"})


def test_next_meeting_skips_a_block_with_nobody_else_invited():
    focus = event("Focus time", "2026-03-25T11:00:00+00:00", "avery.chen@northwind.example")
    assert pick_event([focus, *EVENTS], NOW, "", RecordAddresses(), ME)["subject"] == "Pricing sync"
    # asked by name, the block is still found; with nothing else ahead, it is the next meeting
    assert pick_event([focus, *EVENTS], NOW, "focus", RecordAddresses(), ME)["subject"] == "Focus time"
    assert pick_event([focus], NOW, "", RecordAddresses(), ME)["subject"] == "Focus time"
    assert pick_event([], NOW, "", RecordAddresses(), ME) is None
