"""Requests the assistant cannot serve get an honest refusal, never a wrong tool."""

from __future__ import annotations

import pytest

from crm_app.assistant.intents import Intent, is_side_effect

REFUSED = [
    "book me a flight to Paris",
    "what's the weather",
    "delete all my emails",
    "cancel my 3pm meeting",
    "move tomorrow's meeting to Friday",
    "delete the budget spreadsheet",
    "archive everything in my inbox",
    "mark all emails as read",
    "set my out of office",
    "tell me a joke",
    "call John Smith",
    "forward all my emails to my gmail",
    "book a hotel in Berlin next week",
    "qwerty uiop",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused_with_suggestions(run, text) -> None:  # type: ignore[no-untyped-def]
    plan = run(text)
    assert plan.intent is Intent.UNSUPPORTED
    assert plan.suggestions
    assert plan.explanation.startswith("I can")
    assert not is_side_effect(plan.intent)


def test_words_inside_a_message_do_not_trigger_a_refusal(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("email Maria Garcia about the flight to Paris")
    assert plan.intent is Intent.MAIL_SEND
    assert plan.args["subject"] == "the flight to Paris"
    assert (
        run("remind me to book a hotel for the offsite").intent is Intent.CRM_TASK_ADD
    )
    assert run("find emails about the weather report").intent is Intent.MAIL_SEARCH


def test_help_and_greeting(run) -> None:  # type: ignore[no-untyped-def]
    helped = run("what can you do?")
    assert helped.intent is Intent.HELP and len(helped.suggestions) >= 5
    assert run("hello!").intent is Intent.GREETING
    assert run("").intent is Intent.HELP
