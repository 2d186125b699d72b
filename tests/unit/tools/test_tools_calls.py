"""A capability's call: ids found first, what the tool could not take checked on the results."""

from __future__ import annotations

from crm_app.tools.base import ToolContext
from crm_app.tools.calls import call_capability
from tests.unit.tools.graph_shaped import ScriptedTool, graph_tools, registry_of

CTX = ToolContext(1, "avery@northwind.example", "Europe/London")


async def test_the_users_own_drive_is_found_before_listing_its_files():
    tools = graph_tools()
    by_name = {t.name: t for t in tools}
    call = await call_capability(registry_of(tools), CTX, "files.list", by_name["list-folder-files"], {})
    assert call.result is not None and call.result.ok and call.problem == ""
    assert by_name["list-drives"].calls == [{}]
    assert by_name["list-folder-files"].calls == [{"driveId": "b!mine", "driveItemId": "root"}]


async def test_no_drive_lister_means_an_honest_problem_and_no_call():
    files = ScriptedTool("list-folder-files", "Return DriveItems.", {"driveId": {"type": "string"},
                         "driveItemId": {"type": "string"}}, ("driveId", "driveItemId"))
    call = await call_capability(registry_of([files]), CTX, "files.list", files, {})
    assert call.result is None and "drive id" in call.problem and files.calls == []


async def test_messages_the_tool_could_not_filter_are_filtered_here():
    messages = [
        {"id": "1", "from": {"emailAddress": {"address": "john@acme.example"}}, "receivedDateTime": "2026-03-24T09:00:00Z"},
        {"id": "2", "from": {"emailAddress": {"address": "jane@acme.example"}}, "receivedDateTime": "2026-03-24T08:00:00Z"},
        {"id": "3", "from": {"emailAddress": {"address": "john@acme.example"}}, "receivedDateTime": "2026-03-20T08:00:00Z"},
    ]
    lookup = ScriptedTool("mailbox_lookup", "Look through the mailbox.", {"keywords": {"type": "string"},
                          "max_results": {"type": "integer"}}, answer={"value": messages})
    call = await call_capability(registry_of([lookup]), CTX, "mail.search", lookup,
                                 {"sender": "john@acme.example", "start": "2026-03-22T00:00:00+00:00", "top": 10})
    assert [m["id"] for m in call.result.data["value"]] == ["1"]
    assert lookup.calls == [{"max_results": 50}]
    assert set(call.plan.checked_here) == {"sender", "start"} and call.plan.unapplied == []
