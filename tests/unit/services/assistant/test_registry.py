"""The user's tools: lookup by capability, argument mapping, and saying why a tool is missing."""

from __future__ import annotations

import pytest

from crm_app.services.assistant.registry import UserTools
from crm_app.services.assistant.turn import TurnFailed
from crm_app.tools.base import ToolContext
from tests.unit.services.assistant.fakes import FakeTool, registry_of


def tools_with(*tools, **kw) -> UserTools:
    return UserTools(ToolContext(1, "avery@example.com"), registry_of(*tools, **kw), overrides={})


async def test_canonical_arguments_reach_the_tool_under_its_own_names():
    search = FakeTool("outlook_search_emails", {"q": {"type": "string"}, "limit": {"type": "integer"}}, data={"emails": []})
    result = await tools_with(search).run("mail.search", {"query": "renewal", "top": 5, "sender": None})
    assert result.ok and search.calls == [{"q": "renewal", "limit": 5}]


async def test_a_required_argument_that_cannot_be_filled_fails_before_the_call():
    get = FakeTool("outlook_get_email", {"message_id": {"type": "string"}}, required=["message_id"])
    with pytest.raises(TurnFailed, match="needs message_id"):
        await tools_with(get).run("mail.get", {})
    assert get.calls == [] and await tools_with(get).run_if_offered("mail.get", {}) is None


async def test_a_missing_capability_says_why():
    with pytest.raises(TurnFailed, match="Connect first"):
        await tools_with(unavailable={"ms365": "Connect first."}).tool_for("calendar.list")
    with pytest.raises(TurnFailed, match="None of your connected tool servers offers a way to work with calendar"):
        await tools_with().tool_for("calendar.list")
    assert await tools_with().run_if_offered("directory.people", {"query": "x"}) is None
