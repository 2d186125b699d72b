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


def _message_with_actions(user_id: int, *action_ids: str) -> dict:
    conv = conversations.create(user_id)
    actions = {a: {"capability": "mail.send", "tool": "send", "status": "pending"} for a in action_ids}
    cards = [{"kind": "confirm", "id": a, "status": "pending", "subject": "Hi"} for a in action_ids]
    return conversations.append(user_id, conv["id"], "assistant", "Confirm?", {"actions": actions, "cards": cards})


def test_of_many_simultaneous_claims_of_one_action_exactly_one_succeeds(two_users):
    from concurrent.futures import ThreadPoolExecutor

    ann, _ = two_users
    msg = _message_with_actions(ann.id, "a1")
    with ThreadPoolExecutor(max_workers=6) as pool:
        claims = list(pool.map(lambda _: conversations.move_action(ann.id, msg["id"], "a1", "running",
                                                                   only_from=("pending",)), range(6)))
    won = [c for c in claims if c is not None]
    stored = conversations.get_message(ann.id, msg["id"])
    assert len(won) == 1 and won[0]["status"] == "pending" and won[0]["conversation_id"] == stored["conversation_id"]
    assert stored["actions"]["a1"]["status"] == "running" and stored["cards"][0]["status"] == "running"


def test_moves_of_different_actions_on_one_message_all_stick(two_users):
    from concurrent.futures import ThreadPoolExecutor

    ann, _ = two_users
    ids = [f"a{i}" for i in range(5)]
    msg = _message_with_actions(ann.id, *ids)
    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(lambda a: conversations.move_action(ann.id, msg["id"], a, "done",
                                                          card_changes={"subject": f"for {a}"}), ids))
    stored = conversations.get_message(ann.id, msg["id"])
    assert {a: stored["actions"][a]["status"] for a in ids} == dict.fromkeys(ids, "done")
    assert [(c["status"], c["subject"]) for c in stored["cards"]] == [("done", f"for {a}") for a in ids]


def test_moving_an_action_checks_owner_and_existence(two_users):
    ann, bo = two_users
    msg = _message_with_actions(ann.id, "a1")
    with pytest.raises(NotFound):
        conversations.move_action(bo.id, msg["id"], "a1", "running")
    with pytest.raises(NotFound):
        conversations.move_action(ann.id, msg["id"], "missing", "running")
    assert conversations.move_action(ann.id, msg["id"], "a1", "cancelled", only_from=("running",)) is None
    assert conversations.get_message(ann.id, msg["id"])["actions"]["a1"]["status"] == "pending"
