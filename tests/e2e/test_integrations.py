"""Settings → Integrations in a real browser: connect Microsoft 365 through the sandbox's consent page,
see the tools, watch the status follow the MCP server going down and coming back, disconnect."""

from __future__ import annotations

import os
import re
import signal

from playwright.sync_api import expect

from tests.e2e.conftest import sign_up
from tests.e2e.test_chat import connect_ms365

T = 45_000
LIVE_STATUS_MS = 10_000
RECOVERY_MS = 30_000


def test_connect_see_tools_follow_server_status_and_disconnect(page, stack, unique_email):
    sign_up(page, stack, unique_email, name="Integrations Tester")
    page.click("#nav-settings")
    status = page.locator("#ms365-status")
    expect(status).to_have_text("Not connected", timeout=T)
    expect(page.locator("#ms365-requested-scopes")).to_contain_text("Mail.ReadWrite")

    page.click("#ms365-connect")
    page.wait_for_url(re.compile(r"/oauth2/v2\.0/authorize"), timeout=T)
    expect(page.get_by_text("Sign in to")).to_be_visible()
    page.check("#user-avery\\.chen")
    page.click("#consent-accept")
    page.wait_for_url(re.compile(r"/settings/?\?ms365=connected"), timeout=T)

    expect(status).to_have_text("Connected", timeout=T)
    expect(page.locator("#ms365-notice")).to_have_text("Microsoft 365 is connected.")
    expect(page.locator("#ms365-account")).to_contain_text("avery.chen@northwind.example")
    expect(page.locator("#ms365-since")).not_to_be_empty()
    expect(page.locator("#ms365-expires")).to_contain_text("in ")
    expect(page.locator("#ms365-scopes")).to_contain_text("offline_access")
    tools = page.locator("#ms365-tools")
    expect(tools.locator(".ms365-tool[data-tool='outlook_search_emails']")).to_have_attribute("data-access", "read")
    expect(tools.locator(".ms365-tool[data-tool='outlook_send_email']")).to_have_attribute("data-access", "write")
    for area in ("Mail", "Calendar", "OneDrive files", "SharePoint", "Teams", "People and groups"):
        expect(tools).to_contain_text(area)
    assert tools.locator(".ms365-tool").count() >= 15
    page_text = page.content()
    assert "sbx_at_" not in page_text and "sbx_rt_" not in page_text

    stack.mcp.stop()
    try:
        expect(status).to_have_text("Unavailable", timeout=LIVE_STATUS_MS)
        expect(page.locator("#ms365-error")).to_contain_text("not answering")
        # One status, one message: the outage view holds no trace of the earlier "connected" notice.
        expect(page.locator("#ms365-notice")).to_have_count(0)
        card = page.locator("#ms365-card")
        expect(card).not_to_contain_text("is connected")
        expect(card.locator("#ms365-status")).to_have_count(1)
        expect(card.locator("#ms365-error")).to_have_count(1)
        assert card.locator(".rt-CalloutRoot").count() == 1, "only the unavailable message is shown"
    finally:
        stack.mcp.start()
    expect(status).to_have_text("Connected", timeout=RECOVERY_MS)
    expect(tools.locator(".ms365-tool").first).to_be_visible()

    page.click("#ms365-test")
    expect(page.get_by_text(re.compile(r"Microsoft 365 answered .* with \d+ tools"))).to_be_visible(timeout=T)

    page.click("#ms365-disconnect")
    page.click("#ms365-disconnect-confirm")
    expect(status).to_have_text("Not connected", timeout=T)
    expect(page.locator("#ms365-connect")).to_be_visible()
    page.reload()
    expect(page.locator("#ms365-status")).to_have_text("Not connected", timeout=T)


def test_declined_consent_returns_to_settings_with_the_reason(page, stack, unique_email):
    sign_up(page, stack, unique_email, name="Declining Tester")
    page.click("#nav-settings")
    page.click("#ms365-connect")
    page.wait_for_url(re.compile(r"/oauth2/v2\.0/authorize"), timeout=T)
    page.click("#consent-decline")
    page.wait_for_url(re.compile(r"/settings/?\?ms365=declined"), timeout=T)
    expect(page.locator("#ms365-notice")).to_contain_text("declined", timeout=T)
    expect(page.locator("#ms365-status")).to_have_text("Not connected")


def test_further_mcp_server_add_test_toggle_remove(page, stack, unique_email):
    sign_up(page, stack, unique_email, name="Servers Tester")
    page.click("#nav-settings")
    expect(page.locator("#mcp-servers-empty")).to_be_visible(timeout=T)
    page.fill("#mcp-add-name", "")
    page.fill("#mcp-add-url", "ftp://nowhere")
    page.click("#mcp-add-submit")
    expect(page.locator("#error-name")).to_be_visible(timeout=T)
    expect(page.locator("#error-url")).to_contain_text("http")

    page.fill("#mcp-add-name", "Second MS365")
    page.fill("#mcp-add-url", f"{stack.mcp.url}/mcp")
    page.fill("#mcp-add-header_name", "X-API-Key")
    page.fill("#mcp-add-header_value", "not-shown-again")
    page.click("#mcp-add-submit")
    server = page.locator(".mcp-server[data-name='Second MS365']")
    expect(server).to_be_visible(timeout=T)
    expect(server).to_contain_text("X-API-Key")
    assert "not-shown-again" not in page.content()
    badge = server.locator("[id^='mcp-status-']")
    expect(badge).to_have_text("Connected", timeout=T)
    expect(server.locator("[id^='mcp-tools-']")).to_contain_text("outlook_search_emails")

    server.locator("[id^='mcp-toggle-']").click()
    expect(badge).to_have_text("Turned off", timeout=T)
    server.locator("[id^='mcp-toggle-']").click()
    expect(badge).not_to_have_text("Turned off", timeout=T)

    server.locator("[id^='mcp-remove-']").click()
    page.click("#mcp-remove-confirm")
    expect(page.locator("#mcp-servers-empty")).to_be_visible(timeout=T)


def test_a_test_click_stalled_on_the_server_leaves_the_tab_free_for_other_events(page, stack, unique_email):
    sign_up(page, stack, unique_email, name="Stalled Tester")
    connect_ms365(page, stack)
    test_button = page.locator("#ms365-test")
    expect(test_button).to_be_enabled()

    os.kill(stack.mcp.proc.pid, signal.SIGSTOP)  # the server accepts connections but answers nothing
    try:
        page.click("#ms365-test")
        expect(test_button).to_be_disabled(timeout=5_000)
        page.click("#ms365-disconnect")
        expect(page.locator("#ms365-disconnect-confirm")).to_be_visible(timeout=5_000)
        # The dialog opened while the check was still waiting on the server.
        expect(test_button).to_be_disabled()
        page.click("#ms365-disconnect-cancel")
        expect(page.locator("#ms365-disconnect-confirm")).to_have_count(0)
        expect(page.locator("#ms365-status")).to_have_text("Unavailable", timeout=T)
        expect(test_button).to_be_enabled(timeout=T)
    finally:
        os.kill(stack.mcp.proc.pid, signal.SIGCONT)
    expect(page.locator("#ms365-status")).to_have_text("Connected", timeout=RECOVERY_MS)
    page.click("#ms365-test")
    expect(page.get_by_text(re.compile(r"Microsoft 365 answered .* with \d+ tools"))).to_be_visible(timeout=T)
