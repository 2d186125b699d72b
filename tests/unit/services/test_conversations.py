"""Chat history is strictly per user; appends and reads keep titles, order and payloads."""

from __future__ import annotations

import pytest

from crm_app.services import auth, conversations
from crm_app.services.errors import NotFound


@pytest.fixture
def two_users(database):
    ann = auth.sign_up("ann@example.com", "long enough pw", "Ann")
    bo = auth.sign_up("bo@example.com", "long enough pw", "Bo")
    return ann, bo


def test_append_titles_a_new_conversation_once_and_returns_the_saved_message(two_users):
    ann, _ = two_users
    conv = conversations.create(ann.id)
    first = conversations.append(ann.id, conv["id"], "user", "  Show me emails from John\nand more  ")
    conversations.append(ann.id, conv["id"], "assistant", "Here they are.", {"cards": [{"kind": "email"}]})
    conversations.append(ann.id, conv["id"], "user", "Another question")
    assert first["role"] == "user" and first["content"] == "  Show me emails from John\nand more  "
    assert conversations.get(ann.id, conv["id"])["title"] == "Show me emails from John"
    history = conversations.messages(ann.id, conv["id"])
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    assert history[0]["id"] == first["id"] and history[0]["created_at"] == first["created_at"]
    assert history[1]["cards"] == [{"kind": "email"}]
    assert [m["content"] for m in conversations.messages(ann.id, conv["id"], limit=2)] == [
        "Here they are.", "Another question"]


def test_another_users_conversation_can_be_neither_read_nor_written(two_users):
    ann, bo = two_users
    conv = conversations.create(ann.id)
    conversations.append(ann.id, conv["id"], "user", "private")
    with pytest.raises(NotFound):
        conversations.messages(bo.id, conv["id"])
    with pytest.raises(NotFound):
        conversations.append(bo.id, conv["id"], "user", "intrusion")
    with pytest.raises(NotFound):
        conversations.messages(ann.id, conv["id"] + 1000)
    assert [m["content"] for m in conversations.messages(ann.id, conv["id"])] == ["private"]
    assert conversations.messages(bo.id, conversations.create(bo.id)["id"]) == []


def test_the_list_puts_the_most_recently_active_conversation_first(two_users):
    ann, bo = two_users
    older = conversations.create(ann.id)
    newer = conversations.create(ann.id)
    conversations.create(bo.id)
    assert [c["id"] for c in conversations.list_for_user(ann.id)] == [newer["id"], older["id"]]
    conversations.append(ann.id, older["id"], "user", "Back to this one")
    listed = conversations.list_for_user(ann.id)
    assert [c["id"] for c in listed] == [older["id"], newer["id"]]
    assert listed[0]["title"] == "Back to this one" and listed[0]["updated_at"] > listed[1]["updated_at"]
