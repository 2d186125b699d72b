"""The user's own MS365 MCP server (other tool names, argument names and Graph-shaped results) in place of ours."""

from __future__ import annotations

import pytest

from crm_app.services.assistant import build_registry
from crm_app.tools.discovery import find_tool, map_arguments
from tests.integration.assistant.conftest import fixed_now
from tests.support.procs import ServerProcess, free_port


@pytest.fixture(scope="module")
def other_server(ms365_processes):
    sandbox, _ = ms365_processes
    proc = ServerProcess("tests.integration.assistant.other_server", free_port(),
                         env={"GRAPH_BASE_URL": f"{sandbox.url}/v1.0"}).start()
    yield proc
    proc.stop()


@pytest.fixture
def on_other_server(other_server, monkeypatch):
    from crm_app.settings import reset_settings_cache

    monkeypatch.setenv("MS365_MCP_URL", f"{other_server.url}/mcp")
    reset_settings_cache()
    fixed_now(monkeypatch)


async def test_capabilities_are_discovered_by_name_description_and_schema(avery, on_other_server):
    registry = await build_registry(avery.user.id)
    assert find_tool(registry, "mail.search").name == "mailbox_lookup"
    assert find_tool(registry, "mail.get").name == "fetch_message"
    assert find_tool(registry, "calendar.list").name == "agenda"
    assert find_tool(registry, "mail.send").name == "deliver_mail"
    assert find_tool(registry, "files.search") is None  # it has none: never a wrong tool
    args, missing = map_arguments(find_tool(registry, "mail.send"), {"to": ["a@b.example"], "subject": "S", "body": "B"})
    assert args == {"recipients": ["a@b.example"], "title": "S", "content": "B"} and missing == []


async def test_search_and_full_body_through_another_server(avery, on_other_server):
    turn = await avery.say("Show me emails from John Smith")
    assert avery.calls[0] == ("mailbox_lookup", {"from_address": "john.smith@acme.example", "max_results": 10})
    assert turn.cards and all(c["kind"] == "email" and c["body_kind"] in ("preview", "empty") for c in turn.cards)
    assert {c["from_address"] for c in turn.cards} == {"john.smith@acme.example"}
    full = await avery.say("what does the first one say?")
    assert avery.calls[0][0] == "fetch_message"
    card = full.cards[0]
    assert card["body_kind"] in ("full", "empty") and card["body_label"] in ("Full body", "No body text")
    assert "<" not in card["body"] or "</" not in card["body"]  # HTML converted to text


async def test_a_capability_the_server_lacks_is_refused_honestly(avery, on_other_server):
    turn = await avery.say("List my OneDrive files")
    assert avery.calls == []
    assert turn.status == "failed" and "none of your connected tool servers" in turn.text.lower()


async def test_overrides_pin_a_tool(avery, on_other_server, monkeypatch):
    from crm_app.settings import reset_settings_cache

    monkeypatch.setenv("MCP_TOOL_OVERRIDES", "calendar.list=mailbox_lookup")
    reset_settings_cache()
    registry = await build_registry(avery.user.id)
    from crm_app.settings import get_settings
    from crm_app.tools.discovery import parse_overrides

    assert find_tool(registry, "calendar.list", parse_overrides(get_settings().mcp_tool_overrides)).name == "mailbox_lookup"


async def test_graph_shaped_decoys_listed_first_are_never_chosen(avery, on_other_server):
    registry = await build_registry(avery.user.id)
    assert [t.name for t in registry.tools() if t.schema.source == "ms365"][:4] == [
        "list-chat-messages", "get-chat-message", "get-group-calendar-view", "create-outlook-contact"]
    assert find_tool(registry, "mail.draft") is None
    turn = await avery.say("what's on my calendar tomorrow")
    assert avery.tools() == ["agenda"] and turn.status == "done"


async def test_dates_the_tool_cannot_take_are_checked_on_its_results_and_said(avery, on_other_server):
    turn = await avery.say("emails from john.smith@acme.example in the last 3 days")
    assert avery.calls == [("mailbox_lookup", {"from_address": "john.smith@acme.example", "max_results": 50})]
    assert turn.cards and all(c["from_address"] == "john.smith@acme.example"
                              and "2026-03-22T10:30" <= c["date"] < "2026-03-25T10:30" for c in turn.cards)
    assert "The mailbox_lookup tool can't filter by date, so I filtered what it returned by that myself." in turn.text
    assert "from john.smith@acme.example" in turn.text and "unapplied_filter" not in turn.flags


async def test_a_filter_nobody_applied_is_named_and_never_claimed(avery, on_other_server):
    from crm_app.assistant import grounding, replies

    turn = await avery.say("emails in my archive folder")
    assert avery.calls == [("mailbox_lookup", {"max_results": 10})]
    assert "can't filter by folder, so that part of your request is not applied" in turn.text
    assert grounding.unapplied_filter_claims(turn.text, replies.filter_claims({"folder": "archive"}, "", ["folder"])) == []
    assert "archive" not in turn.text.split("The mailbox_lookup tool")[0] and "unapplied_filter" not in turn.flags
