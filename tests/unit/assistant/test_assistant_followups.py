"""Follow-ups resolve to the results shown last; they never turn into a new search."""

from __future__ import annotations

import pytest

from crm_app.assistant.intents import Intent, ResultRef

CONTENT_QUESTIONS = [
    "What's the content?",
    "what does it say",
    "tell me more about that email",
    "show me the full email",
    "open it",
]


@pytest.mark.parametrize("text", CONTENT_QUESTIONS)
def test_content_questions_fetch_the_full_body_of_the_email_shown(
    run, one_email, text
) -> None:  # type: ignore[no-untyped-def]
    plan = run(text, last_results=one_email, history=["What's my recent email?"])
    assert plan.intent is Intent.MAIL_GET
    assert plan.args["ref"] == {"kind": "email", "index": 0, "id": "msg-1"}
    assert "preview" in plan.explanation


@pytest.mark.parametrize(
    "text",
    CONTENT_QUESTIONS
    + ["reply to it", "log it to the CRM", "what does the second one say"],
)
def test_without_earlier_results_follow_ups_ask_and_never_search(run, text) -> None:  # type: ignore[no-untyped-def]
    plan = run(text)
    assert plan.intent in (Intent.CLARIFY, Intent.UNSUPPORTED)
    assert plan.intent is not Intent.MAIL_SEARCH
    assert "content" not in str(plan.args)


def test_ordinals_and_numbers_pick_the_item(run, three_emails) -> None:  # type: ignore[no-untyped-def]
    assert (
        run("what does the second one say", last_results=three_emails).args["ref"]["id"]
        == "msg-2"
    )
    assert (
        run("open the last one", last_results=three_emails).args["ref"]["id"] == "msg-3"
    )
    assert run("open email 1", last_results=three_emails).args["ref"]["id"] == "msg-1"
    assert (
        run("what's in the email from Hannah?", last_results=three_emails).args["ref"][
            "id"
        ]
        == "msg-3"
    )


def test_unclear_or_missing_item_becomes_a_question(run, three_emails) -> None:  # type: ignore[no-untyped-def]
    plan = run("what does it say", last_results=three_emails)
    assert plan.intent is Intent.CLARIFY
    assert plan.args["candidates"] == ["msg-1", "msg-2", "msg-3"]
    assert plan.options[1].startswith("2. Pricing update")
    beyond = run("open the fifth one", last_results=three_emails)
    assert beyond.intent is Intent.CLARIFY
    assert "only showed 3" in (beyond.question or "")


def test_reply_forward_and_log(run, one_email) -> None:  # type: ignore[no-untyped-def]
    reply = run("reply to it saying thanks, I'll call you", last_results=one_email)
    assert reply.intent is Intent.MAIL_REPLY
    assert reply.args == {
        "ref": {"kind": "email", "index": 0, "id": "msg-1"},
        "body": "thanks, I'll call you",
    }
    assert reply.side_effect
    forward = run("forward it to maria.garcia@acme.example", last_results=one_email)
    assert forward.intent is Intent.MAIL_FORWARD and forward.args["to"] == [
        "maria.garcia@acme.example"
    ]
    logged = run("log this email against the Acme deal", last_results=one_email)
    assert logged.intent is Intent.CRM_LOG_EMAIL
    assert (
        logged.args["target"] == "Acme plant expansion"
        and logged.args["entity"] == "deal"
    )


def test_reply_without_text_asks_for_it_and_the_answer_completes_it(
    run, one_email
) -> None:  # type: ignore[no-untyped-def]
    asked = run("reply to it", last_results=one_email)
    assert asked.intent is Intent.CLARIFY and asked.args["missing"] == "body"
    done = run(
        "Sounds good, see you then", last_results=one_email, history=["reply to it"]
    )
    assert done.intent is Intent.MAIL_REPLY
    assert done.args["body"] == "Sounds good, see you then"
    assert done.args["ref"]["id"] == "msg-1"


def test_file_follow_ups(run) -> None:  # type: ignore[no-untyped-def]
    files = [ResultRef("file", "f-1", "Budget 2026.xlsx")]
    assert run("open it", last_results=files).intent is Intent.FILES_READ
    shared = run("share it with the finance team", last_results=files)
    assert shared.intent is Intent.FILES_SHARE and shared.args["recipient_names"] == [
        "finance team"
    ]


def test_a_fresh_request_is_not_mistaken_for_a_follow_up(run, three_emails) -> None:  # type: ignore[no-untyped-def]
    plan = run("show me my latest email", last_results=three_emails)
    assert plan.intent is Intent.MAIL_SEARCH and plan.args["top"] == 1
    assert (
        run("show me this week's meetings", last_results=three_emails).intent
        is Intent.CALENDAR_LIST
    )
