"""Canonical arguments on a tool's own parameters: camelCase ids, OData query options built with the
same rules as our own server, and nothing dropped without saying so."""

from __future__ import annotations

from crm_app.graph_query.mail_query import FULL_SELECT, LIST_SELECT
from crm_app.tools.arguments import graph_message, map_arguments, plan_arguments
from tests.unit.tools.graph_shaped import ScriptedTool, graph_tools, ids

TOOLS = {t.name: t for t in graph_tools()}


def test_sender_dates_and_unread_become_one_odata_filter():
    plan = plan_arguments(TOOLS["list-mail-messages"], {
        "sender": "John.Smith@acme.example", "start": "2026-03-22T10:30:00+00:00", "end": "2026-03-25T10:30:00+00:00",
        "unread_only": True, "top": 10}, "mail.search")
    assert plan.arguments == {
        "select": LIST_SELECT,
        "filter": "receivedDateTime ge 2026-03-22T10:30:00Z and receivedDateTime lt 2026-03-25T10:30:00Z and "
                  "from/emailAddress/address eq 'john.smith@acme.example' and isRead eq false",
        "orderby": "receivedDateTime desc", "top": 10}
    assert plan.unapplied == [] and plan.checked_here == [] and plan.missing == []
    assert set(plan.applied) == {"sender", "start", "end", "unread_only"}


def test_a_quote_in_a_sender_is_an_odata_literal_not_syntax():
    plan = plan_arguments(TOOLS["list-mail-messages"], {"sender": "o'brien@x.example"}, "mail.search")
    assert "eq 'o''brien@x.example'" in plan.arguments["filter"]


def test_words_become_a_quoted_kql_search_with_no_filter():
    plan = plan_arguments(TOOLS["list-mail-messages"], {"query": "pricing \"OR\" x:y", "unread_only": True, "top": 5},
                          "mail.search")
    assert plan.arguments["search"] == '"pricing AND x AND y"' and "filter" not in plan.arguments
    assert "orderby" not in plan.arguments and plan.arguments["top"] == 50 and plan.limit == 5
    assert plan.unapplied == [] and plan.keep is not None  # unread is checked on every message, as our server does
    assert plan.keep({"isRead": False, "receivedDateTime": "2026-03-01T00:00:00Z"})
    assert not plan.keep({"isRead": True, "receivedDateTime": "2026-03-01T00:00:00Z"})


def test_what_a_plain_tool_cannot_take_is_checked_here_or_reported():
    lookup = ScriptedTool("mailbox_lookup", "Look through the mailbox.", {
        "keywords": {"type": "string"}, "max_results": {"type": "integer"}})
    plan = plan_arguments(lookup, {"sender": "john@acme.example", "query": "q", "top": 10,
                                   "start": "2026-03-01T00:00:00+00:00"}, "mail.search")
    assert plan.arguments == {"keywords": "q", "max_results": 50} and plan.limit == 10
    assert set(plan.checked_here) == {"sender", "start"} and plan.unapplied == []
    assert plan.keep({"from": {"emailAddress": {"address": "JOHN@acme.example"}},
                      "receivedDateTime": "2026-03-02T00:00:00Z"})
    assert not plan.keep({"from_address": "jane@acme.example", "received_at": "2026-03-02T00:00:00Z"})
    no_words = plan_arguments(ScriptedTool("list_emails", "List mail.", {"top": {"type": "integer"}}),
                              {"query": "pricing"}, "mail.search")
    assert no_words.unapplied == ["query"] and no_words.applied == []


def test_camel_case_ids_and_calendar_ranges():
    plan = plan_arguments(TOOLS["get-mail-message"], {"message_id": "AAMk="}, "mail.get")
    assert plan.arguments == {"messageId": "AAMk=", "select": FULL_SELECT}
    view = plan_arguments(TOOLS["get-calendar-view"], {"start": "2026-03-25T00:00:00+00:00",
                                                       "end": "2026-03-26T00:00:00+00:00", "top": 25}, "calendar.list")
    assert view.arguments == {"startDateTime": "2026-03-25T00:00:00+00:00",
                              "endDateTime": "2026-03-26T00:00:00+00:00", "top": 25}
    assert view.missing == [] and view.unapplied == []


def test_a_drive_id_is_found_first_and_a_listing_starts_at_the_root():
    plan = plan_arguments(TOOLS["list-folder-files"], {}, "files.list")
    assert plan.arguments == {"driveItemId": "root"} and plan.resolve == {"driveId": "drive_id"}
    assert plan.missing == []
    search = plan_arguments(TOOLS["search-onedrive-files"], {"query": "budget"}, "files.search")
    assert search.arguments == {"q": "budget"} and search.resolve == {"driveId": "drive_id"}
    assert map_arguments(TOOLS["search-onedrive-files"], {"query": "budget"}) == ({"q": "budget"}, ["driveId"])


def test_directory_search_is_quoted_and_eventually_consistent():
    plan = plan_arguments(TOOLS["list-users"], {"query": 'John "Smith'}, "directory.people")
    assert plan.arguments == {"search": '"displayName:John Smith"', "ConsistencyLevel": "eventual"}


def test_friendly_names_map_as_before():
    deliver = ScriptedTool("deliver_mail", "Deliver an email message now.", {
        "recipients": {"type": "array"}, "title": {"type": "string"}, "content": {"type": "string"}},
        ("recipients", "title", "content"), read_only=False)
    assert map_arguments(deliver, {"to": "a@b.example", "subject": "S", "body": "B"}) == (
        {"recipients": ["a@b.example"], "title": "S", "content": "B"}, [])
    fetch = ScriptedTool("fetch_message", "Fetch one.", ids("id"), ("id",))
    assert map_arguments(fetch, {}) == ({}, ["id"])


def test_graph_message_reads_our_servers_shape():
    m = graph_message({"from_address": "a@b.example", "from_name": "A", "received_at": "2026-01-01T00:00:00Z",
                       "is_read": False})
    assert m["from"]["emailAddress"] == {"address": "a@b.example", "name": "A"} and m["isRead"] is False
