"""Calendar, OneDrive, SharePoint, Teams and directory tools against the sandbox over real HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.ms365_mcp.harness import AVERY, JORDAN, Mcp, Sandbox, tool_error

LONDON = "Europe/London"


def graph_get(sandbox: Sandbox, token: str, path: str, **params: str) -> dict[str, Any]:
    response = httpx.get(f"{sandbox.graph_url}{path}", params=params, headers={"Authorization": f"Bearer {token}"},
                         timeout=30)
    response.raise_for_status()
    return response.json()


async def test_calendar_day_in_a_time_zone(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    data = await mcp.data(avery, "outlook_get_calendar_events",
                          {"start": "2025-06-16", "end": "2025-06-16", "time_zone": LONDON})
    truth = graph_get(sandbox, avery, "/me/calendarView", startDateTime="2025-06-15T23:00:00Z",
                      endDateTime="2025-06-16T23:00:00Z", **{"$top": "100", "$select": "id"})["value"]
    assert data["count"] == len(truth) > 0
    starts = [datetime.fromisoformat(e["start"]) for e in data["events"]]
    assert starts == sorted(starts)
    for event in data["events"]:
        assert event["start"].endswith("+01:00") and event["time_zone"] == LONDON
        assert event["start"].startswith("2025-06-16") or event["end"] > "2025-06-16"
        assert event["web_link"]


async def test_create_event_and_find_meeting_times(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    subject = f"Pricing review {uuid.uuid4().hex[:6]}"
    created = (await mcp.data(avery, "outlook_create_calendar_event", {
        "subject": subject, "start": "2025-06-19T15:00", "end": "2025-06-19T15:30", "time_zone": LONDON,
        "attendees": [JORDAN], "location": "Room 4.02", "body": "Agenda: discounts", "is_online_meeting": True,
    }))["event"]
    assert (created["start"], created["end"]) == ("2025-06-19T15:00:00+01:00", "2025-06-19T15:30:00+01:00")
    assert created["location"] == "Room 4.02" and created["is_online_meeting"] and created["online_meeting_url"]
    assert [a["address"] for a in created["attendees"]] == [JORDAN]
    listed = await mcp.data(avery, "outlook_get_calendar_events",
                            {"start": "2025-06-19", "end": "2025-06-19", "time_zone": LONDON})
    assert subject in {e["subject"] for e in listed["events"]}

    slots = await mcp.data(avery, "outlook_find_meeting_times", {
        "attendees": [JORDAN], "duration_minutes": 60, "start": "2025-06-19", "end": "2025-06-20",
        "time_zone": LONDON, "max_suggestions": 3,
    })
    assert 0 < slots["count"] <= 3 and slots["time_zone"] == LONDON
    for slot in slots["suggestions"]:
        begins, ends = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        assert ends - begins == timedelta(hours=1)
        assert slot["start"].endswith("+01:00")
        assert not (begins < datetime.fromisoformat("2025-06-19T15:30:00+01:00")
                    and ends > datetime.fromisoformat("2025-06-19T15:00:00+01:00"))

    reversed_range = await mcp.call(avery, "outlook_create_calendar_event",
                                    {"subject": "x", "start": "2025-06-19T15:00", "end": "2025-06-19T14:00"})
    assert "'end'" in tool_error(reversed_range)["message"]


async def test_onedrive_list_search_read_and_share(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    root = await mcp.data(avery, "onedrive_list_files")
    assert {"Documents", "Notes"} <= {f["name"] for f in root["files"] if f["is_folder"]}
    notes = await mcp.data(avery, "onedrive_list_files", {"path": "Notes"})
    text_file = next(f for f in notes["files"] if f["name"].endswith(".txt"))
    assert text_file["path"] == f"/Notes/{text_file['name']}" and text_file["web_url"] and text_file["drive_id"]

    found = await mcp.data(avery, "onedrive_search_files", {"query": "meeting notes"})
    assert text_file["id"] in {f["id"] for f in found["files"]}

    read = await mcp.data(avery, "onedrive_read_file", {"item_id": text_file["id"]})
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {avery}"}, timeout=30) as client:
        raw = await client.get(f"{sandbox.graph_url}/me/drive/items/{text_file['id']}/content", follow_redirects=True)
    assert read["content"] == raw.text.strip() and read["truncated"] is False and read["content_kind"] == "text"
    short = await mcp.data(avery, "onedrive_read_file", {"path": text_file["path"], "max_chars": 100})
    assert short["content"] == raw.text[:100] and short["truncated"] is True

    documents = await mcp.data(avery, "onedrive_list_files", {"path": "/Documents"})
    binary = next(f for f in documents["files"] if f["name"].endswith((".pdf", ".docx", ".xlsx")))
    refused = tool_error(await mcp.call(avery, "onedrive_read_file", {"item_id": binary["id"]}))
    assert refused["code"] == "NotTextFile" and binary["name"] in refused["message"]

    shared = await mcp.data(avery, "onedrive_share_file", {
        "item_id": text_file["id"], "recipients": ["finance@northwind.example"], "role": "write", "message": "FYI",
    })
    assert shared["status"] == "shared" and shared["file_name"] == text_file["name"] and shared["role"] == "write"
    permissions = graph_get(sandbox, avery, f"/me/drive/items/{text_file['id']}/permissions")["value"]
    assert any(p["roles"] == ["write"] and "finance@northwind.example" in str(p) for p in permissions)


async def test_sharepoint_sites_files_and_search(mcp: Mcp, avery: str) -> None:
    everything = await mcp.data(avery, "sharepoint_list_sites")
    finance = await mcp.data(avery, "sharepoint_list_sites", {"query": "finance"})
    assert everything["count"] > finance["count"] >= 1
    site = finance["sites"][0]
    assert site["display_name"] == "Finance" and site["web_url"]

    files = await mcp.data(avery, "sharepoint_list_files", {"site_id": site["id"]})
    assert files["count"] > 0 and all(f["drive_id"] for f in files["files"])
    in_site = await mcp.data(avery, "sharepoint_search_files", {"query": "budget", "site_id": site["id"]})
    everywhere = await mcp.data(avery, "sharepoint_search_files", {"query": "budget"})
    assert in_site["count"] >= 1
    assert {f["id"] for f in in_site["files"]} <= {f["id"] for f in everywhere["files"]}

    markdown = next(f for f in files["files"] if f["name"].endswith(".md"))
    read = await mcp.data(avery, "onedrive_read_file", {"item_id": markdown["id"], "drive_id": markdown["drive_id"]})
    assert read["content"] and read["file"]["id"] == markdown["id"]


async def test_teams_channels_and_posting(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    teams = await mcp.data(avery, "teams_list_teams")
    sales = next(t for t in teams["teams"] if t["display_name"] == "Sales")
    channels = await mcp.data(avery, "teams_list_channels", {"team_id": sales["id"]})
    general = next(c for c in channels["channels"] if c["display_name"] == "General")
    text = f"Acme moved to proposal {uuid.uuid4().hex[:6]}"
    posted = (await mcp.data(avery, "teams_post_message",
                             {"team_id": sales["id"], "channel_id": general["id"], "message": text}))["message"]
    assert posted["id"] and posted["web_url"] and posted["created_at"]
    reader = sandbox.token(AVERY, scopes=["ChannelMessage.Read.All"])
    messages = graph_get(sandbox, reader, f"/teams/{sales['id']}/channels/{general['id']}/messages")["value"]
    assert any(m["id"] == posted["id"] and text in m["body"]["content"] for m in messages)
    unknown = tool_error(await mcp.call(avery, "teams_list_channels", {"team_id": "no-such-team"}))
    assert unknown["status"] == 404


async def test_reading_a_channel_by_names_gives_plain_text_newest_first(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    data = await mcp.data(avery, "teams_read_channel_messages", {"team": "sales", "channel": "general"})
    assert (data["team"]["display_name"], data["channel"]["display_name"]) == ("Sales", "General")
    truth = graph_get(sandbox, avery, f"/teams/{data['team']['id']}/channels/{data['channel']['id']}/messages")["value"]
    assert [m["id"] for m in data["channel_messages"]] == [m["id"] for m in truth] and data["count"] == len(truth) > 0
    created = [m["created_at"] for m in data["channel_messages"]]
    assert created == sorted(created, reverse=True)
    pricing = next(m for m in data["channel_messages"] if "pricing sheet" in m["body"])
    assert "<" not in pricing["body"] and "Pricing 2027.xlsx" in pricing["body"]
    assert {m["author"] for m in data["channel_messages"]} <= {"Avery Chen", "Jordan Patel"}
    assert all(m["web_url"] for m in data["channel_messages"])
    by_default = await mcp.data(avery, "teams_read_channel_messages", {"team": data["team"]["id"], "top": 1})
    assert by_default["channel"]["id"] == data["channel"]["id"] and by_default["count"] == 1

    assert tool_error(await mcp.call(avery, "teams_read_channel_messages", {"team": "marketing"}))["status"] == 404
    several = tool_error(await mcp.call(avery, "teams_read_channel_messages", {"team": "finance", "channel": "e"}))
    assert "several" in several["message"]
    no_scope = sandbox.token(AVERY, scopes=["Team.ReadBasic.All", "Channel.ReadBasic.All"])
    assert tool_error(await mcp.call(no_scope, "teams_read_channel_messages", {"team": "sales"}))["status"] == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("finance team", {("group", "finance@northwind.example")}),
        ("John", {("contact", "john.smith@acme.example"), ("contact", "john.baker@globex.example")}),
        ("sam", {("user", "sam.rivera@northwind.example")}),
        ("o'brien", {("contact", "o'brien@initech.example")}),
    ],
)
async def test_directory_resolves_names(mcp: Mcp, sandbox: Sandbox, query: str, expected: set[tuple[str, str]]) -> None:
    token = sandbox.token(AVERY, scopes=["User.ReadBasic.All", "Group.Read.All", "People.Read"])
    data = await mcp.data(token, "directory_find_people", {"query": query})
    assert {(p["kind"], p["address"]) for p in data["people"]} == expected


async def test_directory_without_people_permission_still_searches_the_directory(mcp: Mcp, sandbox: Sandbox) -> None:
    token = sandbox.token(AVERY, scopes=["User.ReadBasic.All", "Group.Read.All"])
    data = await mcp.data(token, "directory_find_people", {"query": "finance team"})
    assert [(p["kind"], p["address"]) for p in data["people"]] == [("group", "finance@northwind.example")]


async def test_recent_files_are_the_newest_files_across_the_drive(mcp: Mcp, sandbox: Sandbox, avery: str) -> None:
    recent = await mcp.data(avery, "onedrive_recent_files", {"top": 5})
    truth = graph_get(sandbox, avery, "/me/drive/recent", **{"$top": "1000"})["value"]
    newest = sorted((i for i in truth if "folder" not in i), key=lambda i: i["lastModifiedDateTime"], reverse=True)
    assert recent["count"] == 5 and recent["has_more"] is True
    assert [f["id"] for f in recent["files"]] == [i["id"] for i in newest[:5]]
    assert not any(f["is_folder"] for f in recent["files"])
    stamps = [f["last_modified_at"] for f in recent["files"]]
    assert stamps == sorted(stamps, reverse=True)
    root = await mcp.data(avery, "onedrive_list_files")
    assert [f["id"] for f in recent["files"]] != [f["id"] for f in root["files"][:5]]
    assert any(f["path"].count("/") > 1 for f in recent["files"]), "recent files come from folders below the root"
