from __future__ import annotations

import json
from urllib.parse import parse_qsl

import httpx

ME = "avery.chen@northwind.example"


def _message(mid: str, address: str, received: str, is_read: bool = False) -> dict:
    return {
        "id": mid,
        "subject": f"subject {mid}",
        "from": {"emailAddress": {"name": address.split("@")[0], "address": address}},
        "toRecipients": [{"emailAddress": {"name": "Avery Chen", "address": ME}}],
        "receivedDateTime": received,
        "isRead": is_read,
        "bodyPreview": f"preview {mid}",
        "webLink": f"https://outlook.test/{mid}",
    }


async def test_search_sends_one_filter_and_drops_mismatches(mcp_server, graph) -> None:
    graph.handler = lambda r: httpx.Response(200, json={"value": [
        _message("1", "john.smith@acme.example", "2025-02-03T10:00:00Z"),
        _message("2", "someone.else@acme.example", "2025-02-02T10:00:00Z"),
        _message("3", "john.smith@acme.example", "2024-12-31T10:00:00Z"),
    ]})
    async with mcp_server() as open_session, open_session() as session:
        result = await session.call_tool("outlook_search_emails", {
            "sender": "John.Smith@acme.example", "start": "2025-01-01", "end": "2025-02-28", "query": "",
        })
    data = result.structured_content
    assert [e["id"] for e in data["emails"]] == ["1"]
    assert data["dropped_mismatches"] == 2
    assert data["emails"][0]["body_kind"] == "preview"
    assert data["emails"][0]["web_link"] == "https://outlook.test/1"
    pairs = parse_qsl(graph.requests[0].url.query.decode())
    assert [k for k, _ in pairs].count("$filter") == 1
    assert "$search" not in dict(pairs)
    assert "None" not in graph.requests[0].url.query.decode()


async def test_folder_name_is_resolved_with_an_escaped_literal(mcp_server, graph) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1.0/me/mailFolders":
            if request.url.params["$filter"] == "displayName eq 'Nowhere'":
                return httpx.Response(200, json={"value": []})
            assert request.url.params["$filter"] == "displayName eq 'O''Brien deals'"
            return httpx.Response(200, json={"value": [{"id": "folder-1", "displayName": "O'Brien deals"}]})
        assert request.url.path == "/v1.0/me/mailFolders/folder-1/messages"
        return httpx.Response(200, json={"value": []})

    graph.handler = handler
    async with mcp_server() as open_session, open_session() as session:
        result = await session.call_tool("outlook_search_emails", {"folder": "O'Brien deals"})
        missing = await session.call_tool("outlook_search_emails", {"folder": "Nowhere"})
    assert not result.is_error and result.structured_content["count"] == 0
    error = json.loads(missing.content[0].text.splitlines()[0])["error"]
    assert (error["code"], error["status"]) == ("NotFound", 404)
    assert "outlook_list_folders" in error["message"]


async def test_get_email_lists_real_attachments_only(mcp_server, graph) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/attachments"):
            return httpx.Response(200, json={"value": [
                {"name": "quote.pdf", "size": 1200, "contentType": "application/pdf", "isInline": False},
                {"name": "logo.png", "size": 50, "contentType": "image/png", "isInline": True},
            ]})
        return httpx.Response(200, json={**_message("9", "john.smith@acme.example", "2025-02-03T10:00:00Z"),
                                         "hasAttachments": True,
                                         "body": {"contentType": "html", "content": "<p>Quote&nbsp;attached</p>"}})

    graph.handler = handler
    async with mcp_server() as open_session, open_session() as session:
        result = await session.call_tool("outlook_get_email", {"message_id": "AAMk/9=="})
    email = result.structured_content["email"]
    assert (email["body"], email["body_kind"]) == ("Quote attached", "full")
    assert email["attachments"] == [{"name": "quote.pdf", "size": 1200, "content_type": "application/pdf"}]
    assert graph.requests[0].url.raw_path.startswith(b"/v1.0/me/messages/AAMk%2F9%3D%3D?")


async def test_reply_all_reports_recipients_without_the_user(mcp_server, graph) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1.0/me":
            return httpx.Response(200, json={"mail": ME, "userPrincipalName": ME})
        if request.method == "POST":
            assert request.url.path == "/v1.0/me/messages/m1/replyAll"
            assert json.loads(request.content) == {"comment": "Thanks!"}
            return httpx.Response(202)
        return httpx.Response(200, json={
            **_message("m1", "john.smith@acme.example", "2025-02-03T10:00:00Z"),
            "subject": "Plant expansion",
            "ccRecipients": [{"emailAddress": {"name": "Maria", "address": "maria.garcia@acme.example"}}],
        })

    graph.handler = handler
    async with mcp_server() as open_session, open_session() as session:
        result = await session.call_tool("outlook_reply_email",
                                         {"message_id": "m1", "comment": "Thanks!", "reply_all": True})
    data = result.structured_content
    assert data["subject"] == "RE: Plant expansion"
    assert [r["address"] for r in data["to"]] == ["john.smith@acme.example", "maria.garcia@acme.example"]
    assert [r.method for r in graph.requests][-1] == "POST"


