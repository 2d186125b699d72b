"""Read intents run their tools at once and show what they found; each has a handler grep can find."""

from __future__ import annotations

import pytest

from crm_app.assistant.intents import Intent, Plan, is_side_effect
from crm_app.services.assistant.dispatch import execute_plan
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.reads import READ_HANDLERS, file_query, read_handler, read_plain
from crm_app.services.assistant.turn import TurnFailed, TurnState
from tests.unit.services.assistant.fakes import USER, registry_of, teams_tools


def test_every_read_handler_is_for_a_read_and_the_rest_pass_arguments_through():
    assert READ_HANDLERS and not any(is_side_effect(i) for i in READ_HANDLERS)
    assert read_handler(Intent.CALENDAR_LIST) is read_plain
    assert read_handler(Intent.MAIL_SEARCH) is READ_HANDLERS[Intent.MAIL_SEARCH] is not read_plain


async def test_channels_of_a_named_team_are_found_through_the_team_list():
    teams, chans = teams_tools([{"id": "c1", "display_name": "General"}, {"id": "c2", "display_name": "Deals"}])
    eng = TurnEngine(USER, 1, registry=registry_of(teams, chans))
    st = TurnState()
    await execute_plan(eng, st, Plan(Intent.TEAMS_CHANNELS, {"team_name": "sales"}))
    assert teams.calls == [{}] and chans.calls == [{"team_id": "t1"}]
    assert [(c["kind"], c["title"]) for c in st.turn.cards] == [("channel", "General"), ("channel", "Deals")]
    assert [c.state for c in st.turn.chips] == ["done", "done"]
    assert st.capability == "teams.channels" and st.turn.text
    assert [r["id"] for r in st.turn.results] == ["c1", "c2"]


async def test_an_unknown_team_stops_before_listing_channels():
    teams, chans = teams_tools()
    teams.data = {"teams": [{"id": "t1", "display_name": "Sales"}, {"id": "t2", "display_name": "Support"}]}
    eng = TurnEngine(USER, 1, registry=registry_of(teams, chans))
    st = TurnState()
    with pytest.raises(TurnFailed, match="couldn't find a team called “Marketing”"):
        await execute_plan(eng, st, Plan(Intent.TEAMS_CHANNELS, {"team_name": "Marketing"}))
    assert chans.calls == [] and st.turn.cards == []


async def test_a_failing_tool_fails_the_read_with_its_own_message():
    teams, chans = teams_tools()
    teams.error = "Microsoft 365 is unavailable (HTTP 503). Try again in a few minutes."
    eng = TurnEngine(USER, 1, registry=registry_of(teams, chans))
    st = TurnState()
    with pytest.raises(TurnFailed, match="HTTP 503"):
        await execute_plan(eng, st, Plan(Intent.TEAMS_LIST, {}))
    assert [c.state for c in st.turn.chips] == ["failed"] and st.turn.cards == []


async def test_a_read_no_connected_server_offers_says_why():
    eng = TurnEngine(USER, 1, registry=registry_of(unavailable={"ms365": "Connect Microsoft 365 in Settings first."}))
    with pytest.raises(TurnFailed, match="Connect Microsoft 365 in Settings first."):
        await execute_plan(eng, TurnState(), Plan(Intent.TEAMS_LIST, {}))


def test_file_queries_drop_filler_words():
    assert file_query("the budget spreadsheet") == "budget"
    assert file_query("the file") == "the file"
