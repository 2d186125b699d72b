"""Answers to the parser's questions complete the pending request."""

from __future__ import annotations

from crm_app.assistant.intents import Intent


def test_choosing_a_person(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("the one at Globex", history=["email John about the renewal"])
    assert plan.intent is Intent.MAIL_SEND
    assert plan.args["to"] == ["john.baker@globex.example"]
    assert plan.args["subject"] == "the renewal"
    second = run("the second one", history=["show me emails from john"])
    assert second.args["sender"] == "john.baker@globex.example"


def test_giving_a_time(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("friday at 3pm", history=["schedule a meeting with Grace Kim"])
    assert plan.intent is Intent.CALENDAR_CREATE
    assert plan.args["start"] == "2026-03-27T15:00:00+00:00"


def test_giving_text_and_recipients(run) -> None:  # type: ignore[no-untyped-def]
    note = run("call him back next week", history=["add a note to John Smith"])
    assert note.intent is Intent.CRM_NOTE_ADD
    assert note.args == {
        "entity": "contact",
        "ref": "John Smith",
        "text": "call him back next week",
    }
    mail = run("Hannah Okafor", history=["send an email about the renewal"])
    assert mail.intent is Intent.MAIL_SEND and mail.args["to"] == [
        "hannah.okafor@globex.example"
    ]
    deal = run("the Initech pilot", history=["move the deal to won"])
    assert deal.intent is Intent.CRM_DEAL_MOVE and deal.args["ref"] == "Initech pilot"


def test_a_new_request_is_not_taken_as_an_answer(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("show my unread emails", history=["email John about the renewal"])
    assert plan.intent is Intent.MAIL_SEARCH
    assert plan.args["unread_only"] is True


def test_an_unrelated_answer_falls_back_honestly(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("purple", history=["email John about the renewal"])
    assert plan.intent is Intent.UNSUPPORTED
