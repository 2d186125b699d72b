"""Hostile or odd input that once got through the MS365 MCP server or the sandbox's Graph, one case each."""

from __future__ import annotations

import pytest

from tests.integration.ms365_mcp.harness import ALL_SCOPES, Mcp, Sandbox


@pytest.fixture(scope="module")
def token(graph: Sandbox) -> str:
    return graph.token(scopes=ALL_SCOPES)


@pytest.mark.parametrize("query", ["avery OR *", "avery AND NOT x", "OR", "avery) OR (mail:*"])
async def test_directory_search_words_that_look_like_operators_are_searched_as_words(mcp_server: Mcp, graph: Sandbox,
                                                                                       token: str, query: str):
    before = graph.stats()["statuses"].get("400", 0)
    result = await mcp_server.call(token, "directory_find_people", {"query": query})
    assert not result.is_error, result.content[0].text
    assert graph.stats()["statuses"].get("400", 0) == before
    assert result.structured_content == {"people": [], "count": 0}, "operators in the words never widen the search"
