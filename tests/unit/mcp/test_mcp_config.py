"""Tool server settings and tool metadata."""

from __future__ import annotations

import mcp_types
import pytest

from crm_app.mcp.config import MS365_SERVER_ID, ServerConfig, custom_server, ms365_server
from crm_app.mcp.errors import InvalidServerConfig
from crm_app.mcp.results import SharedTools, ToolFlags, ToolInfo


def test_ms365_server_uses_the_users_bearer_token() -> None:
    server = ms365_server("http://127.0.0.1:8001/mcp")
    assert (server.id, server.name, server.auth, dict(server.headers)) == (
        MS365_SERVER_ID,
        "Microsoft 365",
        "ms365_bearer",
        {},
    )


def test_custom_server_with_and_without_a_header() -> None:
    keyed = custom_server(
        3, name="Search", url=" https://search.example.com/mcp ", header_name="X-API-Key", header_value=" k "
    )
    plain = custom_server(4, name="Docs", url="https://docs.example.com/mcp")
    assert (keyed.id, keyed.auth, dict(keyed.headers), keyed.url) == (
        "custom-3",
        "static_headers",
        {"X-API-Key": "k"},
        "https://search.example.com/mcp",
    )
    assert (plain.id, plain.auth, dict(plain.headers)) == ("custom-4", "none", {})


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"url": "ftp://example.com/mcp"}, "must be a full http:// or https:// URL"),
        ({"url": "example.com/mcp"}, "must be a full http:// or https:// URL"),
        ({"name": " "}, "needs a name"),
        ({"id": ""}, "needs an id"),
        ({"auth": "oauth"}, "unknown sign-in mode"),
        ({"headers": {"X Key": "v"}}, "cannot be used"),
        ({"headers": {"Content-Type": "v"}}, "cannot be used"),
        ({"headers": {"X-Key": "a\r\nInjected: 1"}}, "must be one line of text"),
    ],
)
def test_invalid_settings_are_refused_with_a_fix(kwargs: dict, fragment: str) -> None:
    base = {"id": "custom-1", "name": "Search", "url": "https://example.com/mcp"}
    with pytest.raises(InvalidServerConfig, match=fragment):
        ServerConfig(**{**base, **kwargs})


def test_headers_are_copied_hidden_from_repr_and_shape_the_fingerprint() -> None:
    headers = {"X-API-Key": "secret-value"}
    server = ServerConfig(
        id="custom-1", name="S", url="https://example.com/mcp", auth="static_headers", headers=headers
    )
    headers["X-API-Key"] = "changed"

    assert server.headers["X-API-Key"] == "secret-value"
    assert "secret-value" not in repr(server)
    other = ServerConfig(
        id="custom-1", name="S", url="https://example.com/mcp", auth="static_headers", headers={"X-API-Key": "other"}
    )
    renamed = ServerConfig(
        id="custom-1",
        name="Renamed",
        url="https://example.com/mcp",
        auth="static_headers",
        headers={"X-API-Key": "secret-value"},
    )
    assert server.fingerprint != other.fingerprint
    assert server.fingerprint == renamed.fingerprint
    assert len({server, other, server}) == 2


def test_tool_flags_follow_the_mcp_defaults() -> None:
    assert ToolFlags.from_annotations(None) == ToolFlags(
        read_only=False, destructive=True, idempotent=False, open_world=True
    )
    read_only = ToolFlags.from_annotations(mcp_types.ToolAnnotations(read_only_hint=True))
    assert read_only.read_only and not read_only.destructive and read_only.replay_safe
    gentle = ToolFlags.from_annotations(
        mcp_types.ToolAnnotations(destructive_hint=False, idempotent_hint=True, open_world_hint=False)
    )
    assert not gentle.destructive and gentle.idempotent and gentle.replay_safe and not gentle.open_world
    assert not ToolFlags.from_annotations(mcp_types.ToolAnnotations()).replay_safe


def test_tool_info_from_an_mcp_tool() -> None:
    tool = mcp_types.Tool(
        name="search_mail",
        description="Search mail",
        input_schema={"type": "object", "properties": {"q": {"type": "string"}}},
        annotations=mcp_types.ToolAnnotations(title="Search mail", read_only_hint=True),
    )
    info = ToolInfo.from_mcp(tool, "ms365")
    assert (info.name, info.title, info.description, info.server_id, info.output_schema) == (
        "search_mail",
        "Search mail",
        "Search mail",
        "ms365",
        None,
    )
    assert info.annotations.read_only


def _listed_tool(description: str = "Search mail") -> mcp_types.Tool:
    return mcp_types.Tool.model_validate_json(
        '{"name": "search_mail", "description": "%s", "inputSchema": {"type": "object", "properties": '
        '{"q": {"type": "string"}}}, "annotations": {"readOnlyHint": true}}' % description)


def test_users_of_a_server_share_one_tool_info_per_identical_tool() -> None:
    import gc

    shared = SharedTools()
    first = shared.info(_listed_tool(), "ms365")
    again = shared.info(_listed_tool(), "ms365")
    assert again is first and len(shared) == 1
    assert shared.info(_listed_tool(), "other-server") is not first
    changed = shared.info(_listed_tool("Search the mailbox"), "ms365")
    assert changed is not first and changed.description == "Search the mailbox"
    assert first == ToolInfo.from_mcp(_listed_tool(), "ms365")
    del first, again, changed
    gc.collect()
    assert len(shared) == 0  # nothing holds them any more: they are not kept
