"""Discovery reads a tool the way a person would: the domain before the verb, required inputs a request
cannot fill against it, Graph resource words, ties broken on meaning and reported."""

from __future__ import annotations

import pytest

from crm_app.tools.discovery import Choice, Unmapped, choose, discovery_report, find_tool, score, CAPABILITIES
from tests.unit.tools.graph_shaped import ScriptedTool, graph_tools, ids, registry_of

EXPECTED = {
    "mail.search": "list-mail-messages",
    "mail.get": "get-mail-message",
    "calendar.list": "get-calendar-view",
    "files.list": "list-folder-files",
    "files.search": "search-onedrive-files",
    "files.drives": "list-drives",
    "mail.draft": "create-draft-email",
    "directory.people": "list-users",
}


@pytest.mark.parametrize("capability,expected", sorted(EXPECTED.items()))
def test_graph_shaped_tools_are_found_whatever_their_order(capability, expected):
    tools = graph_tools()
    for order in (tools, list(reversed(tools))):
        assert find_tool(registry_of(order), capability).name == expected


def test_teams_and_group_tools_never_serve_mail_or_calendar():
    registry = registry_of(graph_tools())
    by_name = {t.name: t for t in registry.tools()}
    assert score(by_name["list-chat-messages"], CAPABILITIES["mail.search"]) == 0
    assert score(by_name["get-chat-message"], CAPABILITIES["mail.get"]) == 0
    assert score(by_name["list-groups"], CAPABILITIES["directory.people"]) == 0
    group_view = score(by_name["get-group-calendar-view"], CAPABILITIES["calendar.list"])
    assert 0 < group_view < score(by_name["get-calendar-view"], CAPABILITIES["calendar.list"]) - 6
    contact = score(by_name["create-outlook-contact"], CAPABILITIES["mail.draft"])
    assert contact < 5  # "outlook" is mail's word, but a contact is not a draft


def test_a_capability_no_tool_serves_stays_unmapped():
    registry = registry_of(graph_tools())
    assert find_tool(registry, "teams.post") is None and find_tool(registry, "files.read") is None
    assert isinstance(choose(registry, "teams.post"), Unmapped)


def test_a_tie_is_broken_on_meaning_and_reported():
    plain = ScriptedTool("list-messages", "List email messages.", {"top": {"type": "integer"}})
    narrow = ScriptedTool("list-mailbox-messages", "List email messages.", {"top": {"type": "integer"}})
    for order in ([narrow, plain], [plain, narrow]):
        found = choose(registry_of(order), "mail.search")
        assert isinstance(found, Choice) and found.tool == "list-messages"
        assert found.runner_up == "list-mailbox-messages" and found.confidence == "close call"
        assert "tied with list-mailbox-messages" in found.note


def test_the_report_lists_per_server_what_serves_each_capability_and_what_does_not():
    ours = ScriptedTool("search_emails", "Search mail.", {"query": {"type": "string"}}, source="ms365")
    extra = ScriptedTool("echo", "Echoes back the input.", {"message": {"type": "string"}}, source="custom-1")
    reports = discovery_report(registry_of([*graph_tools(), ours, extra]))
    assert [r.server for r in reports] == ["ms365", "custom-1"]
    chosen = {c.capability: c for c in reports[0].choices}
    assert chosen["mail.search"].tool == "search_emails" and chosen["mail.search"].confidence == "sure"
    assert chosen["calendar.list"].tool == "get-calendar-view"
    assert "teams.post" in {u.capability for u in reports[0].unmapped}
    assert reports[1].choices == [] and {u.capability for u in reports[1].unmapped} == set(CAPABILITIES)


def test_an_override_wins_and_says_so():
    registry = registry_of(graph_tools())
    pinned = choose(registry, "calendar.list", {"calendar.list": "list-calendar-events"})
    assert isinstance(pinned, Choice) and pinned.tool == "list-calendar-events" and pinned.confidence == "pinned"
    gone = choose(registry, "calendar.list", {"calendar.list": "nope"})
    assert isinstance(gone, Unmapped) and "nope" in gone.reason


def test_friendly_names_still_serve():
    tools = [
        ScriptedTool("mailbox_lookup", "Look through the mailbox.", {"keywords": {"type": "string"},
                     "from_address": {"type": "string"}, "max_results": {"type": "integer"}}),
        ScriptedTool("fetch_message", "Fetch a single mail message by id.", ids("id"), ("id",)),
        ScriptedTool("agenda", "Calendar events between two datetimes.", ids("start_date", "end_date"),
                     ("start_date", "end_date")),
    ]
    registry = registry_of(tools)
    assert find_tool(registry, "mail.search").name == "mailbox_lookup"
    assert find_tool(registry, "mail.get").name == "fetch_message"
    assert find_tool(registry, "calendar.list").name == "agenda"
    assert find_tool(registry, "files.search") is None


def test_a_file_lister_is_not_taken_for_the_drive_lister():
    files = ScriptedTool("onedrive_list_files", "List files in the user's OneDrive.", {"folder": {"type": "string"}})
    registry = registry_of([files])
    assert find_tool(registry, "files.list").name == "onedrive_list_files"
    assert find_tool(registry, "files.drives") is None
