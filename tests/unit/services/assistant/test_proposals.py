"""Side effects become confirmation cards, one proposer per intent; nothing runs before Confirm."""

from __future__ import annotations

import pytest

from crm_app.assistant.intents import SIDE_EFFECT_INTENTS, Intent, Plan
from crm_app.services.assistant.crm_proposals import CHANGE_DETAILS
from crm_app.services.assistant.dispatch import DIRECT_REPLIES, execute_plan
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.proposals import PROPOSERS
from crm_app.services.assistant.turn import TurnFailed, TurnState
from tests.unit.services.assistant.fakes import USER, FakeTool, registry_of, teams_tools


def test_every_side_effect_has_a_proposer_or_a_direct_reply():
    assert set(PROPOSERS) | (SIDE_EFFECT_INTENTS & set(DIRECT_REPLIES)) == set(SIDE_EFFECT_INTENTS)
    assert Intent.MAIL_FORWARD in PROPOSERS


def test_each_crm_change_has_its_title_and_fields():
    cases = {Intent.CRM_DEAL_MOVE: ("Move this deal?", {"stage": "Lead → Won"}),
             Intent.CRM_NOTE_ADD: ("Add this note?", {"text": "call back"}),
             Intent.CRM_DELETE: ("Delete this deal?", {"text": "This deletes the record and its timeline. It can't be undone."}),
             Intent.CRM_UPDATE: ("Update this deal?", {"amount": "5"})}
    for intent, (title, fields) in cases.items():
        summary = {"record": "Deal: Big"}
        got = CHANGE_DETAILS[intent]("deal", {"stage": "won", "text": "call back", "fields": {"amount": 5}},
                                     {"stage": "lead"}, summary)
        assert got == title and summary == {"record": "Deal: Big", **fields}
    task = {"record": "Task: x"}
    assert CHANGE_DETAILS[Intent.CRM_TASK_ADD]("", {"text": "t"}, {}, task) == "Add this task?"
    assert task == {"text": "t", "when": "no due date"}
    dated = {"record": "Task: x"}
    CHANGE_DETAILS[Intent.CRM_TASK_ADD]("", {"text": "t", "due": "2026-12-04"}, {}, dated)
    assert dated == {"text": "t", "when": "Friday 4 December 2026"}


async def test_a_channel_post_is_a_pending_card_and_nothing_is_posted():
    teams, chans = teams_tools([{"id": "c1", "display_name": "General"}, {"id": "c2", "display_name": "Deals"}])
    post = FakeTool("teams_post_message", {"team_id": {}, "channel_id": {}, "message": {}}, read_only=False)
    eng = TurnEngine(USER, 1, registry=registry_of(teams, chans, post))
    st = TurnState(user_text="post 'we won' to the deals channel")
    await execute_plan(eng, st, Plan(Intent.TEAMS_POST, {"team_name": "Sales", "channel_name": "deals",
                                                         "message": "we won"}))
    assert post.calls == []
    [card] = st.turn.cards
    assert card["kind"] == "confirm" and card["status"] == "pending" and card["channel"] == "Sales › Deals"
    assert card["message"] == "we won" and card["highlight"] == ""
    assert st.turn.payload()["actions"][card["id"]] == {
        "capability": "teams.post", "tool": "teams_post_message", "source": "ms365",
        "canonical": {"team_id": "t1", "channel_id": "c2", "message": "we won"}, "raw": None,
        "status": "pending", "request": "", "edits": {}, "then_log": {}}
    assert "Nothing happens until you press Confirm" in st.turn.text


async def test_a_create_for_an_unknown_kind_of_record_asks_which():
    eng = TurnEngine(USER, 1, registry=registry_of())
    st = TurnState()
    with pytest.raises(TurnFailed, match="contacts, companies and deals"):
        await execute_plan(eng, st, Plan(Intent.CRM_CREATE, {"entity": "invoice", "fields": {}}))
    assert st.turn.cards == [] and st.turn.actions == {}
