"""Faults in a real browser: the MCP server dies in the middle of a turn, and the browser's websocket drops
while an answer streams. The user sees what happened, nothing said is lost, and the page carries on without a
reload."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.e2e.conftest import sign_up
from tests.faults.browser import SocketCutter, T, ask, grant_ms365, send
from tests.faults.support import AVERY, SandboxAdmin

SLOW_GRAPH_MS = 4000
SAVE_TIMEOUT = 30.0


def in_flight(admin: SandboxAdmin) -> None:
    deadline = time.monotonic() + SAVE_TIMEOUT
    while not admin.stats()["in_flight"].get(AVERY):
        assert time.monotonic() < deadline, "the mail search never reached the sandbox"
        time.sleep(0.05)


def saved_answers(email: str) -> list[dict]:
    """The assistant messages stored for the user's latest conversation (read from the app's database)."""
    from sqlmodel import select

    from crm_app.db import session_scope
    from crm_app.models import User
    from crm_app.services import conversations

    with session_scope() as s:
        user_id = s.exec(select(User.id).where(User.email == email)).one()
    assert user_id is not None
    latest = conversations.list_for_user(user_id)[0]
    return [m for m in conversations.messages(user_id, latest["id"]) if m["role"] == "assistant"]


def wait_saved(email: str, count: int) -> list[dict]:
    deadline = time.monotonic() + SAVE_TIMEOUT
    while len(answers := saved_answers(email)) < count:
        assert time.monotonic() < deadline, f"the answer was not saved within {SAVE_TIMEOUT} s"
        time.sleep(0.1)
    return answers


def chat_with_mailbox(page, stack, email: str, name: str, mailbox: str = AVERY) -> SandboxAdmin:
    """A new account with ``mailbox`` connected, on the chat page; the sandbox's admin API."""
    sign_up(page, stack, email, name=name)
    grant_ms365(email, stack.sandbox, mailbox)
    page.click("#nav-chat")
    return SandboxAdmin(stack.sandbox.url)


def test_mcp_server_killed_mid_turn_then_retry_works_without_a_reload(page, stack, unique_email):
    admin = chat_with_mailbox(page, stack, unique_email, "Kill Tester")
    first = ask(page, "What's on my calendar this week?")
    expect(first).to_have_attribute("data-status", "done")

    admin.fault(latency_ms=SLOW_GRAPH_MS, burst=1, path_prefix="/v1.0/me/messages")
    answer = send(page, "Show me emails from John Smith")
    expect(answer.locator(".progress-chip")).to_contain_text("Searching your mail", timeout=T)
    in_flight(admin)
    stack.mcp.proc.kill()
    stack.mcp.stop()
    try:
        expect(answer).to_have_attribute("data-status", "failed", timeout=T)
        error = answer.locator(".card-error")
        expect(error).to_contain_text("not answering")
        expect(answer.locator(".card-email")).to_have_count(0)
        expect(page.locator(".user-message")).to_have_count(2)
        expect(page.locator(".assistant-message").first).to_have_attribute("data-status", "done")
    finally:
        admin.clear_faults()
        stack.mcp.start()

    error.locator(".retry").click()
    again = page.locator(".assistant-message").last
    expect(again).to_have_attribute("data-status", "done", timeout=T)
    expect(again.locator(".card-email").first).to_be_visible()
    expect(page.locator(".user-message")).to_have_count(3)
    assert [m["status"] for m in saved_answers(unique_email)] == ["done", "failed", "done"]


def test_websocket_dropped_mid_stream_keeps_the_conversation(page, stack, unique_email):
    cutter = SocketCutter(page).install()
    admin = chat_with_mailbox(page, stack, unique_email, "Drop Tester")
    ask(page, "What's on my calendar this week?")

    admin.fault(latency_ms=SLOW_GRAPH_MS, burst=1, path_prefix="/v1.0/me/messages")
    answer = send(page, "Show me emails from John Smith")
    expect(answer.locator(".progress-chip")).to_contain_text("Searching your mail", timeout=T)
    expect(answer).to_have_attribute("data-status", "working")
    opened = cutter.opened
    cutter.cut()
    expect(answer).to_have_attribute("data-status", "done", timeout=T)
    assert cutter.opened > opened, "the page reconnected on a new socket"
    expect(answer.locator(".card-email").first).to_be_visible()
    subjects = answer.locator(".email-subject").all_inner_texts()

    follow = ask(page, "what does the first one say?")
    expect(follow.locator(".card-email .body-label")).to_have_text(re.compile("Full body|No body text"))
    expect(follow.locator(".email-subject")).to_have_text(subjects[0])

    page.reload()
    expect(page.locator(".user-message")).to_have_count(3, timeout=T)
    expect(page.locator(".assistant-message").nth(1).locator(".email-subject")).to_have_text(subjects)


def test_the_answer_that_finished_while_offline_is_there_after_reconnect(page, stack, unique_email):
    cutter = SocketCutter(page).install()
    admin = chat_with_mailbox(page, stack, unique_email, "Offline Tester")
    admin.fault(latency_ms=SLOW_GRAPH_MS // 2, burst=1, path_prefix="/v1.0/me/messages")
    answer = send(page, "Show me emails from the last 3 days")
    expect(answer).to_have_attribute("data-status", "working", timeout=T)
    page.context.set_offline(True)
    try:
        cutter.cut()
        stored = wait_saved(unique_email, 1)[-1]
        assert stored["status"] == "done" and stored["cards"]
        expect(answer).to_have_attribute("data-status", "working")
    finally:
        page.context.set_offline(False)
    expect(answer).to_have_attribute("data-status", "done", timeout=T)
    expect(answer.locator(".card-email")).to_have_count(len(stored["cards"]))
    expect(page.locator("#chat-send")).to_be_enabled()


def test_a_revoked_sign_in_says_reconnect_needed_in_chat_and_settings(page, stack, unique_email):
    admin = chat_with_mailbox(page, stack, unique_email, "Revoked Tester", "jordan.patel@northwind.example")
    assert admin.revoke("jordan.patel@northwind.example") >= 2
    answer = ask(page, "Show me emails from the last 3 days")
    expect(answer).to_have_attribute("data-status", "failed")
    expect(answer.locator(".card-error")).to_contain_text(re.compile("[Rr]econnect"))
    page.click("#nav-settings")
    expect(page.locator("#ms365-status")).to_have_text("Reconnect needed", timeout=T)
    expect(page.locator("#ms365-connect")).to_contain_text("Reconnect")
