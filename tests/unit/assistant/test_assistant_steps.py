"""Requests in two steps: a read, then a side effect on what it finds; anything else is left to the other rules."""

from __future__ import annotations

import pytest

from crm_app.assistant.intents import Intent


def test_find_then_share(run):
    plan = run("find the Q4 report and share it with the finance team")
    assert plan.intent == Intent.STEPS
    assert plan.args["steps"] == [
        {"intent": "files.search", "args": {"query": "Q4 report"}},
        {"intent": "files.share", "args": {"ref": {"kind": "file", "step": 1}, "recipient_names": ["finance team"]}},
    ]


def test_search_mail_then_log_it(run):
    first, second = run("search my mail for the invoice from Acme and log it to the CRM").args["steps"]
    assert first["intent"] == "mail.search" and second == {"intent": "crm.log_email",
                                                           "args": {"ref": {"kind": "email", "step": 1}}}


def test_mail_the_attendees_of_a_meeting_by_its_day_and_time(run):
    find, send = run("email everyone on tomorrow's 10am meeting the agenda").args["steps"]
    assert find == {"intent": "calendar.list", "args": {"start": "2026-03-26T00:00:00+00:00",
                                                        "end": "2026-03-27T00:00:00+00:00", "at": "10:00",
                                                        "meeting": "tomorrow's 10am meeting"}}
    assert send == {"intent": "mail.send", "args": {"recipients": {"kind": "event", "step": 1, "attendees": True},
                                                    "topic": "the agenda"}}


def test_log_my_last_email_to_a_deal(run):
    find, log = run("log my last email from Hannah to the Globex deal").args["steps"]
    assert find == {"intent": "mail.search", "args": {"top": 1, "sender": "hannah.okafor@globex.example"}}
    assert log["intent"] == "crm.log_email" and log["args"]["target"] == "Globex renewal 2027"


@pytest.mark.parametrize("clock,expected", [("10am", "10:00"), ("2:30 pm", "14:30"), ("12am", "00:00"),
                                            ("12pm", "12:00"), ("14:05", "14:05"), ("noon", "")])
def test_clock_of(clock, expected):
    from crm_app.assistant.offline.steps import clock_of

    assert clock_of(f"the {clock} call") == expected


@pytest.mark.parametrize("text,intent", [
    ("share the Q4 report with the finance team", Intent.FILES_SHARE),
    ("find emails from John Smith and Maria Garcia", Intent.MAIL_SEARCH),
])
def test_other_requests_with_and_are_not_steps(run, text, intent):
    assert run(text).intent == intent
