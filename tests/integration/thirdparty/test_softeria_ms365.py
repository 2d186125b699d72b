"""The seed's mail, calendar and file scenarios through the assistant with a widely used open-source
Microsoft 365 MCP server (Softeria's, 337 Graph-shaped tools in organisation mode) in place of ours."""

from __future__ import annotations

import re

import httpx
import pytest

from crm_app.assistant import grounding, replies
from crm_app.services.assistant import build_registry
from crm_app.tools.discovery import choose

JOHN = "john.smith@acme.example"


def graph_get(sandbox, path: str, params: dict[str, str]) -> dict:
    """The sandbox's own answer, as the ground truth the assistant's cards must match."""
    from tests.integration.assistant.conftest import mint

    token = mint(sandbox)["access_token"]
    r = httpx.get(f"{sandbox.url}/v1.0{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=20)
    r.raise_for_status()
    return r.json()


def assert_honest(turn, args: dict, label: str = "") -> None:
    """The reply states each requested filter (which the test has seen sent to the tool), says none was
    left unapplied, and the grounding check finds nothing claimed that was not applied."""
    claims = replies.filter_claims(args, label, list(args))
    assert claims and grounding.unapplied_filter_claims(turn.text, claims) == list(claims), turn.text
    assert "unapplied_filter" not in turn.flags and "can't filter" not in turn.text, turn.text


async def test_discovery_picks_the_graph_tools_a_person_would(avery, on_softeria):
    registry = await build_registry(avery.user.id)
    assert len([t for t in registry.tools() if t.schema.source == "ms365"]) > 300
    picked = {cap: choose(registry, cap) for cap in ("mail.search", "mail.get", "calendar.list", "files.list",
                                                      "files.search", "files.drives", "mail.draft", "directory.people")}
    assert {cap: getattr(c, "tool", None) for cap, c in picked.items()} == {
        "mail.search": "list-mail-messages", "mail.get": "get-mail-message", "calendar.list": "get-calendar-view",
        "files.list": "list-folder-files", "files.search": "search-onedrive-files", "files.drives": "list-drives",
        "mail.draft": "create-draft-email", "directory.people": "list-users"}


async def test_mail_by_sender_is_filtered_by_graph_and_read_in_full(avery, on_softeria):
    turn = await avery.say(f"Show me emails from {JOHN}")
    assert avery.tools() == ["list-mail-messages"]
    sent = avery.calls[0][1]
    assert sent["filter"] == f"receivedDateTime ge 1900-01-01T00:00:00Z and from/emailAddress/address eq '{JOHN}'"
    assert sent["orderby"] == "receivedDateTime desc" and sent["top"] == 10 and "search" not in sent
    truth = graph_get(avery.sandbox, "/me/messages", {"$filter": sent["filter"],
                                                       "$orderby": "receivedDateTime desc", "$top": "10",
                                                       "$select": "id"})
    assert [c["id"] for c in turn.cards] == [m["id"] for m in truth["value"]] and turn.cards
    assert all(c["kind"] == "email" and c["from_address"] == JOHN and c["body_kind"] == "preview"
               and c["body_label"] == ("Preview · truncated" if c["body_truncated"] else "Full body")
               for c in turn.cards)
    assert any(c["body_label"] == "Preview · truncated" for c in turn.cards)
    assert f"from {JOHN}" in turn.text and turn.status == "done"
    assert_honest(turn, {"sender": JOHN})

    full = await avery.say("what does the first one say?")
    assert avery.calls == [("get-mail-message", {"messageId": turn.cards[0]["id"], "select": avery.calls[0][1]["select"]})]
    card = full.cards[0]
    assert len(full.cards) == 1 and card["id"] == turn.cards[0]["id"]
    assert card["body_kind"] == "full" and card["body_label"] == "Full body"
    assert len(card["body"]) > len(turn.cards[0]["body"]) and "</" not in card["body"]


async def test_mail_by_date_unread_and_subject_words(avery, on_softeria):
    recent = await avery.say("emails from the last 3 days")
    sent = avery.calls[0][1]
    assert avery.tools() == ["list-mail-messages"]
    assert sent["filter"] == "receivedDateTime ge 2026-03-22T10:30:00Z and receivedDateTime lt 2026-03-25T10:30:00Z"
    assert recent.cards and all("2026-03-22T10:30" <= c["date"] < "2026-03-25T10:30" for c in recent.cards)
    assert_honest(recent, {"start": "2026-03-22T10:30:00+00:00", "end": "2026-03-25T10:30:00+00:00"})

    unread = await avery.say("unread emails")
    assert avery.calls[0][1]["filter"] == "receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false"
    assert unread.cards and all(c["is_read"] == "" for c in unread.cards)  # a card says "true" or nothing
    assert "unread emails" in unread.text
    assert_honest(unread, {"unread_only": True})

    about = await avery.say("emails about pricing")
    sent = avery.calls[0][1]
    assert sent["search"] == '"pricing"' and "filter" not in sent and "orderby" not in sent
    assert about.cards and len(about.cards) <= 10
    truth = graph_get(avery.sandbox, "/me/messages", {"$search": '"pricing"', "$top": "50", "$select": "id"})
    assert [c["id"] for c in about.cards] == [m["id"] for m in truth["value"]][: len(about.cards)]
    assert "about “pricing”" in about.text
    assert_honest(about, {"query": "pricing"})


@pytest.mark.parametrize("text,start,end", [
    ("what's on my calendar today", "2026-03-25T00:00:00+00:00", "2026-03-26T00:00:00+00:00"),
    ("my calendar tomorrow", "2026-03-26T00:00:00+00:00", "2026-03-27T00:00:00+00:00"),
    ("what's on this week", "2026-03-23T00:00:00+00:00", "2026-03-30T00:00:00+01:00"),
])
async def test_calendar_ranges_go_to_the_calendar_view(avery, on_softeria, text, start, end):
    turn = await avery.say(text)
    assert avery.calls == [("get-calendar-view", {"startDateTime": start, "endDateTime": end, "top": 100})]
    truth = graph_get(avery.sandbox, "/me/calendarView", {"startDateTime": start, "endDateTime": end,
                                                          "$select": "id", "$top": "100"})
    assert sorted(c["id"] for c in turn.cards) == sorted(e["id"] for e in truth["value"])
    assert all(c["kind"] == "event" and c["start"] and c["title"] for c in turn.cards)
    assert re.search(r"You have \d+ events?|Your calendar is clear", turn.text)
    assert_honest(turn, {"start": start, "end": end})


async def test_onedrive_files_are_listed_and_searched_after_finding_the_drive(avery, on_softeria):
    drive = graph_get(avery.sandbox, "/me/drive", {})
    listed = await avery.say("List my OneDrive files")
    assert avery.calls == [("list-drives", {}), ("list-folder-files", {"driveId": drive["id"], "driveItemId": "root"})]
    assert [c["title"] for c in listed.cards] == ["Documents", "Notes", "Reports", "Welcome.txt"]
    assert all(c["kind"] == "file" for c in listed.cards) and "in your OneDrive" in listed.text

    found = await avery.say("search my files for budget")
    assert avery.calls == [("list-drives", {}), ("search-onedrive-files", {"driveId": drive["id"], "q": "budget"})]
    truth = graph_get(avery.sandbox, "/me/drive/root/search(q='budget')", {})
    assert [c["id"] for c in found.cards] == [f["id"] for f in truth["value"]]
    assert "Budget 2027.xlsx" in [c["title"] for c in found.cards] and "matching “budget”" in found.text
    assert_honest(found, {"query": "budget"})


async def test_settings_report_says_which_tool_serves_what_and_what_is_not_mapped(avery, on_softeria):
    from crm_app.services.discovery import discovery_view

    (report,) = await discovery_view(avery.user.id)
    assert report.server_id == "ms365" and report.unavailable == ""
    mapped = {m.capability: m for m in report.mapped}
    assert mapped["mail.search"].tool == "list-mail-messages" and mapped["mail.search"].label == "Search mail"
    assert mapped["calendar.list"].tool == "get-calendar-view"
    assert mapped["files.search"].confidence == "sure"
    assert all(m.confidence in ("sure", "likely", "close call") for m in report.mapped)
    unmapped = {u.capability: u.reason for u in report.unmapped}
    assert "files.read" in unmapped and "sharepoint.search" in unmapped
    assert not set(mapped) & set(unmapped)


async def test_a_folder_the_tool_cannot_narrow_to_is_said_not_applied(avery, on_softeria):
    turn = await avery.say("emails in my archive folder")
    assert avery.tools() == ["list-mail-messages"] and "folder" not in str(avery.calls[0][1]).lower()
    assert ("The list-mail-messages tool can't filter by folder, so that part of your request is not applied to "
            "these results.") in turn.text
    assert "archive" not in turn.text.lower() and "unapplied_filter" not in turn.flags


async def test_a_contact_page_reads_its_mail_and_meetings_through_the_graph_shaped_tools(avery, on_softeria):
    from crm_app.services import crm
    from crm_app.services.record_inbox import PAGE_SIZE, InboxStatus
    from tests.integration.record_inbox.test_record_inbox_service import reader_with_calls

    reader, calls = await reader_with_calls(avery.user)
    [john] = crm.find_contacts("John Smith")
    view = await reader.view("contact", john["id"])
    assert view.status is InboxStatus.READY, view.message
    assert sorted(name for name, _ in calls) == ["get-calendar-view", "list-mail-messages"]
    sent = dict(calls)["list-mail-messages"]
    # mail exchanged both ways with the address, as a Graph search on the participants; never a bare listing
    assert "participants" in sent.get("search", "") and JOHN in sent["search"], sent
    assert view.emails and len(view.emails) <= PAGE_SIZE
    assert all(JOHN in f"{c['from_address']} {c['to']}".lower() for c in view.emails)
    truth = graph_get(avery.sandbox, "/me/messages", {"$search": sent["search"], "$top": str(sent.get("top", 50)),
                                                       "$select": "id"})
    assert {c["id"] for c in view.emails} <= {m["id"] for m in truth["value"]}
    assert view.upcoming or view.past
    for card in view.upcoming + view.past:
        assert JOHN in f"{card['attendees']} {card['organizer']}".lower()


async def test_a_meeting_brief_reads_the_attendees_mail_through_the_graph_shaped_tools(avery, on_softeria):
    turn = await avery.say("prepare me for the Acme call")
    assert turn.status == "done", turn.text
    assert "get-calendar-view" in avery.tools() and "list-mail-messages" in avery.tools()
    sent = dict(avery.calls)["list-mail-messages"]
    assert "participants" in sent.get("search", ""), sent
    emails = [c for c in turn.cards if c["kind"] == "email"]
    [event] = [c for c in turn.cards if c["kind"] == "event"]
    invited = set(re.findall(r"[\w.+-]+@[\w.-]+", f"{event['attendees']} {event['organizer']}".lower()))
    invited.discard("avery.chen@northwind.example")
    assert invited and emails
    assert all(invited & set(re.findall(r"[\w.+-]+@[\w.-]+", f"{c['from_address']} {c['to']}".lower())) for c in emails)
    assert "can't search mail" not in turn.text
