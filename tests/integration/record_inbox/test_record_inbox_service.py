"""A record's mail and meetings through the real stack: the sandbox, the MS365 MCP server and the app's services."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import httpx

from tests.integration.assistant.conftest import NOW

RECOVERY_SECONDS = 30.0


def clock() -> dt.datetime:
    return dt.datetime.fromisoformat(NOW)


async def reader_with_calls(user):
    """A reader over the user's real registry that records each tool call it makes."""
    from crm_app.services import mcp_runtime
    from crm_app.services.record_inbox import InboxReader
    from crm_app.tools.base import ToolRegistry

    registry = ToolRegistry()
    await mcp_runtime.add_user_tools(registry, user.id)
    calls: list[tuple[str, dict]] = []
    original = registry.execute

    async def recording(name, ctx, arguments):
        calls.append((name, dict(arguments)))
        return await original(name, ctx, arguments)

    registry.execute = recording  # type: ignore[method-assign]
    return InboxReader(user, registry=registry, clock=clock), calls


def people_of(card: dict[str, str]) -> str:
    return f"{card['from_address']} {card['to']}".lower()


def contact_id(name: str) -> int:
    from crm_app.services import crm

    found = crm.find_contacts(name)
    assert len(found) == 1
    return found[0]["id"]


async def test_contact_shows_only_mail_and_meetings_with_its_addresses(avery):
    from crm_app.services.record_inbox import PAGE_SIZE, InboxStatus

    reader, calls = await reader_with_calls(avery.user)
    view = await reader.view("contact", contact_id("John Smith"))
    assert view.status is InboxStatus.READY and view.message == ""
    assert sorted(name for name, _ in calls) == ["outlook_get_calendar_events", "outlook_search_emails"]
    search = dict(calls)["outlook_search_emails"]
    assert search["participants"] == ["john.smith@acme.example"]
    assert "sender" not in search and "query" not in search

    assert len(view.emails) == PAGE_SIZE and view.has_more
    assert all("john.smith@acme.example" in people_of(c) for c in view.emails)
    # exchanged both ways: mail he sent and mail sent to him
    assert {c["from_address"] for c in view.emails} >= {"john.smith@acme.example", "avery.chen@northwind.example"}
    assert [c["date"] for c in view.emails] == sorted((c["date"] for c in view.emails), reverse=True)
    assert {c["body_kind"] for c in view.emails} <= {"preview", "empty"}
    # a preview says "Full body" only when nothing of the email was cut
    assert all(c["body_label"] == {"empty": "No body text"}.get(
        c["body_kind"], "Preview · truncated" if c["body_truncated"] else "Full body") for c in view.emails)
    assert all(c["link"].startswith("http") for c in view.emails)

    now = clock()
    assert view.upcoming and view.past
    for card in view.upcoming + view.past:
        assert "john.smith@acme.example" in f"{card['attendees']} {card['organizer']}".lower()
    assert all(dt.datetime.fromisoformat(c["start"]) >= now for c in view.upcoming)
    assert all(dt.datetime.fromisoformat(c["start"]) < now for c in view.past)
    starts = [dt.datetime.fromisoformat(c["start"]) for c in view.upcoming]
    assert starts == sorted(starts)


async def test_pages_follow_on_without_repeating(avery):
    from crm_app.services.record_inbox import PAGE_SIZE, InboxStatus

    reader, _ = await reader_with_calls(avery.user)
    record = contact_id("John Smith")
    first = await reader.view("contact", record, 1)
    second = await reader.view("contact", record, 2)
    assert second.status is InboxStatus.READY and second.page == 2
    assert second.emails and len(second.emails) <= PAGE_SIZE
    assert not {c["id"] for c in first.emails} & {c["id"] for c in second.emails}
    assert first.emails[-1]["date"] >= second.emails[0]["date"]
    assert all("john.smith@acme.example" in people_of(c) for c in second.emails)


async def test_company_reads_its_contacts_addresses_and_its_domain(avery):
    from crm_app.services import crm
    from crm_app.services.record_inbox import InboxStatus

    company = crm.find_company_by_name("Acme Corporation")
    reader, calls = await reader_with_calls(avery.user)
    view = await reader.view("company", company["id"])
    assert view.status is InboxStatus.READY
    participants = dict(calls)["outlook_search_emails"]["participants"]
    assert set(participants) == {"john.smith@acme.example", "maria.garcia@acme.example", "m.garcia@acme.example",
                                 "acme.example"}
    assert view.emails and all("@acme.example" in people_of(c) for c in view.emails)
    assert not any("@globex.example" in people_of(c) and "@acme.example" not in people_of(c) for c in view.emails)


