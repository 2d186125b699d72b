"""Chat input at the turn engine: very long messages are cut to the limit and answered, empty ones refused,
control characters and markup kept as text, a NUL (which PostgreSQL text cannot hold) replaced."""

from __future__ import annotations

import pytest

from crm_app.services import conversations
from crm_app.services.assistant import MAX_MESSAGE_CHARS, send_message

pytestmark = pytest.mark.parametrize("database", ["postgres"], indirect=True)  # stricter about text than SQLite


async def test_a_very_long_message_is_cut_to_the_limit_and_answered(avery):
    text = "What can you do? " + "and also this " * 20_000
    turn = await avery.say(text)
    assert turn.status == "done" and turn.text
    stored = conversations.messages(avery.user.id, avery.conversation_id)
    assert stored[0]["role"] == "user" and len(stored[0]["content"]) == MAX_MESSAGE_CHARS
    assert stored[1]["role"] == "assistant"


async def test_an_empty_message_is_refused_and_nothing_is_stored(avery):
    for text in ("", "   ", "\n\t \r\n"):
        with pytest.raises(ValueError):
            await send_message(avery.user, avery.conversation_id, text)
    assert conversations.messages(avery.user.id, avery.conversation_id) == []


async def test_markup_and_control_characters_stay_text(avery):
    text = "What can you do? <script>alert(1)</script> \x07 \u202e ' OR 1=1 --"
    turn = await avery.say(text)
    assert turn.status == "done"
    assert conversations.messages(avery.user.id, avery.conversation_id)[0]["content"] == text.strip()


async def test_a_nul_character_is_kept_as_a_replacement_character(avery):
    turn = await avery.say("What can you do?\x00 really")
    assert turn.status == "done"
    stored = conversations.messages(avery.user.id, avery.conversation_id)
    assert stored[0]["content"] == "What can you do?\ufffd really" and stored[1]["role"] == "assistant"
