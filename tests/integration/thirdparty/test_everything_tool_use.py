"""Any tool of a user-added server from the offline chat: the reference 'everything' MCP server's tools,
named in the request, filled from it, run at once when read-only, confirmed otherwise."""

from __future__ import annotations

import pytest

from crm_app.services import integrations
from tests.support import thirdparty


@pytest.fixture(scope="module")
def everything_server():
    process = thirdparty.everything()
    yield f"{process.url}/mcp"
    process.stop()


@pytest.fixture
async def with_everything(avery, everything_server):
    added = await integrations.add_custom_server(avery.user.id, name="Everything", url=everything_server)
    return added


async def test_a_read_only_tool_runs_with_text_from_the_request(avery, with_everything):
    turn = await avery.say("use the echo tool to say hi")
    assert avery.tools() == ["echo"] and avery.calls[0][1] == {"message": "hi"}
    assert turn.status == "done" and len(turn.cards) == 1
    assert turn.cards[0]["kind"] == "text" and "Echo: hi" in turn.cards[0]["body"]
    assert turn.actions == {}


async def test_named_values_are_typed_from_the_schema(avery, with_everything):
    turn = await avery.say("run get-sum with a=2 and b=40")
    assert avery.calls == [("get-sum", {"a": 2, "b": 40})]
    assert "42" in turn.cards[0]["body"] and turn.status == "done"


async def test_missing_inputs_are_asked_for_by_name_and_nothing_runs(avery, with_everything):
    turn = await avery.say("run get-sum")
    assert avery.calls == [] and turn.cards == []
    assert "The get-sum tool needs a, b" in turn.text and "• a (number)" in turn.text and "• b (number)" in turn.text
    assert "run get-sum with a=… and b=…" in turn.text


async def test_a_tool_not_marked_read_only_waits_for_confirmation(avery, with_everything):
    from crm_app.services.assistant import confirm_action

    turn = await avery.say("run toggle-simulated-logging")
    assert avery.calls == [] and [c["kind"] for c in turn.cards] == ["confirm"]
    (action_id,) = turn.actions
    assert turn.actions[action_id].tool == "toggle-simulated-logging" and "confirmation" in turn.text
    done = await confirm_action(avery.user, turn.message_id, action_id)
    assert done.status == "done" and done.cards and "logging" in done.cards[-1]["body"].lower()


async def test_an_unknown_tool_is_named_with_what_there_is(avery, with_everything):
    turn = await avery.say("use the frobnicate tool to say hi")
    assert avery.calls == [] and turn.status == "failed"
    assert "offers a tool called “frobnicate”" in turn.text and "echo" in turn.text
