"""Settings → Tool discovery in a real browser: after connecting Microsoft 365, the report shows which
tool serves each capability, how sure the choice is, and what could not be mapped."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import sign_up
from tests.e2e.test_chat import T, connect_ms365


def test_the_discovery_report_lists_tools_confidence_and_gaps(page, stack, unique_email):
    sign_up(page, stack, unique_email, name="Discovery Tester")
    connect_ms365(page, stack)
    report = page.locator("#discovery-report")
    expect(report.locator(".discovery-server")).to_have_count(0)
    page.click("#discovery-load")
    server = report.locator(".discovery-server")
    expect(server).to_have_count(1, timeout=T)
    expect(server).to_contain_text("Microsoft 365")
    mapped = server.locator(".discovery-mapped")
    search = mapped.locator("tr", has_text="Search mail")
    expect(search).to_contain_text("outlook_search_emails")
    expect(search).to_contain_text("sure")
    expect(mapped.locator("tr", has_text="Show the calendar")).to_contain_text("outlook_get_calendar_events")
    expect(server.locator(".discovery-unmapped")).to_contain_text("Find the user's drive")
    expect(page.locator("#discovery-error")).to_have_count(0)