async def test_deal_reads_its_contact_and_company(avery):
    from crm_app.services import crm
    from crm_app.services.record_inbox import record_addresses

    deal = next(d for d in crm.find_deals("Acme plant expansion"))
    who = await asyncio.to_thread(record_addresses, "deal", deal["id"])
    assert who.addresses[0] == "john.smith@acme.example"
    assert set(who.addresses) == {"john.smith@acme.example", "maria.garcia@acme.example", "m.garcia@acme.example"}
    assert who.domains == ("acme.example",)


async def test_full_body_on_request(avery):
    reader, calls = await reader_with_calls(avery.user)
    view = await reader.view("contact", contact_id("John Smith"))
    calls.clear()
    full = await reader.full_email(view.emails[0]["id"])
    assert calls == [("outlook_get_email", {"message_id": view.emails[0]["id"]})]
    assert full["id"] == view.emails[0]["id"] and full["body_kind"] in ("full", "empty")
    assert full["body_label"] in ("Full body", "No body text")


async def test_record_without_addresses_asks_no_tool(avery):
    from crm_app.services import crm
    from crm_app.services.record_inbox import InboxStatus

    bare = crm.create_contact({"first_name": "No", "last_name": "Address"}, avery.user.id)
    reader, calls = await reader_with_calls(avery.user)
    view = await reader.view("contact", bare["id"])
    assert view.status is InboxStatus.NO_ADDRESSES and "no email addresses" in view.message
    assert calls == [] and view.emails == []


async def test_not_connected_says_so_and_calls_nothing(avery):
    from crm_app.services import auth
    from crm_app.services.record_inbox import InboxReader, InboxStatus
    from crm_app.tools.base import ToolRegistry

    auth.sign_up("nomail@example.com", "long enough pw", "No Mail", "Europe/London")
    user, _ = auth.sign_in("nomail@example.com", "long enough pw")
    registry = ToolRegistry()
    view = await InboxReader(user, registry=registry, clock=clock).view("contact", contact_id("John Smith"))
    assert view.status is InboxStatus.NOT_CONNECTED
    assert "isn't connected" in view.message and "Settings" in view.message
    assert view.emails == [] and view.upcoming == [] and view.past == []


async def test_lapsed_connection_says_reconnect(avery):
    from crm_app.services.record_inbox import InboxReader, InboxStatus

    revoked = httpx.post(f"{avery.sandbox.url}/_admin/revoke", json={"user": "avery.chen@northwind.example"}, timeout=10)
    revoked.raise_for_status()
    view = await InboxReader(avery.user, clock=clock).view("contact", contact_id("John Smith"))
    assert view.status is InboxStatus.RECONNECT and "Settings" in view.message
    assert view.emails == []
    again = await InboxReader(avery.user, clock=clock).view("contact", contact_id("John Smith"))
    assert again.status is InboxStatus.RECONNECT


async def test_stopped_mcp_server_is_a_failure_not_an_empty_list_then_recovers(avery):
    from crm_app.services.record_inbox import InboxReader, InboxStatus

    record = contact_id("John Smith")
    avery.mcp.stop()
    try:
        view = await InboxReader(avery.user, clock=clock).view("contact", record)
        assert view.status is InboxStatus.FAILED
        assert view.message and view.emails == [] and view.upcoming == [] and view.past == []
    finally:
        avery.mcp.start()
    deadline = time.monotonic() + RECOVERY_SECONDS
    while (view := await InboxReader(avery.user, clock=clock).view("contact", record)).status is not InboxStatus.READY:
        assert view.status is InboxStatus.FAILED
        assert time.monotonic() < deadline, f"still failing after the server came back: {view.message}"
        await asyncio.sleep(0.5)
    assert view.emails


async def test_log_to_crm_files_on_the_contact_once(avery):
    from crm_app.services import crm
    from crm_app.services.record_inbox import InboxReader, log_email

    record = contact_id("John Smith")
    view = await InboxReader(avery.user, clock=clock).view("contact", record)
    card = view.emails[0]
    first = await log_email(avery.user, "contact", record, card)
    assert first.ok and first.data["status"] == "logged"
    again = await log_email(avery.user, "contact", record, card)
    assert again.ok and again.data["status"] == "already_logged"
    logged = [a for a in crm.timeline(contact_id=record) if a["kind"] == "email"]
    assert [a["subject"] for a in logged] == [card["title"]]
