"""Hostile or odd input that once got through the MS365 MCP server or the sandbox's Graph, one case each."""

from __future__ import annotations

from typing import Any

import pytest

from tests.faults.support import tool_text as text_of
from tests.integration.ms365_mcp.harness import ALL_SCOPES, Mcp, Sandbox


@pytest.fixture(scope="module")
def token(graph: Sandbox) -> str:
    return graph.token(scopes=ALL_SCOPES)


@pytest.mark.parametrize("query", ["avery OR *", "avery AND NOT x", "OR", "avery) OR (mail:*"])
async def test_directory_search_words_that_look_like_operators_are_searched_as_words(mcp_server: Mcp, graph: Sandbox,
                                                                                       token: str, query: str):
    before = graph.stats()["statuses"].get("400", 0)
    result = await mcp_server.call(token, "directory_find_people", {"query": query})
    assert not result.is_error, text_of(result)
    assert graph.stats()["statuses"].get("400", 0) == before
    assert result.structured_content == {"people": [], "count": 0}, "operators in the words never widen the search"


@pytest.mark.parametrize("tool,arguments", [
    ("sharepoint_list_sites", {"query": ""}),
    ("sharepoint_list_sites", {"query": "   "}),
    ("outlook_create_calendar_event", {"subject": "Blank extras", "start": "2025-06-17T10:00:00",
                                       "end": "2025-06-17T10:30:00", "location": " ", "body": ""}),
    ("onedrive_share_file", {"recipients": ["drill@example.com"], "path": "Budget 2025.xlsx", "message": ""}),
])
async def test_blank_optional_text_means_not_given(mcp_server: Mcp, token: str, tool: str, arguments: dict):
    result = await mcp_server.call(token, tool, arguments)
    text = text_of(result)
    assert "failed unexpectedly" not in text and '"InternalError"' not in text, text


@pytest.mark.parametrize("tool,argument,limit", [("sharepoint_list_sites", "query", 255),
                                                 ("onedrive_share_file", "message", 2000)])
async def test_optional_text_over_its_limit_is_a_validation_error(mcp_server: Mcp, token: str, tool: str,
                                                                  argument: str, limit: int):
    arguments: dict[str, Any] = {argument: "x" * (limit + 1)}
    if tool == "onedrive_share_file":
        arguments |= {"recipients": ["drill@example.com"], "path": "Budget 2025.xlsx"}
    result = await mcp_server.call(token, tool, arguments)
    assert result.is_error and f"at most {limit}" in text_of(result)


@pytest.mark.parametrize("tool,arguments", [
    ("outlook_get_email", {"message_id": "."}),
    ("outlook_get_email", {"message_id": ".."}),
    ("onedrive_read_file", {"item_id": ".."}),
    ("sharepoint_list_files", {"site_id": ".."}),
    ("teams_list_channels", {"team_id": "."}),
])
async def test_a_dot_id_is_refused_before_it_can_address_another_resource(mcp_server: Mcp, graph: Sandbox,
                                                                           token: str, tool: str, arguments: dict):
    before = graph.stats()["requests_total"]
    result = await mcp_server.call(token, tool, arguments)
    assert result.is_error and "names no Microsoft 365 item" in text_of(result)
    assert graph.stats()["requests_total"] == before + 1, "only this check's own stats read reached the sandbox"


@pytest.mark.parametrize("argument", ["query", "sender", "folder"])
async def test_a_search_too_long_for_a_url_is_a_validation_error(mcp_server: Mcp, token: str, argument: str):
    result = await mcp_server.call(token, "outlook_search_emails", {argument: "a" * 70_000})
    assert result.is_error
    assert '"ValidationError"' in text_of(result) and "Shorten" in text_of(result)


def test_the_sandbox_refuses_an_unpaired_surrogate_and_its_mailbox_keeps_working(graph: Sandbox):
    import httpx

    raw = (b'{"user":"avery.chen@northwind.example","from":{"name":"X","address":"x@evil.example"},'
           b'"subject":"surrogate \\ud800 probe","body":"text"}')
    answer = httpx.post(f"{graph.process.url}/_admin/messages", content=raw,
                        headers={"content-type": "application/json"}, timeout=30)
    assert answer.status_code == 400 and "surrogate" in answer.json()["error"]["message"]
    search = httpx.get(f"{graph.graph_url}/me/messages", params={"$search": '"probe"', "$top": "5"},
                       headers={"Authorization": f"Bearer {graph.token()}"}, timeout=30)
    assert search.status_code == 200
