"""A third-party MCP server nobody here wrote — the reference 'everything' server from npm — added as a
user's further server: its tools are listed, called, audited, and reported by the status endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.models import AuditEntry, McpServer
from crm_app.services import integrations
from crm_app.services.errors import ValidationFailed
from crm_app.services.mcp_runtime import get_mcp_manager, servers_for_user
from tests.support import thirdparty
from tests.support.procs import free_port

API_KEY = "key-of-the-third-party-server"


@pytest.fixture(scope="module")
def everything_server(log_dir: Path) -> Iterator[str]:
    """`mcp-server-everything streamableHttp` on a free port; yields its MCP URL."""
    process = thirdparty.everything(log_dir)
    try:
        yield f"{process.url}/mcp"
    finally:
        process.stop()


async def test_an_added_third_party_server_gives_the_assistant_its_tools(stack, person, everything_server,
                                                                          runtime_cleanup):
    alice = person()
    added = await integrations.add_custom_server(alice.user.id, name="Everything", url=everything_server,
                                                 header_name="X-API-Key", header_value=API_KEY)
    with session_scope() as s:
        stored = s.exec(select(McpServer).where(McpServer.id == added.number)).one()
    assert API_KEY not in (stored.header_value_enc or "")
    servers = servers_for_user(alice.user.id)
    assert [server.id for server in servers] == [added.server_id]
    assert servers[0].headers == {"X-API-Key": API_KEY}

    manager = get_mcp_manager()
    listing = await manager.list_all_tools(alice.user.id, servers)
    names = {tool.name for tool in listing.tools}
    assert not listing.errors and {"echo", "get-sum"} <= names
    echoed = await manager.call_tool(alice.user.id, servers[0], "echo", {"message": "hello from crm_app"})
    assert echoed.ok and "hello from crm_app" in echoed.text
    summed = await manager.call_tool(alice.user.id, servers[0], "get-sum", {"a": 2, "b": 40})
    assert summed.ok and "42" in summed.text
    with session_scope() as s:
        audited = s.exec(select(AuditEntry).where(AuditEntry.user_id == alice.user.id)).all()
    assert [(entry.server_id, entry.tool, entry.outcome) for entry in audited] == [
        (added.server_id, "echo", "ok"), (added.server_id, "get-sum", "ok")]

    tested = await integrations.test_custom_server(alice.user.id, added.number)
    assert tested.ok and "Everything answered" in tested.message
    status = alice.browser.api("GET", "/api/v1/mcp/status").json()
    entry = status["servers"][added.server_id]
    assert entry["connected"] is True and "echo" in entry["tools"] and entry["tool_count"] == len(names)

    await integrations.set_custom_server_enabled(alice.user.id, added.number, False)
    assert servers_for_user(alice.user.id) == []
    assert alice.browser.api("GET", "/api/v1/mcp/status").json()["servers"] == {}
    await integrations.set_custom_server_enabled(alice.user.id, added.number, True)
    await integrations.remove_custom_server(alice.user.id, added.number)
    assert servers_for_user(alice.user.id) == []


async def test_a_server_that_is_not_running_is_reported_unavailable(stack, person, runtime_cleanup):
    alice = person()
    added = await integrations.add_custom_server(alice.user.id, name="Gone",
                                                 url=f"http://127.0.0.1:{free_port()}/mcp")
    result = await integrations.test_custom_server(alice.user.id, added.number)
    assert not result.ok and "not answering" in result.message
    views = await integrations.list_custom_servers(alice.user.id, live=True)
    assert views[0].server is not None and views[0].server.state == "unavailable"


async def test_bad_server_settings_are_explained_per_field(stack, person):
    alice = person()
    with pytest.raises(ValidationFailed) as info:
        await integrations.add_custom_server(alice.user.id, name="", url="ftp://example.com",
                                             header_name="", header_value="orphan")
    assert set(info.value.fields) == {"name", "url", "header_name"}
    with pytest.raises(ValidationFailed) as bad_header:
        await integrations.add_custom_server(alice.user.id, name="x", url="https://example.com/mcp",
                                             header_name="Content-Type", header_value="x")
    assert "header_name" in bad_header.value.fields


async def test_outside_the_demo_internal_addresses_are_refused_and_nothing_is_saved(stack, person, monkeypatch):
    from crm_app.services import url_policy
    from crm_app.settings import get_settings, reset_settings_cache

    alice = person()
    monkeypatch.setenv("APP_MODE", "production")
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", get_settings().token_encryption_keys or Fernet.generate_key().decode())
    reset_settings_cache()
    try:
        for url, reason in ((f"http://127.0.0.1:{free_port()}/mcp", "loopback"),
                            ("http://[::ffff:10.0.0.1]/mcp", "private"),
                            ("http://169.254.169.254/mcp", "link-local"),
                            ("http://localhost:8001/mcp", "loopback")):
            with pytest.raises(ValidationFailed) as refused:
                await integrations.add_custom_server(alice.user.id, name="Inside", url=url)
            assert set(refused.value.fields) == {"url"} and reason in refused.value.fields["url"]
        assert await integrations.list_custom_servers(alice.user.id) == []
        assert url_policy.current_policy().allow_internal is False
    finally:
        reset_settings_cache()


async def test_a_saved_server_is_checked_again_when_it_is_used(stack, person, everything_server, runtime_cleanup,
                                                               monkeypatch):
    """A server accepted once is not trusted for ever: when the policy no longer admits its address (here: an
    internal address, outside the demo), the assistant leaves it out and says why."""
    from crm_app.services.mcp_runtime import add_user_tools
    from crm_app.settings import get_settings, reset_settings_cache
    from crm_app.tools.base import ToolRegistry

    alice = person()
    added = await integrations.add_custom_server(alice.user.id, name="Everything", url=everything_server,
                                                 header_name="X-API-Key", header_value=API_KEY)
    server_id = f"custom-{added.number}"
    assert server_id in [s.id for s in servers_for_user(alice.user.id)]
    monkeypatch.setenv("APP_MODE", "production")
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", get_settings().token_encryption_keys or Fernet.generate_key().decode())
    reset_settings_cache()
    try:
        refused: dict[str, str] = {}
        assert server_id not in [s.id for s in servers_for_user(alice.user.id, refused)]
        assert list(refused) == [server_id] and "Everything is not used" in refused[server_id]
        assert "loopback" in refused[server_id] and API_KEY not in refused[server_id]
        registry = ToolRegistry()
        await add_user_tools(registry, alice.user.id)
        assert "echo" not in registry and server_id in registry.unavailable
    finally:
        monkeypatch.setenv("APP_MODE", "demo")
        reset_settings_cache()
    assert server_id in [s.id for s in servers_for_user(alice.user.id)]
