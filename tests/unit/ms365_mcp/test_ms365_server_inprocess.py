from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

EXPECTED_TOOLS = {
    "outlook_search_emails": True,
    "outlook_get_email": True,
    "outlook_list_folders": True,
    "outlook_create_draft": False,
    "outlook_send_email": False,
    "outlook_reply_email": False,
    "outlook_forward_email": False,
    "outlook_get_calendar_events": True,
    "outlook_create_calendar_event": False,
    "outlook_find_meeting_times": True,
    "onedrive_list_files": True,
    "onedrive_recent_files": True,
    "onedrive_search_files": True,
    "onedrive_read_file": True,
    "onedrive_share_file": False,
    "sharepoint_list_sites": True,
    "sharepoint_list_files": True,
    "sharepoint_search_files": True,
    "teams_list_teams": True,
    "teams_list_channels": True,
    "teams_read_channel_messages": True,
    "teams_post_message": False,
    "directory_find_people": True,
}


def error_of(result: Any) -> dict[str, Any]:
    assert result.is_error
    first_line = result.content[0].text.splitlines()[0]
    return json.loads(first_line)["error"]


async def test_every_tool_is_listed_with_schemas_and_annotations(mcp_server) -> None:
    async with mcp_server() as mcp_session:
        async with mcp_session() as session:
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert set(tools) == set(EXPECTED_TOOLS)
        for name, read_only in EXPECTED_TOOLS.items():
            tool = tools[name]
            assert tool.annotations.read_only_hint is read_only, name
            assert tool.annotations.destructive_hint is False, name
            assert tool.output_schema and tool.output_schema["type"] == "object", name
            assert tool.input_schema["type"] == "object", name
            assert len(tool.description) > 80, name
        assert "255-character" in tools["outlook_search_emails"].description
        assert "outlook_get_email" in tools["outlook_search_emails"].description


async def test_missing_token_is_an_authentication_error(mcp_server, graph) -> None:
    async with mcp_server() as mcp_session:
        async with mcp_session(token=None) as session:
            result = await session.call_tool("outlook_list_folders", {})
        error = error_of(result)
        assert (error["code"], error["status"]) == ("InvalidAuthenticationToken", 401)
        assert "Authorization: Bearer" in error["message"]
        assert graph.requests == []


async def test_invalid_arguments_name_the_field(mcp_server, graph) -> None:
    async with mcp_server() as mcp_session:
        async with mcp_session() as session:
            too_many = await session.call_tool("outlook_search_emails", {"top": 500})
            bad_date = await session.call_tool("outlook_get_calendar_events", {"start": "next week"})
            bad_address = await session.call_tool("outlook_send_email", {"to": ["not-an-address"], "subject": "s",
                                                                          "body": "b"})
            reversed_range = await session.call_tool("outlook_search_emails", {"start": "2025-03-02",
                                                                                "end": "2025-03-01"})
        assert error_of(too_many)["code"] == "ValidationError"
        assert "'top'" in error_of(too_many)["message"]
        assert "'start'" in error_of(bad_date)["message"]
        assert "'to.0'" in error_of(bad_address)["message"]
        assert "'end'" in error_of(reversed_range)["message"]
        assert graph.requests == []


async def test_graph_errors_become_tool_errors(mcp_server, graph) -> None:
    async with mcp_server() as mcp_session:
        graph.handler = lambda r: httpx.Response(500, json={"error": {"code": "InternalServerError", "message": "x"}})
        async with mcp_session() as session:
            result = await session.call_tool("teams_list_teams", {})
        error = error_of(result)
        assert (error["code"], error["status"]) == ("GraphUnavailable", 500)
        assert "Try again" in error["message"]


async def test_concurrent_users_keep_their_own_tokens(mcp_server, graph) -> None:
    async with mcp_server() as mcp_session:
        def handler(request: httpx.Request) -> httpx.Response:
            token = request.headers["authorization"].removeprefix("Bearer ")
            return httpx.Response(200, json={"value": [{"id": token, "displayName": f"team of {token}"}]})

        graph.handler = handler

        async def as_user(token: str) -> list[str]:
            async with mcp_session(token=token) as session:
                results = await asyncio.gather(*(session.call_tool("teams_list_teams", {}) for _ in range(5)))
            return [team["id"] for r in results for team in r.structured_content["teams"]]

        seen = await asyncio.gather(*(as_user(f"user-{n}") for n in range(4)))
        for n, ids in enumerate(seen):
            assert ids == [f"user-{n}"] * 5


async def test_non_text_file_is_refused(mcp_server, graph) -> None:
    async with mcp_server() as mcp_session:
        graph.handler = lambda r: httpx.Response(200, json={
            "id": "f1", "name": "Q4.xlsx", "size": 100, "webUrl": "https://files.test/Q4.xlsx",
            "file": {"mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        })
        async with mcp_session() as session:
            result = await session.call_tool("onedrive_read_file", {"item_id": "f1"})
        error = error_of(result)
        assert error["code"] == "NotTextFile"
        assert "not a text file" in error["message"] and "https://files.test/Q4.xlsx" in error["message"]
        assert [r.url.path for r in graph.requests] == ["/v1.0/me/drive/items/f1"]


async def test_text_file_is_read_and_capped(mcp_server, graph) -> None:
    async with mcp_server() as mcp_session:
        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/content"):
                return httpx.Response(302, headers={"Location": "https://download.test/blob/notes"})
            if request.url.host == "download.test":
                assert "authorization" not in request.headers
                return httpx.Response(200, content=("line\n" * 1000).encode(), headers={"Content-Type": "text/plain"})
            return httpx.Response(
                200, json={"id": "n1", "name": "notes.txt", "size": 5000, "file": {"mimeType": "text/plain"}}
            )

        graph.handler = handler
        async with mcp_session() as session:
            result = await session.call_tool("onedrive_read_file", {"item_id": "n1", "max_chars": 100})
        data = result.structured_content
        assert not result.is_error
        assert data["content"] == ("line\n" * 20)
        assert data["truncated"] is True
        assert data["content_kind"] == "text"
        assert data["file"]["name"] == "notes.txt"


async def test_a_crash_is_reported_without_its_details(mcp_server, caplog) -> None:
    def add_broken_tool(server) -> None:
        @server.tool(name="broken")
        async def broken() -> dict:
            raise RuntimeError("internal detail Bearer secret-in-exception")

    async with mcp_server(add_broken_tool) as mcp_session, mcp_session() as session:
        result = await session.call_tool("broken", {})
        unknown = await session.call_tool("no_such_tool", {})
    error = error_of(result)
    assert (error["code"], error["status"]) == ("InternalError", 500)
    assert "internal detail" not in result.content[0].text
    assert any(record.exc_info for record in caplog.records if "crashed" in record.getMessage())
    assert error_of(unknown)["code"] == "UnknownTool"