async def test_calendar_times_are_given_in_the_requested_zone(mcp_server, graph) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["prefer"] == 'outlook.timezone="UTC"'
        assert request.url.params["startDateTime"] == "2025-07-01T23:00:00Z"
        assert request.url.params["endDateTime"] == "2025-07-03T23:00:00Z"
        return httpx.Response(200, json={"value": [{
            "id": "e1", "subject": "Review",
            "start": {"dateTime": "2025-07-02T13:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2025-07-02T14:00:00.0000000", "timeZone": "UTC"},
            "attendees": [{"emailAddress": {"name": "John", "address": "john.smith@acme.example"},
                           "type": "required", "status": {"response": "accepted"}}],
            "webLink": "https://outlook.test/e1",
        }]})

    graph.handler = handler
    async with mcp_server() as open_session, open_session() as session:
        result = await session.call_tool("outlook_get_calendar_events",
                                         {"start": "2025-07-02", "end": "2025-07-03", "time_zone": "Europe/London"})
    event = result.structured_content["events"][0]
    assert (event["start"], event["end"]) == ("2025-07-02T14:00:00+01:00", "2025-07-02T15:00:00+01:00")
    assert event["attendees"][0]["response"] == "accepted"


async def test_sharepoint_search_skips_a_forbidden_site(mcp_server, graph) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1.0/sites":
            assert request.url.params["search"] == "*"
            return httpx.Response(200, json={"value": [{"id": "s1"}, {"id": "s2"}]})
        if request.url.path.startswith("/v1.0/sites/s2/"):
            return httpx.Response(403, json={"error": {"code": "accessDenied", "message": "no"}})
        assert request.url.path == "/v1.0/sites/s1/drive/root/search(q='q4 o''brien')"
        return httpx.Response(200, json={"value": [{"id": "f1", "name": "Q4.xlsx", "file": {}}]})

    graph.handler = handler
    async with mcp_server() as open_session, open_session() as session:
        result = await session.call_tool("sharepoint_search_files", {"query": "q4 o'brien"})
    assert [f["id"] for f in result.structured_content["files"]] == ["f1"]


async def test_directory_merges_people_and_survives_missing_people_permission(mcp_server, graph) -> None:
    allowed = {"people": True}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1.0/users":
            assert request.headers["consistencylevel"] == "eventual"
            assert request.url.params["$search"] == '"displayName:john" OR "mail:john"'
            return httpx.Response(200, json={"value": []})
        if path == "/v1.0/groups":
            return httpx.Response(200, json={"value": []})
        assert path == "/v1.0/me/people" and request.url.params["$search"] == '"john"'
        if not allowed["people"]:
            return httpx.Response(403, json={"error": {"code": "ErrorAccessDenied", "message": "People.Read"}})
        return httpx.Response(200, json={"value": [
            {"id": "p1", "displayName": "John Smith", "companyName": "Acme",
             "scoredEmailAddresses": [{"address": "john.smith@acme.example"}],
             "personType": {"class": "Person", "subclass": "ImplicitContact"}},
            {"id": "p2", "displayName": "Finance team", "scoredEmailAddresses": [{"address": "finance@x.example"}],
             "personType": {"class": "Group", "subclass": "UnifiedGroup"}},
        ]})

    graph.handler = handler
    async with mcp_server() as open_session, open_session() as session:
        found = await session.call_tool("directory_find_people", {"query": 'john"'})
        allowed["people"] = False
        directory_only = await session.call_tool("directory_find_people", {"query": "john"})
    people = found.structured_content["people"]
    assert [(p["kind"], p["address"], p["description"]) for p in people] == [
        ("contact", "john.smith@acme.example", "Acme"), ("group", "finance@x.example", None),
    ]
    assert not directory_only.is_error and directory_only.structured_content["count"] == 0


async def test_participants_search_keeps_mail_sent_to_them_and_refuses_what_is_no_address(mcp_server, graph) -> None:
    sent = {**_message("4", ME, "2025-02-04T10:00:00Z"),
            "toRecipients": [{"emailAddress": {"name": "Maria", "address": "maria.garcia@acme.example"}}]}
    graph.handler = lambda r: httpx.Response(200, json={"value": [
        sent,
        _message("5", "john.baker@globex.example", "2025-02-05T10:00:00Z"),
        _message("6", "hannah@acme.example", "2025-02-01T10:00:00Z"),
    ]})
    async with mcp_server() as open_session, open_session() as session:
        result = await session.call_tool("outlook_search_emails", {
            "participants": ["Maria.Garcia@acme.example", "acme.example"]})
        refused = await session.call_tool("outlook_search_emails", {"participants": ["not a domain"]})
    assert [e["id"] for e in result.structured_content["emails"]] == ["4", "6"]
    assert result.structured_content["dropped_mismatches"] == 1
    search = graph.requests[0].url.params["$search"]
    assert search == '"(participants:maria.garcia@acme.example OR participants:acme.example)"'
    assert refused.is_error and "neither an email address nor a domain" in refused.content[0].text
    assert len(graph.requests) == 1
