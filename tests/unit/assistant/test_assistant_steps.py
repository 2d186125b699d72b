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


@pytest.mark.parametrize("text,intent", [
    ("share the Q4 report with the finance team", Intent.FILES_SHARE),
    ("find emails from John Smith and Maria Garcia", Intent.MAIL_SEARCH),
])
def test_other_requests_with_and_are_not_steps(run, text, intent):
    assert run(text).intent == intent
