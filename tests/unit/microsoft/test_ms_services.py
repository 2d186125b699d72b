"""Integration use cases without a tool server: MCP switched off, tool areas, the assistant's server list."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_app.db import utcnow
from crm_app.mcp import MS365_SERVER_ID, ToolFlags, ToolInfo, ms365_server
from crm_app.microsoft import ReconnectRequired, store_grant
from crm_app.services import integrations
from crm_app.services.mcp_runtime import connection_hint, get_mcp_manager, servers_for_user, shutdown
from crm_app.settings import reset_settings_cache
from tests.unit.microsoft.conftest import grant


@pytest.fixture
def mcp_off(monkeypatch):
    monkeypatch.setenv("MCP_ENABLED", "false")
    reset_settings_cache()


def _tool(name: str, read_only: bool = True) -> ToolInfo:
    return ToolInfo(name=name, title=None, description="", input_schema={}, output_schema=None,
                    annotations=ToolFlags(read_only=read_only, destructive=not read_only), server_id="x")


@pytest.mark.parametrize(("name", "area"), [
    ("outlook_search_emails", "mail"), ("outlook_list_folders", "mail"), ("send-mail", "mail"),
    ("outlook_get_calendar_events", "calendar"), ("createEvent", "calendar"), ("onedrive_share_file", "files"),
    ("sharepoint_list_files", "sharepoint"), ("teams_post_message", "teams"), ("list-chats", "teams"),
    ("directory_find_people", "directory"), ("echo", "other"), ("get-sum", "other"),
])
def test_tools_of_any_server_are_grouped_by_area(name, area):
    assert integrations.tool_area(name) == area


def test_tool_views_are_ordered_by_area_with_read_write_flags():
    views = integrations.tool_views([_tool("echo"), _tool("teams_post_message", False), _tool("outlook_get_email")])
    assert [(v.name, v.area_label, v.read_only) for v in views] == [
        ("outlook_get_email", "Mail", True), ("teams_post_message", "Teams", False), ("echo", "Other tools", True)]


async def test_with_mcp_switched_off_nothing_is_offered_or_called(make_user, mcp_off):
    user = make_user()
    store_grant(user.id, grant("at", "rt", utcnow() + dt.timedelta(hours=1)))
    try:
        assert servers_for_user(user.id) == []
        assert await integrations.mcp_status(user.id) == {"enabled": False, "servers": {}}
        view = await integrations.ms365_view(user.id, live=True)
        assert view.status == "connected" and view.mcp_enabled is False and view.server is None
        assert "MCP_ENABLED=false" in connection_hint(user.id)
        manager = get_mcp_manager()
        server = ms365_server("http://127.0.0.1:9/mcp")
        assert (await manager.list_all_tools(user.id, [server])).tools == []
        outcome = await manager.call_tool(user.id, server, "outlook_search_emails", {})
        assert not outcome.ok and outcome.outcome == "disabled" and "MCP_ENABLED=false" in outcome.error_message
        tested = await integrations.test_ms365(user.id)
        assert not tested.ok and "MCP_ENABLED=false" in tested.message
    finally:
        await shutdown()


async def test_the_assistant_gets_microsoft_365_only_while_the_connection_is_usable(make_user):
    from crm_app.microsoft.vault import TokenVault

    user = make_user()
    assert servers_for_user(user.id) == []
    assert "isn't connected" in connection_hint(user.id)
    store_grant(user.id, grant("at", "rt", utcnow() - dt.timedelta(seconds=1)))
    assert [s.id for s in servers_for_user(user.id)] == [MS365_SERVER_ID]

    class Refusing:
        def refresh(self, refresh_token, scopes):
            raise ReconnectRequired("invalid_grant")

    with pytest.raises(ReconnectRequired):
        await TokenVault(Refusing()).get_token(user.id)
    assert servers_for_user(user.id) == []
    assert "Reconnect" in connection_hint(user.id)
    view = await integrations.ms365_view(user.id, live=True)
    assert view.status == "reconnect_needed" and view.server is None


def test_the_requested_scopes_follow_the_configured_areas(app_env, monkeypatch):
    monkeypatch.setenv("MS365_TOOL_AREAS", "mail")
    reset_settings_cache()
    scopes = integrations.requested_scopes()
    assert "Mail.Send" in scopes and "Files.ReadWrite" not in scopes and "ChannelMessage.Send" not in scopes
    monkeypatch.setenv("MS365_TOOL_AREAS", "mail,weather")
    reset_settings_cache()
    with pytest.raises(integrations.IntegrationError, match="MS365_TOOL_AREAS"):
        integrations.requested_scopes()
